#include "serving/feedback_component.h"

namespace segue::serving {

FeedbackComponent::FeedbackComponent(feedback::FeedbackOptions options, int64_t session_timeout_ms)
    : options_(std::move(options)) {
  options_.attribution.session_timeout_ms = session_timeout_ms;
}

Status FeedbackComponent::Open(const std::string& data_dir, metrics::Registry& registry) {
  options_.dir = data_dir + "/" + feedback::kOutcomesSubdir;
  Result<std::unique_ptr<feedback::FeedbackCollector>> opened = feedback::FeedbackCollector::Open(options_, registry);
  if (!opened.ok()) return opened.status();
  collector_ = std::move(*opened);
  return Status::Ok();
}

}  // namespace segue::serving
