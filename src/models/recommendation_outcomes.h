// Feedback outcomes (feedback/outcome.h) as training labels: which plays of the log were of a recommended
// track, and what the feedback collector decided about them. Only play outcomes (listened, completed,
// skipped) name a track; the others (ignored, search, exit) are not kept.
// A play matches an outcome when the listener and the track agree and the play starts within
// [impression_ts_ms, ts_ms] of the outcome (from the impression to the event that decided it).
// Where they come from: OutcomeStore::ExportAll (wt/feedback) or, in tests, hand-made outcomes.
// Thread-safety: Add from one thread; Find concurrently once filled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feedback/outcome.h"

namespace segue {

class RecommendationOutcomes {
 public:
  void Add(const feedback::Outcome& outcome);
  std::optional<feedback::OutcomeKind> Find(std::string_view user, std::string_view track, int64_t play_ts_ms) const;
  size_t size() const { return size_; }

 private:
  struct Window {
    int64_t from_ms = 0, to_ms = 0;
    feedback::OutcomeKind kind = feedback::OutcomeKind::kIgnored;
  };
  std::unordered_map<std::string, std::vector<Window>> plays_;  // key: user_id '\n' track_id
  size_t size_ = 0;
};

}  // namespace segue
