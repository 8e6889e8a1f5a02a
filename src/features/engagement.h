// The "engaged play" rule of the recommender: a play counts as the listener engaging with the track
// when it was completed or listened to for at least kEngagedDwellMs. It labels the two-tower model's
// training positives and the retrieval evaluation's relevant items, so both must call this one
// function: a second copy of the rule would let training and evaluation drift apart.
// Thread-safety: pure function.
#pragma once

#include <cstdint>

#include "session/session_state.h"

namespace segue {

inline constexpr uint32_t kEngagedDwellMs = 30'000;

// True when `play` ended completed, or its dwell (time actually listened) reached kEngagedDwellMs.
// An ongoing play counts once its dwell so far reaches the threshold.
inline bool IsEngagedPlay(const PlayRecord& play) {
  return play.end == PlayEnd::kCompleted || play.dwell_ms >= kEngagedDwellMs;
}

}  // namespace segue
