// The "engaged play" rule: a play the listener engaged with is one they completed or listened to for
// at least kEngagedDwellMs. It is the positive of the retrieval models' training pairs (issue #10 §3),
// the target of `segue eval retrieval`'s queries and what the popularity baselines count, so every
// part of the recommender calls this one function instead of restating the threshold.
// Pure function; thread-safe.
#pragma once

#include <cstdint>

#include "session/session_state.h"

namespace segue {

// 30 s: the threshold streaming services use to count a play as a stream.
inline constexpr uint32_t kEngagedDwellMs = 30'000;

inline bool IsEngagedPlay(const PlayRecord& play) {
  return play.end == PlayEnd::kCompleted || play.dwell_ms >= kEngagedDwellMs;
}

}  // namespace segue
