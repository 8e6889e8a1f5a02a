// The part of a live session the session-based retrievers condition on: its latest plays the listener
// engaged with or is still playing (skips say "not this", so they are left out), newest first, each
// with a recency weight decay^age (1 for the newest). Session-kNN, the session-genre popularity and the
// artist retriever all read the session through this one function.
// Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "session/session_state.h"

namespace segue::recommend {

struct ContextPlay {
  uint32_t track = 0;
  float weight = 0;
};

// Empty for a null session. At most `max_plays` entries; a track repeated in the session appears once
// per play.
std::vector<ContextPlay> RecentContext(const SessionState* session, size_t max_plays, float decay);

}  // namespace segue::recommend
