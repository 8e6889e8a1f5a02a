#include "cli/train_retrieval.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <utility>

#include "common/time_util.h"
#include "features/feature_spec.h"
#include "models/two_tower_trainer.h"

namespace segue::cli {
namespace {

Result<TwoTowerTrainOptions> ToTrainOptions(const RetrievalArgs& args) {
  TwoTowerTrainOptions o;
  o.architecture.user_sequence.d_model = args.d_model;
  o.architecture.user_sequence.layers = args.layers;
  o.architecture.user_sequence.heads = args.heads;
  o.architecture.user_sequence.ffn_dim = 2 * args.d_model;
  o.architecture.embedding_dim = args.embedding_dim;
  o.architecture.temperature = args.temperature;
  o.epochs = args.epochs;
  o.batch_size = args.batch_size;
  o.learning_rate = args.learning_rate;
  o.seed = args.seed;
  o.threads = args.threads;
  o.max_valid_queries = args.max_valid_queries;
  if (Status s = o.architecture.Validate(); !s.ok()) return s;
  if (!(args.learning_rate > 0)) return Status::InvalidArgument("--learning-rate must be positive");
  if (!(args.session_timeout_min > 0)) return Status::InvalidArgument("--session-timeout-min must be positive");
  return o;
}

void PrintEpoch(const TwoTowerEpoch& e, int epochs) {
  std::fprintf(stderr, "epoch %d/%d: loss %.4f  val recall@10 %.4f @50 %.4f @100 %.4f (%zu pairs)  (%.1f s)%s\n",
               e.epoch, epochs, e.train_loss, e.valid.at10, e.valid.at50, e.valid.at100, e.valid.queries, e.seconds,
               e.improved ? "  best" : "");
}

// Moves every second pair of `valid` into *gate (see the header).
void SplitGatePairs(std::vector<RetrievalPair>* valid, std::vector<RetrievalPair>* gate) {
  std::vector<RetrievalPair> kept;
  for (size_t i = 0; i < valid->size(); ++i) ((i % 2 == 0) ? kept : *gate).push_back(std::move((*valid)[i]));
  *valid = std::move(kept);
}

Status CollectPairs(RetrievalInputs inputs, Catalog* catalog, const RetrievalArgs& args, SongTable* songs,
                    RetrievalPairs* pairs) {
  RetrievalPairOptions o;
  o.session_timeout_ms = static_cast<int64_t>(args.session_timeout_min * 60'000);
  o.max_pairs = args.max_pairs;
  o.playlist_targets = args.playlist_targets;
  o.progress = true;
  o.outcomes = inputs.outcomes;
  songs->AddCatalog(*catalog);
  if (Status s = CollectHistoryPairs(std::move(inputs.events), catalog, o, songs, pairs); !s.ok()) return s;
  if (Status s = CollectPlaylistPairs(inputs.playlists, *catalog, o, songs, pairs); !s.ok()) return s;
  std::cerr << "pairs: " << pairs->train.size() << " train, " << pairs->valid.size() << " validation ("
            << pairs->listeners << " listeners: " << pairs->plays << " plays, " << pairs->engaged << " engaged, "
            << pairs->unresolved << " unresolved; " << pairs->playlists << " playlists: " << pairs->playlist_pairs
            << " pairs); " << songs->size() << " tracks\n";
  if (pairs->over_cap > 0) std::cerr << "note: --max-pairs reached; " << pairs->over_cap << " pairs not used\n";
  if (inputs.outcomes != nullptr) {
    std::cerr << "feedback: " << inputs.outcomes->size() << " play outcomes; " << pairs->recommended_engaged
              << " engaged recommendations counted twice, " << pairs->recommended_negatives
              << " skipped recommendations as hard negatives\n";
  }
  return Status::Ok();
}

void FillSummary(const RetrievalPairs& pairs, const TwoTowerResult& trained, std::vector<std::string> sources,
                 RetrievalTrainingSummary* t) {
  t->created = FormatRfc3339Ms(NowMs());
  t->sources = std::move(sources);
  t->listeners = pairs.listeners;
  t->plays = pairs.plays;
  t->engaged = pairs.engaged;
  t->unresolved = pairs.unresolved;
  t->playlists = pairs.playlists;
  t->playlist_pairs = pairs.playlist_pairs;
  t->train_pairs = pairs.train.size();
  t->valid_pairs = pairs.valid.size();
  t->best_epoch = trained.best_epoch;
  t->history = trained.history;
}

}  // namespace

Status ValidateRetrievalArgs(const RetrievalArgs& args) { return ToTrainOptions(args).status(); }

Result<RetrievalTraining> TrainRetrieval(RetrievalInputs inputs, Catalog* catalog, const RetrievalArgs& args,
                                         bool hold_out_gate_pairs) {
  const auto t0 = std::chrono::steady_clock::now();
  Result<TwoTowerTrainOptions> options = ToTrainOptions(args);
  if (!options.ok()) return options.status();
  options->architecture.reference_ms = inputs.reference_ms;
  std::vector<std::string> sources = std::move(inputs.sources);
  SongTable songs(inputs.reference_ms);
  RetrievalPairs pairs;
  if (Status s = CollectPairs(std::move(inputs), catalog, args, &songs, &pairs); !s.ok()) return s;
  RetrievalTraining out;
  if (hold_out_gate_pairs) SplitGatePairs(&pairs.valid, &out.gate_pairs);

  options->on_epoch = [&args](const TwoTowerEpoch& e) { PrintEpoch(e, args.epochs); };
  Result<TwoTowerResult> trained = TrainTwoTower(songs.features(), pairs.train, pairs.valid, *options);
  if (!trained.ok()) return trained.status();
  Result<std::shared_ptr<const SongEncoder>> song_tower = SongEncoder::Create(trained->architecture, trained->weights);
  if (!song_tower.ok()) return song_tower.status();

  RetrievalBundle& bundle = out.bundle;
  bundle.feature_spec_version = kFeatureSpecVersion;
  bundle.architecture = trained->architecture;
  bundle.weights = std::move(trained->weights);
  bundle.track_ids = songs.track_ids();
  bundle.song_embeddings.resize(songs.size() * static_cast<size_t>(bundle.architecture.embedding_dim));
  (*song_tower)->EmbedBatch(songs.features(), bundle.song_embeddings.data());
  FillSummary(pairs, *trained, std::move(sources), &bundle.training);
  bundle.training.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.songs = songs.features();
  return out;
}

}  // namespace segue::cli
