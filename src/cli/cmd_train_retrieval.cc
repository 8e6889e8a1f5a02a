// `segue train retrieval`: the two-tower retrieval model (docs/models.md, "Two-tower retrieval model").
// Reads listening histories (events NDJSON), playlists and track catalogs, builds the training pairs
// (retrieval_pairs.h: the listener's state before a play → the track they engaged with; a playlist's
// other tracks → one of its tracks), trains both towers, embeds every track of the catalogs, events and
// playlists with the plain-C++ song tower (the same code that embeds new tracks while serving) and
// writes a retrieval bundle (retrieval_bundle.h) with its ANN index.
//
// The training itself, and which pairs are held out: cli/train_retrieval.h (shared with `segue train all`);
// `segue eval retrieval` compares the bundle with the baselines.
#include <algorithm>
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
#include "cli/train_retrieval.h"
#include "features/feature_spec.h"
#include "models/bundle_files.h"
#include "models/dataset.h"
#include "models/retrieval_bundle.h"

namespace segue::cli {
namespace {

int Fail(const std::string& message, int code = 1) {
  std::cerr << "segue train retrieval: " << message << "\n";
  return code;
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
  if (args.events.empty() && args.playlists.empty()) return Fail("give --events and/or --playlists", 2);
  if (Status s = ValidateRetrievalArgs(args); !s.ok()) return Fail(s.message(), 2);
  std::error_code ec;
  if (std::filesystem::exists(args.out, ec) && !std::filesystem::is_empty(args.out, ec)) {
    return Fail(args.out + ": already exists; bundles are immutable, pick a new version", 2);
  }
  Catalog catalog;
  RetrievalInputs inputs;
  if (Status s = ReadInputs(args, &catalog, &inputs.events, &inputs.playlists, &inputs.reference_ms); !s.ok()) {
    return Fail(s.message());
  }
  for (const auto* list : {&args.events, &args.playlists, &args.catalogs}) {
    inputs.sources.insert(inputs.sources.end(), list->begin(), list->end());
  }
  Result<RetrievalTraining> trained = TrainRetrieval(std::move(inputs), &catalog, args, false);
  if (!trained.ok()) {
    return Fail(trained.status().message(), trained.status().code() == StatusCode::kInvalidArgument ? 2 : 1);
  }
  if (Status s = SaveRetrievalBundle(trained->bundle, args.out); !s.ok()) return Fail(s.message());
  PrintResult(args, trained->bundle);
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
