#include "session/session_codec.h"

#include <bit>
#include <cstring>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "session/session_tracker.h"

namespace segue {
namespace {

constexpr std::string_view kMagic = "SGSC";
constexpr size_t kHeaderSize = 4 + 4 + 8;  // magic, version, track table offset
static_assert(std::endian::native == std::endian::little, "the chunk format is little-endian");

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  template <typename T>
  void Put(T v) {
    static_assert(std::is_arithmetic_v<T>);
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out_->append(buf, sizeof(T));
  }
  void PutString(std::string_view s) {
    const auto n = static_cast<uint16_t>(std::min<size_t>(s.size(), UINT16_MAX));
    Put(n);
    out_->append(s.data(), n);
  }

 private:
  std::string* out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  bool Get(T* v) {
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool GetString(std::string* s) {
    uint16_t n = 0;
    if (!Get(&n) || in_.size() < n) return false;
    s->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

// Interned track → index in the chunk's track table (index 0 = unknown track).
class TrackTable {
 public:
  explicit TrackTable(const Catalog& catalog) : catalog_(catalog) { ids_.emplace_back(); }
  uint32_t Index(uint32_t interned) {
    if (interned == 0) return 0;
    auto [it, inserted] = index_.try_emplace(interned, static_cast<uint32_t>(ids_.size()));
    if (inserted) ids_.push_back(catalog_.TrackIdOf(interned));
    return it->second;
  }
  const std::vector<std::string>& ids() const { return ids_; }

 private:
  const Catalog& catalog_;
  std::unordered_map<uint32_t, uint32_t> index_;
  std::vector<std::string> ids_;
};

void EncodeProfile(const UserProfile& p, TrackTable& tracks, Writer& w) {
  w.Put(p.sessions);
  w.Put(p.plays);
  w.Put(p.skips);
  w.Put(p.mean_session_plays);
  w.Put(p.mean_session_minutes);
  for (size_t i = 0; i < p.top_artists.size(); ++i) {
    w.Put(p.top_artists[i] != 0 ? tracks.Index(p.top_artist_track[i]) : 0u);
    w.Put(p.top_artist_plays[i]);
  }
  for (float g : p.genre_share) w.Put(g);
  w.Put(p.last_session_end_ms);
}

void EncodeSession(const SessionState& s, TrackTable& tracks, Writer& w) {
  w.PutString(s.user_id);
  w.Put(s.session_number);
  w.Put(s.start_ms);
  w.Put(s.last_event_ms);
  w.Put(s.last_seq);
  w.Put(static_cast<uint8_t>(s.play_state));
  w.Put(static_cast<uint8_t>(s.ended));
  w.Put(static_cast<uint8_t>(s.search_pending));
  w.Put(s.position_ms);
  w.Put(s.current_started_ms);
  w.Put(s.last_play_end_ms);
  const SessionCounters& c = s.counters;
  for (uint32_t v : {c.plays, c.skips, c.consecutive_skips, c.completes, c.pauses, c.seeks, c.searches, c.likes,
                     c.dislikes, c.late_events}) {
    w.Put(v);
  }
  w.Put(static_cast<uint32_t>(s.plays.size()));
  for (const PlayRecord& r : s.plays) {
    w.Put(tracks.Index(r.track));
    w.Put(r.start_offset_ms);
    w.Put(r.dwell_ms);
    w.Put(r.gap_ms);
    w.Put(r.duration_ms);
    w.Put(static_cast<uint8_t>(r.end));
    w.Put(r.flags);
    w.Put(r.pauses);
    w.Put(r.seeks);
  }
  EncodeProfile(s.profile, tracks, w);
}

// Decoding resolves track-table indices to interned ids of the restoring process.
class ChunkDecoder {
 public:
  ChunkDecoder(std::string_view chunk, Catalog& catalog, uint32_t max_plays)
      : chunk_(chunk), r_(chunk), catalog_(catalog), max_plays_(max_plays) {}

  Status Decode(std::vector<SessionState>* sessions, std::vector<std::pair<std::string, UserProfile>>* profiles) {
    std::string magic(kMagic.size(), '\0');
    for (char& c : magic) {
      if (!r_.Get(&c)) return Bad("truncated header");
    }
    if (magic != kMagic) return Bad("bad magic");
    uint32_t version = 0;
    if (!r_.Get(&version)) return Bad("truncated header");
    if (version != kSessionCodecVersion) return Bad("unsupported version " + std::to_string(version));
    uint64_t table_offset = 0;
    if (!r_.Get(&table_offset)) return Bad("truncated header");
    if (table_offset < kHeaderSize || table_offset > chunk_.size()) return Bad("track table offset out of range");
    Reader table(chunk_.substr(table_offset));
    r_ = Reader(chunk_.substr(kHeaderSize, table_offset - kHeaderSize));
    uint32_t n = 0;
    if (!table.Get(&n)) return Bad("truncated track table");
    // Every entry takes at least its u16 length. A count the bytes cannot hold is corruption and must not
    // size an allocation (fuzz/session_codec: a count of 4G reserved 16 GB and aborted the restore).
    if (n > (chunk_.size() - table_offset) / sizeof(uint16_t)) return Bad("track table count exceeds the chunk");
    tracks_.reserve(n);
    std::string id;
    for (uint32_t i = 0; i < n; ++i) {
      if (!table.GetString(&id)) return Bad("truncated track table");
      tracks_.push_back(i == 0 ? 0 : catalog_.InternTrack(id));
    }
    if (!table.done()) return Bad("trailing bytes after the track table");
    if (!r_.Get(&n)) return Bad("truncated session count");
    for (uint32_t i = 0; i < n; ++i) {
      SessionState s;
      if (Status st = DecodeSession(&s); !st.ok()) return st;
      sessions->push_back(std::move(s));
    }
    if (!r_.Get(&n)) return Bad("truncated profile count");
    for (uint32_t i = 0; i < n; ++i) {
      std::pair<std::string, UserProfile> p;
      if (!r_.GetString(&p.first)) return Bad("truncated profile user");
      if (Status st = DecodeProfile(&p.second); !st.ok()) return st;
      profiles->push_back(std::move(p));
    }
    if (!r_.done()) return Bad("trailing bytes before the track table");
    return Status::Ok();
  }

 private:
  static Status Bad(std::string what) { return Status::Corruption("session snapshot chunk: " + what); }

  bool Track(uint32_t* interned) {
    uint32_t idx = 0;
    if (!r_.Get(&idx) || idx >= tracks_.size()) return false;
    *interned = tracks_[idx];
    return true;
  }

  Status DecodeProfile(UserProfile* p) {
    bool ok = r_.Get(&p->sessions) && r_.Get(&p->plays) && r_.Get(&p->skips) && r_.Get(&p->mean_session_plays) &&
              r_.Get(&p->mean_session_minutes);
    size_t kept = 0;
    for (size_t i = 0; ok && i < p->top_artists.size(); ++i) {
      uint32_t track = 0, plays = 0;
      ok = Track(&track) && r_.Get(&plays);
      const uint32_t artist = track != 0 ? catalog_.Meta(track).artist : 0;
      if (!ok || artist == 0) continue;
      p->top_artists[kept] = artist;
      p->top_artist_plays[kept] = plays;
      p->top_artist_track[kept] = track;
      ++kept;
    }
    for (float& g : p->genre_share) ok = ok && r_.Get(&g);
    ok = ok && r_.Get(&p->last_session_end_ms);
    return ok ? Status::Ok() : Bad("truncated or invalid profile");
  }

  Status DecodeSession(SessionState* s) {
    uint8_t play_state = 0, ended = 0, search_pending = 0;
    if (!(r_.GetString(&s->user_id) && r_.Get(&s->session_number) && r_.Get(&s->start_ms) &&
          r_.Get(&s->last_event_ms) && r_.Get(&s->last_seq) && r_.Get(&play_state) && r_.Get(&ended) &&
          r_.Get(&search_pending) && r_.Get(&s->position_ms) && r_.Get(&s->current_started_ms) &&
          r_.Get(&s->last_play_end_ms))) {
      return Bad("truncated session");
    }
    if (s->user_id.empty()) return Bad("session with an empty user_id");
    if (play_state > static_cast<uint8_t>(PlayState::kPaused)) return Bad("invalid play_state of " + s->user_id);
    s->play_state = static_cast<PlayState>(play_state);
    s->ended = ended != 0;
    s->search_pending = search_pending != 0;
    SessionCounters& c = s->counters;
    for (uint32_t* v : {&c.plays, &c.skips, &c.consecutive_skips, &c.completes, &c.pauses, &c.seeks, &c.searches,
                        &c.likes, &c.dislikes, &c.late_events}) {
      if (!r_.Get(v)) return Bad("truncated counters of " + s->user_id);
    }
    uint32_t n = 0;
    if (!r_.Get(&n)) return Bad("truncated plays of " + s->user_id);
    const uint32_t skip = n > max_plays_ ? n - max_plays_ : 0;  // keep the newest when the ring is smaller now
    s->plays.reserve(n - skip);
    for (uint32_t i = 0; i < n; ++i) {
      PlayRecord r;
      uint8_t end = 0;
      if (!(Track(&r.track) && r_.Get(&r.start_offset_ms) && r_.Get(&r.dwell_ms) && r_.Get(&r.gap_ms) &&
            r_.Get(&r.duration_ms) && r_.Get(&end) && r_.Get(&r.flags) && r_.Get(&r.pauses) && r_.Get(&r.seeks))) {
        return Bad("truncated or invalid play of " + s->user_id);
      }
      if (end > static_cast<uint8_t>(PlayEnd::kTimedOut)) return Bad("invalid play end of " + s->user_id);
      r.end = static_cast<PlayEnd>(end);
      if (i >= skip) s->plays.push_back(r);
    }
    return DecodeProfile(&s->profile);
  }

  std::string_view chunk_;
  Reader r_;
  Catalog& catalog_;
  uint32_t max_plays_;
  std::vector<uint32_t> tracks_;
};

// One pass into `out` (reusing its capacity): the track table is only complete after the sessions and
// profiles, so it goes last and the header's offset field is patched at the end. `for_sessions(emit)` and
// `for_profiles(emit)` call emit once per session / (user, profile) to encode.
template <typename ForSessions, typename ForProfiles>
size_t EncodeChunk(const Catalog& catalog, std::string* out, ForSessions for_sessions, ForProfiles for_profiles) {
  out->clear();
  Writer w(out);
  out->append(kMagic);
  w.Put(kSessionCodecVersion);
  const size_t offset_at = out->size();
  w.Put(uint64_t{0});
  TrackTable tracks(catalog);
  uint32_t sessions = 0;
  const size_t sessions_at = out->size();
  w.Put(sessions);
  for_sessions([&](const SessionState& s) {
    EncodeSession(s, tracks, w);
    ++sessions;
  });
  std::memcpy(out->data() + sessions_at, &sessions, sizeof(sessions));
  uint32_t profiles = 0;
  const size_t profiles_at = out->size();
  w.Put(profiles);
  for_profiles([&](std::string_view user, const UserProfile& p) {
    w.PutString(user);
    EncodeProfile(p, tracks, w);
    ++profiles;
  });
  std::memcpy(out->data() + profiles_at, &profiles, sizeof(profiles));
  const uint64_t table_offset = out->size();
  std::memcpy(out->data() + offset_at, &table_offset, sizeof(table_offset));
  w.Put(static_cast<uint32_t>(tracks.ids().size()));
  for (const std::string& id : tracks.ids()) w.PutString(id);
  return sessions + profiles;
}

}  // namespace

size_t EncodeSessionShard(const SessionTracker& tracker, uint32_t shard, std::string* out) {
  return EncodeChunk(
      tracker.catalog(), out, [&](const auto& emit) { tracker.ForEachSession(shard, emit); },
      [&](const auto& emit) { tracker.ForEachProfile(shard, emit); });
}

bool EncodeListener(const SessionTracker& tracker, std::string_view user_id, std::string* out) {
  // The session is encoded under its shard lock (Visit); only a listener without one has a parked profile.
  bool in_memory = false;
  bool parked = false;
  EncodeChunk(
      tracker.catalog(), out, [&](const auto& emit) { in_memory = tracker.Visit(user_id, emit); },
      [&](const auto& emit) {
        if (in_memory) return;
        std::optional<UserProfile> profile = tracker.GetProfile(user_id);
        parked = profile.has_value();
        if (parked) emit(user_id, *profile);
      });
  return in_memory || parked;
}

Status DecodeSessionChunk(std::string_view chunk, SessionTracker* tracker) {
  std::vector<SessionState> sessions;
  std::vector<std::pair<std::string, UserProfile>> profiles;
  ChunkDecoder decoder(chunk, tracker->catalog(), tracker->options().max_plays);
  if (Status st = decoder.Decode(&sessions, &profiles); !st.ok()) return st;
  for (SessionState& s : sessions) tracker->RestoreSession(std::move(s));
  for (auto& [user, p] : profiles) tracker->RestoreProfile(std::move(user), p);
  return Status::Ok();
}

}  // namespace segue
