#include "recommend/ranker_training.h"

#include <algorithm>
#include <optional>
#include <random>

#include "common/hash.h"
#include "features/engagement.h"
#include "models/bundle_files.h"
#include "models/metrics.h"
#include "recommend/ranker_features.h"

namespace segue::recommend {
namespace {

// 1 engaged, 0 skipped or replaced early, -1 no verdict on the track.
int LabelOf(const PlayRecord& play) {
  if (IsEngagedPlay(play)) return 1;
  return play.end == PlayEnd::kSkipped || play.end == PlayEnd::kReplaced ? 0 : -1;
}

class ExampleBuilder {
 public:
  ExampleBuilder(const Catalog& catalog, const Retriever& served, const RankerTrainingOptions& options,
                 RankerExamples* out)
      : catalog_(catalog), served_(served), options_(options), out_(*out), rng_(options.seed) {}

  void Add(const PlayQuery& q) {
    const int label = LabelOf(q.play);
    if (label < 0) return;
    ++out_.queries;
    if (!served_.Retrieve(q.query, options_.candidates, &candidates_).ok()) return;
    auto played = std::find_if(candidates_.begin(), candidates_.end(),
                               [&](const Candidate& c) { return c.track == q.play.track; });
    if (played == candidates_.end()) return;
    ++out_.retrieved;
    RankerFeatures(catalog_, q.query, candidates_, &features_);
    const bool held = options_.holdout_modulus > 0 && Fnv1a64(q.query.user_id) % options_.holdout_modulus == 0;
    const size_t played_index = static_cast<size_t>(played - candidates_.begin());
    Push(played_index, static_cast<uint8_t>(label), held);
    (label == 1 ? out_.played_positives : out_.played_negatives) += 1;
    if (!held && ConfirmedByOutcome(q, label)) {
      Push(played_index, static_cast<uint8_t>(label), held);
      (label == 1 ? out_.outcome_positives : out_.outcome_negatives) += 1;
    }
    for (size_t i : SampleOthers(played_index)) Push(i, 0, held), ++out_.sampled_negatives;
  }

 private:
  // An outcome attributes the play to a recommendation and agrees with its label.
  bool ConfirmedByOutcome(const PlayQuery& q, int label) const {
    if (options_.outcomes == nullptr) return false;
    const std::optional<feedback::OutcomeKind> kind =
        options_.outcomes->Find(q.query.user_id, catalog_.TrackIdOf(q.play.track), q.query.now_ms);
    return kind && (label == 1 ? feedback::IsEngaged(*kind) : *kind == feedback::OutcomeKind::kSkipped);
  }

  std::vector<size_t> SampleOthers(size_t played_index) {
    std::vector<size_t> others;
    for (size_t i = 0; i < candidates_.size(); ++i) {
      if (i != played_index) others.push_back(i);
    }
    std::shuffle(others.begin(), others.end(), rng_);
    if (others.size() > options_.negatives) others.resize(options_.negatives);
    return others;
  }

  void Push(size_t index, uint8_t label, bool held) {
    const float* row = features_.data() + index * kRankerFeatureCount;
    out_.rows.insert(out_.rows.end(), row, row + kRankerFeatureCount);
    out_.labels.push_back(label);
    out_.held_out.push_back(held ? 1 : 0);
  }

  const Catalog& catalog_;
  const Retriever& served_;
  const RankerTrainingOptions& options_;
  RankerExamples& out_;
  std::mt19937_64 rng_;
  std::vector<Candidate> candidates_;
  std::vector<float> features_;
};

// The rows and labels of the examples whose held_out flag is `held`.
void Select(const RankerExamples& e, bool held, std::vector<float>* rows, std::vector<uint8_t>* labels) {
  for (size_t i = 0; i < e.size(); ++i) {
    if ((e.held_out[i] != 0) != held) continue;
    rows->insert(rows->end(), e.rows.begin() + static_cast<std::ptrdiff_t>(i * kRankerFeatureCount),
                 e.rows.begin() + static_cast<std::ptrdiff_t>((i + 1) * kRankerFeatureCount));
    labels->push_back(e.labels[i]);
  }
}

}  // namespace

RankerExamples BuildRankerExamples(const HistoryCorpus& corpus, Catalog* catalog, const Retriever& served,
                                   const RankerTrainingOptions& options) {
  RankerExamples out;
  out.listeners = corpus.listeners();
  ExampleBuilder builder(*catalog, served, options, &out);
  ForEachPlayQuery(corpus, catalog, options.replay, options.fit_fraction, options.replay.train_fraction,
                   [&](const PlayQuery& q) { builder.Add(q); });
  return out;
}

Result<TrainedRanker> TrainRanker(const RankerExamples& examples, const RankerTrainingOptions& options) {
  std::vector<float> fit_rows, valid_rows;
  std::vector<uint8_t> fit_labels, valid_labels;
  Select(examples, false, &fit_rows, &fit_labels);
  Select(examples, true, &valid_rows, &valid_labels);
  Result<XgbBooster> booster =
      XgbBooster::Fit({fit_rows.data(), fit_labels.size(), kRankerFeatureCount}, fit_labels, options.params);
  if (!booster.ok()) return booster.status();
  std::vector<float> valid_scores;
  if (Status s = booster->Predict({valid_rows.data(), valid_labels.size(), kRankerFeatureCount}, &valid_scores);
      !s.ok()) {
    return s;
  }
  const auto positives = [](const std::vector<uint8_t>& l) { return std::count(l.begin(), l.end(), 1); };
  nlohmann::json metrics = {
      {"listeners", examples.listeners},
      {"queries", examples.queries},
      {"retrieved", examples.retrieved},
      {"examples", examples.size()},
      {"played_positives", examples.played_positives},
      {"played_negatives", examples.played_negatives},
      {"sampled_negatives", examples.sampled_negatives},
      {"outcomes",
       {{"play_outcomes", options.outcomes != nullptr ? options.outcomes->size() : 0},
        {"doubled_positives", examples.outcome_positives},
        {"doubled_negatives", examples.outcome_negatives}}},
      {"fit", {{"examples", fit_labels.size()}, {"positives", positives(fit_labels)}}},
      {"validation",
       {{"examples", valid_labels.size()},
        {"positives", positives(valid_labels)},
        {"roc_auc", FiniteOrNull(RocAuc(valid_scores, valid_labels))}}},
      {"options",
       {{"fit_fraction", options.fit_fraction},
        {"train_fraction", options.replay.train_fraction},
        {"candidates", options.candidates},
        {"negatives", options.negatives},
        {"holdout_modulus", options.holdout_modulus},
        {"rounds", options.params.rounds},
        {"max_depth", options.params.max_depth},
        {"eta", options.params.eta}}}};
  return TrainedRanker{std::move(*booster), std::move(metrics)};
}

}  // namespace segue::recommend
