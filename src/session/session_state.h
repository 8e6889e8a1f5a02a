// Per-listener short-term state: what the session tracker keeps for each active listener, and what the
// feature code (src/features) reads. Hot and flat by design (hnswlib's lesson): a play is a 24-byte POD
// in a contiguous ring, track ids are interned to uint32, so an active session stays well under 2 KB.
// Plain data; the tracker (session_tracker.h) owns synchronisation.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace segue {

// How a play ended. Stored in snapshots: append only.
enum class PlayEnd : uint8_t {
  kOngoing = 0,      // still the current track
  kCompleted = 1,    // a `complete` event
  kSkipped = 2,      // a `skip` event
  kReplaced = 3,     // another `play` started without the previous one ending (manual change)
  kExited = 4,       // an `exit` event while it was current
  kTimedOut = 5,     // the session timed out while it was current
};

enum class PlayState : uint8_t { kIdle = 0, kPlaying = 1, kPaused = 2 };

// Bits of PlayRecord::flags.
enum PlayFlag : uint8_t {
  kPlayFromRecommendation = 1 << 0,  // context.rec_id was set
  kPlayShuffle = 1 << 1,
  kPlayAfterSearch = 1 << 2,  // a search happened between the previous play and this one
  kPlayLiked = 1 << 3,
  kPlayDisliked = 1 << 4,
  // The play event said how it was played (device, source or shuffle). Full clients and extended / MSSD
  // exports do; Spotify's basic exports carry no context (and no pauses, searches or real skips), so the
  // share of such plays tells the model which kind of stream it is reading.
  kPlayContextReported = 1 << 5,
};

struct PlayRecord {
  uint32_t track = 0;            // interned id (TrackInterner); 0 is reserved for "unknown"
  uint32_t start_offset_ms = 0;  // start, relative to SessionState::start_ms
  uint32_t dwell_ms = 0;         // time actually listened (pauses excluded)
  uint32_t gap_ms = 0;           // time between the previous play's end and this start (0 for the first)
  uint32_t duration_ms = 0;      // track length from the catalog; 0 when unknown
  PlayEnd end = PlayEnd::kOngoing;
  uint8_t flags = 0;             // PlayFlag bits
  uint8_t pauses = 0;            // saturating
  uint8_t seeks = 0;             // saturating

  bool skipped() const { return end == PlayEnd::kSkipped; }
  bool operator==(const PlayRecord&) const = default;
};
static_assert(sizeof(PlayRecord) == 24, "PlayRecord is part of the memory budget");

struct SessionCounters {
  uint32_t plays = 0;
  uint32_t skips = 0;
  uint32_t consecutive_skips = 0;
  uint32_t completes = 0;
  uint32_t pauses = 0;
  uint32_t seeks = 0;
  uint32_t searches = 0;
  uint32_t likes = 0;
  uint32_t dislikes = 0;
  uint32_t late_events = 0;  // arrived older than the reorder tolerance (see session_tracker.h)

  bool operator==(const SessionCounters&) const = default;
};

// Long-term listener profile, updated when a session ends; survives session eviction.
struct UserProfile {
  uint32_t sessions = 0;
  uint64_t plays = 0;
  uint64_t skips = 0;
  float mean_session_plays = 0;     // running mean
  float mean_session_minutes = 0;   // running mean
  std::array<uint32_t, 4> top_artists{};  // interned artist ids (Catalog), most played first; 0 = none
  // Space-saving counts behind top_artists (plays credited to each), and one interned track by each
  // artist: snapshots persist that track's id string, because interned artist ids are process-local.
  std::array<uint32_t, 4> top_artist_plays{};
  std::array<uint32_t, 4> top_artist_track{};
  std::array<float, 8> genre_share{};     // share of plays per coarse genre bucket (see features)
  int64_t last_session_end_ms = 0;        // event time of the last event of the last finished session

  float skip_rate() const { return plays ? static_cast<float>(skips) / static_cast<float>(plays) : 0.f; }
  bool operator==(const UserProfile&) const = default;
};

struct SessionState {
  std::string user_id;
  uint64_t session_number = 0;  // 1 for the listener's first session, +1 per new session
  int64_t start_ms = 0;         // first event of this session (event time)
  int64_t last_event_ms = 0;    // latest event time seen in this session
  uint64_t last_seq = 0;        // log sequence of the last applied event
  PlayState play_state = PlayState::kIdle;
  bool ended = false;           // an `exit` ended the session; the next event starts a new one
  bool search_pending = false;  // a search since the last play started: the next play gets kPlayAfterSearch
  uint32_t position_ms = 0;     // last reported playback position of the current track
  int64_t current_started_ms = 0;  // event time the current play (or its last resume) began counting dwell
  int64_t last_play_end_ms = 0;    // event time the previous play of this session ended (for gap_ms)
  SessionCounters counters;
  // The last N plays, oldest first (capacity set by the tracker, default 64). The current play, if any,
  // is plays.back() with end == kOngoing.
  std::vector<PlayRecord> plays;
  UserProfile profile;

  const PlayRecord* current() const {
    return !plays.empty() && plays.back().end == PlayEnd::kOngoing ? &plays.back() : nullptr;
  }
  bool operator==(const SessionState&) const = default;
};

}  // namespace segue
