// Outcome: what a listener did after an impression (impressions/impression.h), as the feedback collector
// (feedback/feedback_collector.h) attributes it. The training side reads outcomes as labels (engaged
// recommendations are positives, skipped ones hard negatives); experiments and metrics count them.
//
// Kinds, for one impression (rec_id) and, for play outcomes, one of its tracks:
//   listened   a recommended track was played for at least 30 s and then left (not completed)
//   completed  a recommended track was played to the end
//   skipped    a recommended track was played and skipped before 30 s
//   ignored    the attribution window passed with no recommended track played
//   search     the listener searched within the window before playing any recommended track
//   exit       the listener exited within the window before playing any recommended track
// A play is attributed when it carries the impression's rec_id (context.rec_id), or when it plays one of
// the impression's tracks within the window. Times are event times (the listener's own clock).
// Plain values; OutcomeObserver's contract is below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace segue::feedback {

enum class OutcomeKind : uint8_t { kListened, kCompleted, kSkipped, kIgnored, kSearch, kExit };
inline constexpr int kOutcomeKinds = 6;

// "listened", "completed", "skipped", "ignored", "search", "exit".
std::string_view OutcomeKindName(OutcomeKind kind);
std::optional<OutcomeKind> ParseOutcomeKind(std::string_view name);

// True for the kinds that count as engagement with the recommendation (listened, completed).
inline bool IsEngaged(OutcomeKind kind) { return kind == OutcomeKind::kListened || kind == OutcomeKind::kCompleted; }

struct Outcome {
  std::string rec_id;
  std::string user_id;
  std::string track_id;          // the recommended track played; empty for ignored, search and exit
  OutcomeKind kind = OutcomeKind::kIgnored;
  bool pushed = false;           // the impression was a push (a trigger's), not a response to a request
  int64_t impression_ts_ms = 0;  // event time of the impression (the listener's clock when it was made)
  int64_t ts_ms = 0;             // event time of the event that decided the outcome (window end: ignored)
  int64_t listened_ms = 0;       // how long the track played (play outcomes), else 0
  uint64_t seq = 0;              // log seq of the deciding event; 0 for ignored (decided by the clock)
};

// Who else learns of outcomes (experiment statistics, metrics). OnOutcome is called exactly once per
// outcome, when it is first stored: an outcome re-derived while the log tail is replayed after a restart
// is recognised as stored and not reported again. It runs in FeedbackCollector::Flush, one call at a time,
// after the WAL sync that made the outcome durable: in the server on the collector's background thread,
// not on a pipeline worker. Keep it short.
class OutcomeObserver {
 public:
  virtual ~OutcomeObserver() = default;
  virtual void OnOutcome(const Outcome& outcome) = 0;
};

}  // namespace segue::feedback
