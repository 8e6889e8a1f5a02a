// `segue train all`: the retraining of a running (or stopped) server's models, with the promotion gate
// (docs/models.md "Retraining and the promotion gate"). Reads the server's event log read-only (what
// `segue log export` would print) and its stored catalog, trains the disengagement model (--models) and
// the two-tower retrieval model (--retrieval-models) into <dir>/.candidates/<next version>, measures the
// candidate and the current (newest) bundle on the same held-out data in this run, and promotes the
// candidate (it becomes <dir>/<version>, which the server swaps in at its next check or on
// POST /v1/admin/models/reload) or keeps it under <dir>/refused/<version> with REFUSED.json.
// Held-out data: the disengagement model's evaluation split (cli/train_disengagement.h; metric ROC-AUC);
// the retrieval model's gate pairs (cli/train_retrieval.h; metric recall@50 over all tracks).
// The feedback collector's outcomes (<data-dir>/feedback, read-only) label the retrieval pairs
// (models/retrieval_pairs.h: engaged recommendations counted twice, skipped ones first among the hard
// negatives).
// Exit 0 when every requested model was trained and gated (promoted or refused), 1 otherwise; --json
// prints one object with each model's verdict (what `segue serve --retrain-interval` reads).
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "cli/commands.h"
#include "cli/dataset_flags.h"
#include "cli/feedback_outcomes.h"
#include "cli/train_disengagement.h"
#include "cli/train_retrieval.h"
#include "feedback/outcome_store.h"
#include "log/event_log.h"
#include "models/bundle_files.h"
#include "models/disengagement_bundle.h"
#include "models/held_out_metrics.h"
#include "models/promotion_gate.h"
#include "models/recommendation_outcomes.h"
#include "models/retrieval_bundle.h"
#include "serving/catalog_store.h"

namespace segue::cli {
namespace {

struct AllArgs {
  std::string data_dir, models, retrieval_models;
  std::vector<std::string> catalogs;
  TrainArgs disengagement;
  RetrievalArgs retrieval;
  size_t max_gate_examples = 20'000;
  bool json = false;
};

int Fail(const std::string& message, int code = 1) {
  std::cerr << "segue train all: " << message << "\n";
  return code;
}

// The server's log, read-only, in seq order, and its stored catalog.
struct LogData {
  std::vector<Event> events;
  uint64_t through_seq = 0;
  int64_t latest_ms = 0;
  RecommendationOutcomes outcomes;  // the feedback collector's, when the data dir has them
};

// The outcomes the server's feedback collector stored (read-only); a data dir without any is no error.
Status ReadOutcomes(const std::string& data_dir, RecommendationOutcomes* out) {
  const std::string dir = data_dir + "/" + feedback::kOutcomesSubdir;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return Status::Ok();
  Status s = ReadFeedbackOutcomes(dir, out);
  if (s.ok()) std::cerr << "feedback " << dir << ": " << out->size() << " play outcomes\n";
  return s;
}

Status ReadLog(const std::string& data_dir, Catalog* catalog, LogData* out) {
  EventLogOptions o;
  o.dir = data_dir;
  o.read_only = true;
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(o);
  if (!log.ok()) return log.status();
  if (Result<size_t> tracks = serving::LoadCatalog(**log, *catalog); !tracks.ok()) return tracks.status();
  Status s = (*log)->Scan({}, [&](const LoggedEvent& e) {
    out->through_seq = e.seq;
    out->latest_ms = std::max(out->latest_ms, e.event.ts_ms);
    out->events.push_back(e.event);
    return true;
  });
  if (!s.ok()) return s;
  std::cerr << "log " << data_dir << ": " << out->events.size() << " events through seq " << out->through_seq << ", "
            << catalog->size() << " catalog tracks\n";
  return ReadOutcomes(data_dir, &out->outcomes);
}

// Measures the candidate <models_dir>/.candidates/<version> and the current (newest) bundle with the same
// `measure`, decides and moves the candidate; the verdict as JSON. A current bundle that does not load
// counts as undefined (NaN): the server could not serve it either.
template <typename Measure>
Result<nlohmann::json> Gate(const std::string& models_dir, const std::string& version, const char* metric_name,
                            size_t examples, Measure measure) {
  GateMetric metric;
  metric.name = metric_name;
  metric.examples = examples;
  Result<double> value = measure(CandidatePath(models_dir, version));
  if (!value.ok()) return value.status();
  metric.candidate = *value;
  if (Result<std::string> current = FindNewestBundle(models_dir); current.ok()) {
    metric.current_version = std::filesystem::path(*current).filename().string();
    Result<double> v = measure(*current);
    if (!v.ok()) std::cerr << "warning: current bundle " << *current << ": " << v.status().message() << "\n";
    metric.current = v.ok() ? *v : NAN;
  }
  const GateDecision decision = DecidePromotion(metric);
  Result<std::string> path = ApplyPromotion(models_dir, version, metric, decision);
  if (!path.ok()) return path.status();
  std::cerr << (decision.promote ? "promoted " : "refused ") << *path << ": " << decision.reason << "\n";
  return nlohmann::json{{"version", version},
                        {"result", decision.promote ? "promoted" : "refused"},
                        {"reason", decision.reason},
                        {"path", *path},
                        {"metric", metric.name},
                        {"candidate", FiniteOrNull(metric.candidate)},
                        {"current", metric.current ? FiniteOrNull(*metric.current) : nullptr},
                        {"current_version", metric.current_version},
                        {"examples", metric.examples}};
}

Result<nlohmann::json> RetrainDisengagement(const AllArgs& args, const LogData& log, Catalog* catalog) {
  Result<std::string> version = NextBundleVersion(args.models);
  if (!version.ok()) return version.status();
  TrainArgs train = args.disengagement;
  train.data.events = "log " + args.data_dir + " through seq " + std::to_string(log.through_seq);
  Result<DisengagementTraining> trained = TrainDisengagement(log.events, catalog, train, args.max_gate_examples);
  if (!trained.ok()) return trained.status();
  if (Status s = SaveBundle(trained->bundle, CandidatePath(args.models, *version)); !s.ok()) return s;
  return Gate(args.models, *version, "roc_auc", trained->test_x.size(),
              [&](const std::string& dir) { return DisengagementRocAuc(dir, trained->test_x, trained->test_y); });
}

Result<nlohmann::json> RetrainRetrieval(const AllArgs& args, LogData log, Catalog* catalog) {
  Result<std::string> version = NextBundleVersion(args.retrieval_models);
  if (!version.ok()) return version.status();
  RetrievalInputs inputs{.events = std::move(log.events), .playlists = {}, .reference_ms = log.latest_ms,
                         .sources = {"log " + args.data_dir + " through seq " + std::to_string(log.through_seq)},
                         .outcomes = &log.outcomes};
  Result<RetrievalTraining> trained = TrainRetrieval(std::move(inputs), catalog, args.retrieval, true);
  if (!trained.ok()) return trained.status();
  if (trained->gate_pairs.size() > args.max_gate_examples) trained->gate_pairs.resize(args.max_gate_examples);
  if (Status s = SaveRetrievalBundle(trained->bundle, CandidatePath(args.retrieval_models, *version)); !s.ok()) return s;
  return Gate(args.retrieval_models, *version, "recall@50", trained->gate_pairs.size(),
              [&](const std::string& dir) -> Result<double> {
                Result<RetrievalRecall> r = RetrievalRecallOf(dir, trained->songs, trained->gate_pairs);
                if (!r.ok()) return r.status();
                return r->at50;
              });
}

void Print(const nlohmann::json& report, bool json) {
  if (json) {
    std::cout << report.dump() << "\n";
    return;
  }
  for (const char* model : {"disengagement", "retrieval"}) {
    if (!report.contains(model)) continue;
    const nlohmann::json& m = report[model];
    std::cout << model << " " << m["version"].get<std::string>() << ": " << m["result"].get<std::string>() << " ("
              << m["reason"].get<std::string>() << ") -> " << m["path"].get<std::string>() << "\n";
  }
}

int Run(const AllArgs& args) {
  if (args.models.empty() && args.retrieval_models.empty()) return Fail("give --models and/or --retrieval-models", 2);
  if (Status s = ValidateTrainArgs(args.disengagement); !s.ok()) return Fail(s.message(), 2);
  if (Status s = ValidateRetrievalArgs(args.retrieval); !s.ok()) return Fail(s.message(), 2);
  Catalog catalog;
  if (Status s = LoadCatalogFiles(args.catalogs, &catalog); !s.ok()) return Fail(s.message());
  LogData log;
  if (Status s = ReadLog(args.data_dir, &catalog, &log); !s.ok()) return Fail(s.message());
  nlohmann::json report = {
      {"events", log.events.size()}, {"through_seq", log.through_seq}, {"play_outcomes", log.outcomes.size()}};
  if (!args.models.empty()) {
    Result<nlohmann::json> verdict = RetrainDisengagement(args, log, &catalog);
    if (!verdict.ok()) return Fail("disengagement model: " + verdict.status().message());
    report["disengagement"] = std::move(*verdict);
  }
  if (!args.retrieval_models.empty()) {
    Result<nlohmann::json> verdict = RetrainRetrieval(args, std::move(log), &catalog);
    if (!verdict.ok()) return Fail("retrieval model: " + verdict.status().message());
    report["retrieval"] = std::move(*verdict);
  }
  Print(report, args.json);
  return 0;
}

}  // namespace

void AddTrainAllCommand(CLI::App* train, CommandList& out) {
  auto args = std::make_shared<AllArgs>();
  CLI::App* a = train->add_subcommand(
      "all",
      "Retrain a server's models from its data dir (event log and catalog, read-only: the server may be "
      "running) with the promotion gate: each candidate is promoted into its models folder only if its "
      "held-out metric is at least the current bundle's, else kept under <folder>/refused/ with REFUSED.json; "
      "see docs/models.md");
  a->add_option("--data-dir", args->data_dir, "Data directory of `segue serve`")->required()->check(CLI::ExistingDirectory);
  a->add_option("--models", args->models, "Disengagement models folder (segue serve --models)");
  a->add_option("--retrieval-models", args->retrieval_models, "Retrieval models folder (segue serve --retrieval-models)");
  a->add_option("--catalog", args->catalogs, "Extra track catalog NDJSON files (the log's stored catalog is always read)")
      ->check(CLI::ExistingFile);
  a->add_option("--epochs", args->disengagement.epochs, "Disengagement model: maximum epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  a->add_option("--learning-rate", args->disengagement.learning_rate, "Disengagement model: AdamW learning rate")
      ->capture_default_str();
  a->add_option("--max-examples", args->disengagement.max_examples,
                "Disengagement model: cap on training + validation decision points")
      ->capture_default_str();
  AddDatasetFlags(a, &args->disengagement.data);
  a->add_option("--target-precision", args->disengagement.target_precision,
                "Disengagement model: the decision threshold is the lowest validation score reaching this precision")
      ->capture_default_str();
  a->add_flag("--no-skip-head", args->disengagement.no_skip_head, "Disengagement model: no skip head (half the time)");
  a->add_option("--retrieval-epochs", args->retrieval.epochs, "Retrieval model: epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  a->add_option("--retrieval-learning-rate", args->retrieval.learning_rate, "Retrieval model: AdamW learning rate")
      ->capture_default_str();
  a->add_option("--max-pairs", args->retrieval.max_pairs, "Retrieval model: cap on training + validation pairs")
      ->capture_default_str();
  a->add_option("--max-gate-examples", args->max_gate_examples, "Held-out examples per model the gate measures")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{10'000'000}));
  a->add_option("--seed", args->disengagement.seed, "Random seed of both trainings")->capture_default_str();
  a->add_option("--threads", args->disengagement.threads, "LibTorch intra-op threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  a->add_flag("--json", args->json, "Print one JSON object with each model's verdict on stdout");
  out.push_back({a, [args] {
                   args->retrieval.seed = args->disengagement.seed;
                   args->retrieval.threads = args->disengagement.threads;
                   return Run(*args);
                 }});
}

}  // namespace segue::cli
