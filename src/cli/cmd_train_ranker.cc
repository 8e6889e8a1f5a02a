// `segue train ranker`: the XGBoost re-ranker of the recommender's ranking stage (docs/models.md,
// "Re-ranker"). Reads listening histories and track catalogs, fits the served retriever (the blend) on
// the plays before --fit-fraction of each listener's time, builds the examples from the plays in
// [--fit-fraction, --train-fraction) (recommend/ranker_training.h), fits the model and writes a ranker
// bundle (recommend/ranker_bundle.h). With the same --train-fraction as `segue eval retrieval` (0.8),
// `segue eval retrieval --ranker DIR` measures it on plays it never saw. --outcomes reads a server's
// feedback outcomes (<data_dir>/feedback) as stronger labels (recommend/ranker_training.h, "Feedback").
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "cli/commands.h"
#include "cli/dataset_flags.h"
#include "cli/feedback_outcomes.h"
#include "recommend/ranker_bundle.h"
#include "recommend/ranker_training.h"
#include "recommend/retrieval_baselines.h"
#include "recommend/retrieval_eval.h"

namespace segue::cli {
namespace {

namespace rec = segue::recommend;

struct RankerArgs {
  std::vector<std::string> events, catalogs;
  std::string out;
  std::string outcomes_dir;
  rec::RankerTrainingOptions options;
  bool json = false;
};

int Fail(const std::string& message, int code = 1) {
  std::cerr << "segue train ranker: " << message << "\n";
  return code;
}

int Run(RankerArgs args) {
  rec::RankerTrainingOptions& o = args.options;
  if (!(o.fit_fraction > 0 && o.fit_fraction < o.replay.train_fraction && o.replay.train_fraction <= 1)) {
    return Fail("need 0 < --fit-fraction < --train-fraction <= 1", 2);
  }
  o.replay.progress = true;
  RecommendationOutcomes outcomes;
  if (!args.outcomes_dir.empty()) {
    if (Status s = ReadFeedbackOutcomes(args.outcomes_dir, &outcomes); !s.ok()) {
      return Fail("--outcomes " + args.outcomes_dir + ": " + s.message());
    }
    std::cerr << "feedback " << args.outcomes_dir << ": " << outcomes.size() << " play outcomes\n";
    o.outcomes = &outcomes;
  }
  Catalog catalog;
  if (Status s = LoadCatalogFiles(args.catalogs, &catalog); !s.ok()) return Fail(s.message());
  Result<std::vector<Event>> events = ReadEventFiles(args.events);
  if (!events.ok()) return Fail(events.status().message());
  const rec::HistoryCorpus corpus(std::move(*events));
  rec::RetrievalBaselines baselines(&catalog);
  rec::RetrievalEvalOptions fit = o.replay;
  fit.train_fraction = o.fit_fraction;
  const rec::TrainingSummary fitted = rec::ReplayTrainingPart(
      corpus, &catalog, fit, [&](const SessionState& s, const PlayRecord& p) { baselines.ObservePlay(s, p); });
  const rec::RankerExamples examples = rec::BuildRankerExamples(corpus, &catalog, baselines.blend(), o);
  std::cerr << "examples: " << examples.size() << " from " << examples.retrieved << " of " << examples.queries
            << " plays (the played track among the blend's top " << o.candidates << ")\n";
  if (o.outcomes != nullptr) {
    std::cerr << "feedback: " << examples.outcome_positives << " engaged and " << examples.outcome_negatives
              << " skipped plays of recommendations counted twice\n";
  }
  Result<rec::TrainedRanker> trained = rec::TrainRanker(examples, o);
  if (!trained.ok()) return Fail(trained.status().message());
  trained->metrics["blend_fit_plays"] = fitted.plays;
  if (Status s = rec::WriteRankerBundle(args.out, trained->booster, o.replay.train_fraction, trained->metrics);
      !s.ok()) {
    return Fail(s.message());
  }
  if (args.json) {
    std::cout << trained->metrics.dump() << "\n";
  } else {
    std::cout << "ranker bundle " << args.out << ": " << examples.size() << " examples from " << corpus.listeners()
              << " listeners; validation ROC-AUC " << trained->metrics["validation"]["roc_auc"].dump() << " on "
              << trained->metrics["validation"]["examples"].dump() << " examples\n";
  }
  return 0;
}

}  // namespace

void AddTrainRankerCommand(CLI::App* train, CommandList& out) {
  auto args = std::make_shared<RankerArgs>();
  rec::RankerTrainingOptions& o = args->options;
  CLI::App* r = train->add_subcommand(
      "ranker",
      "Train the XGBoost re-ranker of the recommender's ranking stage (engaged plays against skipped plays and "
      "candidates not played, among the blend's top --candidates) and write a ranker bundle; docs/models.md");
  r->add_option("--events", args->events, "Events NDJSON files (segue simulate / import / log export)")
      ->required()
      ->check(CLI::ExistingFile);
  r->add_option("--catalog", args->catalogs, "Track catalog NDJSON files (artists, genres, popularity)")
      ->check(CLI::ExistingFile);
  r->add_option("--out", args->out, "Bundle folder to create (immutable: a new version each time)")->required();
  r->add_option("--train-fraction", o.replay.train_fraction,
                "Examples come from plays before this share of each listener's time (segue eval retrieval's split)")
      ->capture_default_str();
  r->add_option("--fit-fraction", o.fit_fraction,
                "The blend is fitted on plays before this share; examples start there")
      ->capture_default_str();
  r->add_option("--candidates", o.candidates, "Blend candidates per play (the server's [recommend] candidates)")
      ->capture_default_str();
  r->add_option("--negatives", o.negatives, "Candidates the listener did not play, sampled per play as negatives")
      ->capture_default_str();
  r->add_option("--outcomes", args->outcomes_dir,
                "A server's feedback outcomes (<data_dir>/feedback): plays they confirm count twice");
  r->add_option("--rounds", o.params.rounds, "Boosting rounds")->capture_default_str();
  r->add_option("--max-depth", o.params.max_depth, "Tree depth")->capture_default_str();
  r->add_option("--seed", o.seed, "Seed of the negative sampling")->capture_default_str();
  r->add_flag("--json", args->json, "Print the bundle's metrics.json on stdout (progress stays on stderr)");
  out.push_back({r, [args] { return Run(*args); }});
}

}  // namespace segue::cli
