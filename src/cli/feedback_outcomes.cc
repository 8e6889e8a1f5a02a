#include "cli/feedback_outcomes.h"

#include "feedback/outcome_store.h"

namespace segue::cli {

Status ReadFeedbackOutcomes(const std::string& dir, RecommendationOutcomes* out) {
  return feedback::OutcomeStore::ExportAll(dir, [out](const feedback::Outcome& o) {
    out->Add(o);
    return true;
  });
}

}  // namespace segue::cli
