// The server's side of the feedback collector (feedback/feedback_collector.h): it exists from the
// start so LiveScoring can be given it as an event observer (and the sessions restore, which replays the
// log tail after the snapshot through it), opens the collector in <data_dir>/feedback (kOutcomesSubdir)
// before the recommender (which records impressions to it), and closes it on shutdown (persisting the
// impressions still queued). Its metrics are the collector's (segue_feedback_*).
// Thread-safety: Open, AddObserver, Flush and Close from the application's thread; OnEventApplied from
// the restore and then the pipeline workers, between Open and Close (as the collector's).
#pragma once

#include <memory>
#include <string>

#include "common/metrics.h"
#include "common/status.h"
#include "feedback/feedback_collector.h"
#include "session/event_observer.h"

namespace segue::serving {

class FeedbackComponent : public EventObserver {
 public:
  // `session_timeout_ms`: the tracker's, which also ends an attributed play.
  FeedbackComponent(feedback::FeedbackOptions options, int64_t session_timeout_ms);

  Status Open(const std::string& data_dir, metrics::Registry& registry);
  // Reports the outcomes decided so far (after their WAL sync).
  void Flush() { collector_->Flush(); }
  void Close() { collector_.reset(); }

  // Valid after Open: where the recommender's impressions go, and who hears of outcomes.
  impressions::ImpressionSink* impressions() { return collector_.get(); }
  void AddObserver(feedback::OutcomeObserver* observer) { collector_->AddObserver(observer); }

  void OnEventApplied(const LoggedEvent& event, const ApplyOutcome& outcome) override {
    collector_->OnEventApplied(event, outcome);
  }

 private:
  feedback::FeedbackOptions options_;
  std::unique_ptr<feedback::FeedbackCollector> collector_;
};

}  // namespace segue::serving
