// `segue train retrieval`: the two-tower retrieval model (docs/models.md, "Two-tower retrieval model").
// Reads listening histories (events NDJSON), playlists and track catalogs, builds the training pairs
// (retrieval_pairs.h: the listener's state before a play → the track they engaged with; a playlist's
// other tracks → one of its tracks), trains both towers, embeds every track of the catalogs, events and
// playlists with the plain-C++ song tower (the same code that embeds new tracks while serving) and
// writes a retrieval bundle (retrieval_bundle.h) with its ANN index.
//
// Held-out pairs (plays in the last 20 % of each listener's time: the split of `segue eval retrieval`;
// one playlist in five) measure recall@K after every epoch; `segue eval retrieval` compares the bundle
// with the baselines.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "cli/commands.h"
#include "cli/dataset_flags.h"
#include "common/time_util.h"
#include "features/feature_spec.h"
#include "models/bundle_files.h"
#include "models/dataset.h"
#include "models/retrieval_bundle.h"
#include "models/retrieval_pairs.h"
#include "models/two_tower_trainer.h"
#include "recommend/playlist_file.h"

namespace segue::cli {
namespace {

struct RetrievalArgs {
  std::vector<std::string> events, playlists, catalogs;
  std::string out;
  int epochs = 4;
  int batch_size = 256;
  double learning_rate = 3e-3;
  float temperature = 0.05f;
  int embedding_dim = 64;
  int d_model = 32;
  int layers = 2;
  int heads = 4;
  double session_timeout_min = 30;
  size_t max_pairs = 200'000;
  size_t playlist_targets = 10;
  size_t max_valid_queries = 5000;
  uint64_t seed = 17;
  int threads = 1;
  bool json = false;
};

int Fail(const std::string& message, int code = 1) {
  std::cerr << "segue train retrieval: " << message << "\n";
  return code;
}

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

// Catalogs, events and playlists into `catalog`, `events` and `playlists`; the latest time seen (the
// reference for release recency) into *reference_ms.
Status ReadInputs(const RetrievalArgs& args, Catalog* catalog, std::vector<Event>* events,
                  std::vector<recommend::PlaylistTracks>* playlists, int64_t* reference_ms) {
  for (const std::string& path : args.catalogs) {
    Result<size_t> tracks = LoadCatalogFile(path, catalog);
    if (!tracks.ok()) return tracks.status();
    std::cerr << "catalog " << path << ": " << *tracks << " tracks\n";
  }
  for (const std::string& path : args.events) {
    Result<EventFile> file = ReadEventsReportingRejects(path);
    if (!file.ok()) return file.status();
    for (Event& e : file->events) {
      *reference_ms = std::max(*reference_ms, e.ts_ms);
      events->push_back(std::move(e));
    }
  }
  for (const std::string& path : args.playlists) {
    Result<std::vector<recommend::PlaylistTracks>> read = recommend::ReadPlaylistFile(path, catalog);
    if (!read.ok()) return read.status();
    std::cerr << "playlists " << path << ": " << read->size() << " playlists\n";
    for (recommend::PlaylistTracks& p : *read) {
      *reference_ms = std::max(*reference_ms, p.modified_at_ms);
      playlists->push_back(std::move(p));
    }
  }
  return Status::Ok();
}

void PrintEpoch(const TwoTowerEpoch& e, int epochs) {
  std::fprintf(stderr, "epoch %d/%d: loss %.4f  val recall@10 %.4f @50 %.4f @100 %.4f (%zu pairs)  (%.1f s)%s\n",
               e.epoch, epochs, e.train_loss, e.valid.at10, e.valid.at50, e.valid.at100, e.valid.queries, e.seconds,
               e.improved ? "  best" : "");
}

void PrintResult(const RetrievalArgs& args, const RetrievalBundle& b) {
  const RetrievalTrainingSummary& t = b.training;
  const RetrievalRecall best = t.best_epoch >= 1 ? t.history[static_cast<size_t>(t.best_epoch - 1)].valid
                                                 : RetrievalRecall{};
  if (args.json) {
    nlohmann::json out = {{"bundle", args.out},
                          {"feature_spec_version", kFeatureSpecVersion},
                          {"tracks", b.track_ids.size()},
                          {"listeners", t.listeners},
                          {"playlists", t.playlists},
                          {"train_pairs", t.train_pairs},
                          {"validation_pairs", t.valid_pairs},
                          {"epochs", t.history.size()},
                          {"best_epoch", t.best_epoch},
                          {"validation",
                           {{"queries", best.queries},
                            {"recall@10", FiniteOrNull(best.at10)},
                            {"recall@50", FiniteOrNull(best.at50)},
                            {"recall@100", FiniteOrNull(best.at100)}}},
                          {"seconds", t.seconds}};
    std::cout << out.dump() << "\n";
    return;
  }
  std::printf("bundle %s: %zu tracks, %zu train / %zu validation pairs, best epoch %d of %zu\n", args.out.c_str(),
              b.track_ids.size(), t.train_pairs, t.valid_pairs, t.best_epoch, t.history.size());
  std::printf("validation (%zu held-out pairs, all %zu tracks ranked): recall@10 %.4f  @50 %.4f  @100 %.4f\n",
              best.queries, b.track_ids.size(), best.at10, best.at50, best.at100);
  std::printf("took %.1f s\n", t.seconds);
}

int Run(const RetrievalArgs& args) {
  const auto t0 = std::chrono::steady_clock::now();
  if (args.events.empty() && args.playlists.empty()) return Fail("give --events and/or --playlists", 2);
  Result<TwoTowerTrainOptions> options = ToTrainOptions(args);
  if (!options.ok()) return Fail(options.status().message(), 2);
  std::error_code ec;
  if (std::filesystem::exists(args.out, ec) && !std::filesystem::is_empty(args.out, ec)) {
    return Fail(args.out + ": already exists; bundles are immutable, pick a new version", 2);
  }

  Catalog catalog;
  std::vector<Event> events;
  std::vector<recommend::PlaylistTracks> playlists;
  int64_t reference_ms = 0;
  if (Status s = ReadInputs(args, &catalog, &events, &playlists, &reference_ms); !s.ok()) return Fail(s.message());
  options->architecture.reference_ms = reference_ms;

  RetrievalPairOptions pair_options;
  pair_options.session_timeout_ms = static_cast<int64_t>(args.session_timeout_min * 60'000);
  pair_options.max_pairs = args.max_pairs;
  pair_options.playlist_targets = args.playlist_targets;
  pair_options.progress = true;
  SongTable songs(reference_ms);
  songs.AddCatalog(catalog);
  RetrievalPairs pairs;
  if (Status s = CollectHistoryPairs(std::move(events), &catalog, pair_options, &songs, &pairs); !s.ok()) {
    return Fail(s.message());
  }
  if (Status s = CollectPlaylistPairs(playlists, catalog, pair_options, &songs, &pairs); !s.ok()) return Fail(s.message());
  std::cerr << "pairs: " << pairs.train.size() << " train, " << pairs.valid.size() << " validation (" << pairs.listeners
            << " listeners: " << pairs.plays << " plays, " << pairs.engaged << " engaged, " << pairs.unresolved
            << " unresolved; " << pairs.playlists << " playlists: " << pairs.playlist_pairs << " pairs); "
            << songs.size() << " tracks\n";
  if (pairs.over_cap > 0) std::cerr << "note: --max-pairs reached; " << pairs.over_cap << " pairs not used\n";

  options->on_epoch = [&args](const TwoTowerEpoch& e) { PrintEpoch(e, args.epochs); };
  Result<TwoTowerResult> trained = TrainTwoTower(songs.features(), pairs.train, pairs.valid, *options);
  if (!trained.ok()) return Fail(trained.status().message());
  Result<std::shared_ptr<const SongEncoder>> song_tower = SongEncoder::Create(trained->architecture, trained->weights);
  if (!song_tower.ok()) return Fail(song_tower.status().message());

  RetrievalBundle bundle;
  bundle.feature_spec_version = kFeatureSpecVersion;
  bundle.architecture = trained->architecture;
  bundle.weights = std::move(trained->weights);
  bundle.track_ids = songs.track_ids();
  bundle.song_embeddings.resize(songs.size() * static_cast<size_t>(bundle.architecture.embedding_dim));
  (*song_tower)->EmbedBatch(songs.features(), bundle.song_embeddings.data());
  RetrievalTrainingSummary& t = bundle.training;
  t.created = FormatRfc3339Ms(NowMs());
  for (const auto* list : {&args.events, &args.playlists, &args.catalogs}) t.sources.insert(t.sources.end(), list->begin(), list->end());
  t.listeners = pairs.listeners;
  t.plays = pairs.plays;
  t.engaged = pairs.engaged;
  t.unresolved = pairs.unresolved;
  t.playlists = pairs.playlists;
  t.playlist_pairs = pairs.playlist_pairs;
  t.train_pairs = pairs.train.size();
  t.valid_pairs = pairs.valid.size();
  t.best_epoch = trained->best_epoch;
  t.history = trained->history;
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (Status s = SaveRetrievalBundle(bundle, args.out); !s.ok()) return Fail(s.message());
  PrintResult(args, bundle);
  return 0;
}

}  // namespace

void AddTrainRetrievalCommand(CLI::App* train, CommandList& out) {
  auto args = std::make_shared<RetrievalArgs>();
  CLI::App* r = train->add_subcommand(
      "retrieval",
      "Train the two-tower retrieval model on listening histories and playlists and write a retrieval bundle "
      "(both towers, song embeddings of every track, ANN index, metrics); see docs/models.md");
  r->add_option("--events", args->events, "Events NDJSON files (segue simulate / import / log export)")
      ->check(CLI::ExistingFile);
  r->add_option("--playlists", args->playlists, "Playlist files (segue import mpd NDJSON, or spotify_songs.csv)")
      ->check(CLI::ExistingFile);
  r->add_option("--catalog", args->catalogs, "Track catalog NDJSON files (tracks they list are embedded too)")
      ->check(CLI::ExistingFile);
  r->add_option("--out", args->out, "Bundle folder to create, e.g. models/retrieval/v0001 (must not exist)")->required();
  r->add_option("--epochs", args->epochs, "Epochs")->capture_default_str()->check(CLI::Range(1, 1000));
  r->add_option("--batch-size", args->batch_size, "Pairs per batch (the in-batch negatives)")
      ->capture_default_str()
      ->check(CLI::Range(2, 65536));
  r->add_option("--learning-rate", args->learning_rate, "AdamW learning rate")->capture_default_str();
  r->add_option("--temperature", args->temperature, "Softmax temperature on cosine similarities")->capture_default_str();
  r->add_option("--embedding-dim", args->embedding_dim, "Embedding size of both towers")->capture_default_str();
  r->add_option("--d-model", args->d_model, "User tower Transformer width")->capture_default_str();
  r->add_option("--layers", args->layers, "User tower encoder layers")->capture_default_str();
  r->add_option("--heads", args->heads, "Attention heads (must divide --d-model)")->capture_default_str();
  r->add_option("--session-timeout-min", args->session_timeout_min, "Inactivity that ends a session")
      ->capture_default_str();
  r->add_option("--max-pairs", args->max_pairs, "Cap on training + validation pairs kept in memory (~2.3 KB each)")
      ->capture_default_str();
  r->add_option("--playlist-targets", args->playlist_targets, "Pairs per playlist (tracks spread over it)")
      ->capture_default_str();
  r->add_option("--max-valid-queries", args->max_valid_queries, "Held-out pairs ranked after each epoch")
      ->capture_default_str();
  r->add_option("--seed", args->seed, "Random seed (initialisation, shuffling, dropout)")->capture_default_str();
  r->add_option("--threads", args->threads, "LibTorch intra-op threads")->capture_default_str()->check(CLI::Range(1, 64));
  r->add_flag("--json", args->json, "Print one JSON object on stdout (progress stays on stderr)");
  out.push_back({r, [args] { return Run(*args); }});
}

}  // namespace segue::cli
