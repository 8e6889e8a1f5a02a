// `segue eval retrieval`: the retrieval baselines (and any extra Retriever, e.g. the two-tower model of
// --model; with --ranker, the blend followed by that ranker, "blend+xgboost") on held-out listening (time split per listener, `all` and `discovery` queries) and held-out
// playlists, with the same metrics and bootstrap intervals (recommend/retrieval_eval.h, docs/models.md).
#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "cli/commands.h"
#include "cli/dataset_flags.h"
#include "models/dataset.h"
#include "models/retrieval_bundle.h"
#include "recommend/playlist_file.h"
#include "recommend/ranked_retriever.h"
#include "recommend/ranker_bundle.h"
#include "recommend/retrieval_baselines.h"
#include "recommend/retrieval_eval.h"
#include "recommend/two_tower_retriever.h"
#include "recommend/xgboost_ranker.h"

namespace segue::cli {
namespace {

namespace rec = segue::recommend;

struct RetrievalArgs {
  std::vector<std::string> events;
  std::vector<std::string> playlists;
  std::vector<std::string> catalogs;
  std::string model_dir;
  std::string ranker_dir;
  size_t ranker_pool = 200;
  double train_fraction = 0.8;
  double holdout_fraction = 0.25;
  int bootstrap = 1000;
  bool json = false;
};

using RetrieverList = std::vector<std::unique_ptr<rec::Retriever>>;

// The retrievers evaluated beside the baselines: --model names a two-tower bundle (segue train retrieval),
// served through its HNSW index as the server would.
Result<RetrieverList> ModelRetrievers(const std::string& model_dir, Catalog* catalog) {
  if (model_dir.empty()) return RetrieverList{};
  Result<RetrievalModel> model = LoadRetrievalModel(model_dir);
  if (!model.ok()) return model.status();
  std::cerr << "model " << model_dir << ": two-tower bundle " << model->version << ", " << model->track_ids.size()
            << " tracks\n";
  RetrieverList out;
  out.push_back(rec::TwoTowerRetriever::FromModel(*model, rec::TrackLabels::Intern(model->track_ids, catalog), catalog));
  return out;
}

// The ranker of --ranker, or null. Its examples must come from before this evaluation's split.
Result<std::unique_ptr<rec::Ranker>> LoadRanker(const RetrievalArgs& args, const Catalog* catalog) {
  if (args.ranker_dir.empty()) return std::unique_ptr<rec::Ranker>();
  Result<rec::RankerModel> model = rec::LoadRankerBundle(args.ranker_dir);
  if (!model.ok()) return model.status();
  if (model->train_fraction > args.train_fraction) {
    return Status::InvalidArgument(args.ranker_dir + ": trained on plays up to " +
                                   std::to_string(model->train_fraction) + " of each listener's time, past this " +
                                   "evaluation's --train-fraction: its test queries would be training data");
  }
  std::cerr << "ranker " << args.ranker_dir << ": " << model->version << "\n";
  return std::unique_ptr<rec::Ranker>(std::make_unique<rec::XgboostRanker>(catalog, std::move(model->booster)));
}

nlohmann::json Number(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json MetricsJson(const rec::MetricSummary& s, bool r_precision, size_t errors, const char* group_key) {
  nlohmann::json m = nlohmann::json::object();
  nlohmann::json ci = nlohmann::json::object();
  for (size_t i = 0; i < rec::kMetricCount; ++i) {
    const std::string key(rec::kMetricNames[i]);
    const bool applies = i != rec::kRPrecision || r_precision;
    m[key] = applies ? Number(s.mean[i]) : nlohmann::json(nullptr);
    ci[key] = applies && !std::isnan(s.ci_low[i]) ? nlohmann::json::array({s.ci_low[i], s.ci_high[i]})
                                                  : nlohmann::json(nullptr);
  }
  m["ci95"] = ci;
  m["queries"] = s.queries;
  m[group_key] = s.groups;
  m["errors"] = errors;
  return m;
}

nlohmann::json ModelsJson(const std::vector<rec::ModelMetrics>& models, bool discovery, bool r_precision,
                          const char* group_key) {
  nlohmann::json out = nlohmann::json::object();
  for (const rec::ModelMetrics& m : models) {
    out[m.name] = MetricsJson(discovery ? m.discovery : m.all, r_precision, m.errors, group_key);
  }
  return out;
}

std::string Fixed(double v) {
  if (std::isnan(v)) return "-";
  std::ostringstream o;
  o << std::fixed << std::setprecision(3) << v;
  return o.str();
}

void PrintTable(const std::string& title, const std::vector<rec::ModelMetrics>& models, bool discovery, bool r_precision) {
  std::cout << "\n" << title << "\n"
            << std::left << std::setw(18) << "model" << std::right;
  for (size_t i = 0; i < rec::kMetricCount; ++i) {
    if (i != rec::kRPrecision || r_precision) std::cout << std::setw(12) << rec::kMetricNames[i];
  }
  std::cout << "   recall@10 95% CI\n";
  for (const rec::ModelMetrics& m : models) {
    const rec::MetricSummary& s = discovery ? m.discovery : m.all;
    std::cout << std::left << std::setw(18) << m.name << std::right;
    for (size_t i = 0; i < rec::kMetricCount; ++i) {
      if (i != rec::kRPrecision || r_precision) std::cout << std::setw(12) << Fixed(s.mean[i]);
    }
    std::cout << "   [" << Fixed(s.ci_low[rec::kRecall10]) << ", " << Fixed(s.ci_high[rec::kRecall10]) << "]";
    if (m.errors > 0) std::cout << "  (" << m.errors << " errors)";
    std::cout << "\n";
  }
}

std::vector<const rec::Retriever*> Evaluated(const rec::RetrievalBaselines& baselines, const RetrieverList& extra) {
  std::vector<const rec::Retriever*> out;
  for (const auto& r : extra) out.push_back(r.get());
  for (const rec::Retriever* r : baselines.All()) out.push_back(r);
  return out;
}

// Histories of --events: baselines fitted on the training part, every retriever on the test queries.
// Fills the report's top level and prints the tables unless --json.
// With a ranker, the blend followed by it is evaluated too (last).
Status ReportEvents(const RetrievalArgs& args, const rec::RetrievalEvalOptions& options, const RetrieverList& extra,
                    const rec::Ranker* ranker, Catalog* catalog, nlohmann::json* out) {
  Result<std::vector<Event>> events = ReadEventFiles(args.events);
  if (!events.ok()) return events.status();
  const rec::HistoryCorpus corpus(std::move(*events));
  rec::RetrievalBaselines baselines(catalog);
  const rec::TrainingSummary train = rec::ReplayTrainingPart(
      corpus, catalog, options, [&](const SessionState& s, const PlayRecord& p) { baselines.ObservePlay(s, p); });
  std::vector<const rec::Retriever*> retrievers = Evaluated(baselines, extra);
  std::optional<rec::RankedRetriever> ranked;
  if (ranker) retrievers.push_back(&ranked.emplace(baselines.blend(), *ranker, args.ranker_pool));
  Result<rec::HistoryEvalReport> r = rec::EvaluateHistories(corpus, catalog, retrievers, options);
  if (!r.ok()) return r.status();
  (*out)["models"] = ModelsJson(r->models, false, false, "listeners");
  (*out)["discovery"] = {{"models", ModelsJson(r->models, true, false, "listeners")}, {"queries", r->discovery_queries}};
  (*out)["queries"] = r->queries;
  (*out)["listeners"] = r->listeners;
  (*out)["train_fraction"] = args.train_fraction;
  (*out)["dataset"] = {{"events", corpus.events()},
                       {"duplicate_events", corpus.duplicates()},
                       {"train_plays", train.plays},
                       {"train_engaged_plays", train.engaged}};
  if (args.json) return Status::Ok();
  std::cout << "retrieval on listening histories: " << r->listeners << " listeners, " << r->queries
            << " queries (engaged plays in the last " << Fixed(100 * (1 - args.train_fraction)) << "% of each "
            << "listener's time), " << r->discovery_queries << " of them discovery; baselines fitted on "
            << train.plays << " training plays\n";
  PrintTable("all next engaged tracks", r->models, false, false);
  PrintTable("discovery (tracks new to the listener)", r->models, true, false);
  return Status::Ok();
}

// Playlists of --playlists: baselines fitted on the training playlists, every retriever on the held-out
// ones. Fills the report's "playlists" and prints the table unless --json.
Status ReportPlaylists(const RetrievalArgs& args, const rec::RetrievalEvalOptions& options, const RetrieverList& extra,
                       Catalog* catalog, nlohmann::json* out) {
  std::vector<rec::PlaylistTracks> playlists;
  for (const std::string& path : args.playlists) {
    std::cerr << "reading " << path << "\n";
    Result<std::vector<rec::PlaylistTracks>> file = rec::ReadPlaylistFile(path, catalog);
    if (!file.ok()) return file.status();
    playlists.insert(playlists.end(), std::make_move_iterator(file->begin()), std::make_move_iterator(file->end()));
  }
  rec::RetrievalBaselines baselines(catalog);
  const size_t trained = rec::ForEachTrainingPlaylist(
      playlists, options, [&](const rec::PlaylistTracks& p) { baselines.ObservePlaylist(p.tracks, p.modified_at_ms); });
  const std::vector<const rec::Retriever*> retrievers = Evaluated(baselines, extra);
  Result<rec::PlaylistEvalReport> r = rec::EvaluatePlaylists(playlists, retrievers, options);
  if (!r.ok()) return r.status();
  (*out)["playlists"] = {{"models", ModelsJson(r->models, false, true, "playlists")},
                         {"queries", r->queries},
                         {"playlists", r->playlists},
                         {"train_playlists", trained},
                         {"targets", r->targets},
                         {"targets_in_training", r->targets_in_training},
                         {"holdout_fraction", args.holdout_fraction}};
  if (args.json) return Status::Ok();
  std::cout << "\nretrieval on playlists: " << r->playlists << " playlists, " << trained << " fitted on, "
            << r->queries << " held out (last " << Fixed(100 * args.holdout_fraction) << "% of their tracks to find: "
            << r->targets << " tracks, " << r->targets_in_training << " of them in some training playlist)\n";
  PrintTable("held-out playlist tracks", r->models, false, true);
  return Status::Ok();
}

int Run(const RetrievalArgs& args) {
  if (args.events.empty() && args.playlists.empty()) {
    std::cerr << "segue eval retrieval: give --events and/or --playlists\n";
    return 2;
  }
  if (!(args.train_fraction > 0 && args.train_fraction < 1) || !(args.holdout_fraction > 0 && args.holdout_fraction < 1)) {
    std::cerr << "segue eval retrieval: --train-fraction and --holdout-fraction must be in (0, 1)\n";
    return 2;
  }
  Catalog catalog;
  Result<RetrieverList> extra = RetrieverList{};
  rec::RetrievalEvalOptions options;
  options.train_fraction = args.train_fraction;
  options.holdout_fraction = args.holdout_fraction;
  options.bootstrap_resamples = args.bootstrap;
  options.progress = true;
  nlohmann::json out = {{"models", nlohmann::json::object()},
                        {"discovery", {{"models", nlohmann::json::object()}, {"queries", 0}}},
                        {"queries", 0}};
  Result<std::unique_ptr<rec::Ranker>> ranker = std::unique_ptr<rec::Ranker>();
  Status s = LoadCatalogFiles(args.catalogs, &catalog);
  if (s.ok()) {
    extra = ModelRetrievers(args.model_dir, &catalog);
    s = extra.status();
  }
  if (s.ok()) {
    ranker = LoadRanker(args, &catalog);
    s = ranker.status();
  }
  if (s.ok() && !args.events.empty()) s = ReportEvents(args, options, *extra, ranker->get(), &catalog, &out);
  if (s.ok() && !args.playlists.empty()) s = ReportPlaylists(args, options, *extra, &catalog, &out);
  if (!s.ok()) {
    std::cerr << "segue eval retrieval: " << s.message() << "\n";
    return 1;
  }
  if (args.json) std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace

void AddEvalRetrievalCommand(CLI::App* eval, CommandList& out) {
  auto args = std::make_shared<RetrievalArgs>();
  CLI::App* r = eval->add_subcommand(
      "retrieval",
      "Evaluate candidate retrieval (popularity, session-kNN, artist, own_history, blend, and the two-tower model "
      "of --model) on held-out listening (time split per listener) and held-out playlist tracks: Recall@10/50/100, "
      "NDCG@10, MRR, R-precision with bootstrap intervals; docs/models.md");
  r->add_option("--events", args->events, "Events NDJSON files (segue simulate / import / log export)")
      ->check(CLI::ExistingFile);
  r->add_option("--playlists", args->playlists,
                "Playlists: NDJSON of segue import mpd, or a CSV in the spotify_songs.csv layout")
      ->check(CLI::ExistingFile);
  r->add_option("--catalog", args->catalogs, "Track catalog NDJSON files (artists and genres of the tracks)")
      ->check(CLI::ExistingFile);
  r->add_option("--model", args->model_dir, "Two-tower retrieval bundle folder (segue train retrieval --out)")
      ->check(CLI::ExistingDirectory);
  r->add_option("--ranker", args->ranker_dir,
                "Ranker bundle folder (segue train ranker --out): also evaluates the blend re-ranked by it "
                "(\"blend+xgboost\") on the listening histories")
      ->check(CLI::ExistingDirectory);
  r->add_option("--ranker-candidates", args->ranker_pool, "Candidates of the blend the ranker re-ranks (the "
                "server's [recommend] candidates)")
      ->capture_default_str();
  r->add_option("--train-fraction", args->train_fraction, "Share of each listener's time the baselines fit on")
      ->capture_default_str();
  r->add_option("--holdout-fraction", args->holdout_fraction, "Share of a held-out playlist's tracks to find")
      ->capture_default_str();
  r->add_option("--bootstrap", args->bootstrap, "Bootstrap resamples over listeners/playlists for the 95% intervals")
      ->capture_default_str();
  r->add_flag("--json", args->json, "Print one JSON object on stdout (progress stays on stderr)");
  out.push_back({r, [args] { return Run(*args); }});
}

}  // namespace segue::cli
