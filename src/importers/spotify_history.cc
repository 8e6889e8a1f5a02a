#include "importers/spotify_history.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

#include <simdjson.h>

#include "common/time_util.h"
#include "events/event_parser.h"
#include "importers/track_collector.h"
#include "importers/track_ids.h"

namespace segue {

namespace {

namespace fs = std::filesystem;
namespace od = simdjson::ondemand;

enum class Reason : uint8_t {
  kNone,  // "", "unknown", null, absent, or a value we do not know
  kTrackDone,
  kFwdBtn,
  kBackBtn,
  kEndPlay,
  kClickRow,
  kLogout,
  kUnexpectedExit,
  kUnexpectedExitWhilePaused,
  kOther,  // known values that map to nothing (playbtn, appload, remote, trackerror)
};

Reason ParseReason(std::string_view s) {
  static const std::unordered_map<std::string_view, Reason> kReasons = {
      {"trackdone", Reason::kTrackDone},
      {"fwdbtn", Reason::kFwdBtn},
      {"backbtn", Reason::kBackBtn},
      {"endplay", Reason::kEndPlay},
      {"clickrow", Reason::kClickRow},
      {"logout", Reason::kLogout},
      {"unexpected-exit", Reason::kUnexpectedExit},
      {"unexpected-exit-while-paused", Reason::kUnexpectedExitWhilePaused},
      {"playbtn", Reason::kOther},
      {"appload", Reason::kOther},
      {"remote", Reason::kOther},
      {"trackerror", Reason::kOther},
  };
  auto it = kReasons.find(s);
  return it == kReasons.end() ? Reason::kNone : it->second;
}

// One play, as kept between reading and emitting (sorted per listener).
struct PlayRecord {
  int64_t end_ms = 0;
  int64_t ms_played = 0;
  uint32_t track = 0;   // index into Interner
  uint32_t device = 0;  // index into Interner; 0 = none
  Reason start = Reason::kNone;
  Reason end = Reason::kNone;
  int8_t shuffle = -1;  // -1 unknown
  int8_t skipped = -1;  // -1 unknown (old schema: mostly null)
  bool basic = false;
};

// Distinct strings (track ids, devices) stored once; index 0 is "".
class Interner {
 public:
  Interner() { strings_.emplace_back(); }
  uint32_t Intern(std::string_view s) {
    if (s.empty()) return 0;
    auto it = index_.find(std::string(s));
    if (it != index_.end()) return it->second;
    const uint32_t id = static_cast<uint32_t>(strings_.size());
    strings_.emplace_back(s);
    index_.emplace(strings_.back(), id);
    return id;
  }
  const std::string& Get(uint32_t id) const { return strings_[id]; }

 private:
  std::vector<std::string> strings_;
  std::unordered_map<std::string, uint32_t> index_;
};

// The fields of either format, as read from one JSON object.
struct RawRecord {
  std::optional<std::string_view> ts, end_time, track_uri, artist, track_name, reason_start, reason_end,
      platform;
  // Extended only: the track's metadata (`master_metadata_*`; the "album artist" is the track's artist).
  std::optional<std::string_view> meta_title, meta_artist, meta_album;
  std::optional<int64_t> ms_played, ms_played_basic;
  std::optional<bool> shuffle, skipped;
  bool episode = false;    // spotify_episode_uri set
  bool audiobook = false;  // audiobook_uri / audiobook_chapter_uri set
};

enum class FileFormat { kUnknown, kExtended, kBasic };

class FileReader {
 public:
  // `tracks` (null: not wanted) receives the metadata of every play kept.
  FileReader(std::string path, const SpotifyHistoryOptions& options, TrackCollector* tracks, ImportSummary* summary)
      : path_(std::move(path)), options_(options), tracks_(tracks), summary_(summary) {}

  Status Read(Interner* strings, std::vector<PlayRecord>* out);

 private:
  Status Error(size_t record, const std::string& what) const {
    return Status::InvalidArgument(path_ + ": record " + std::to_string(record) + ": " + what);
  }
  Status ReadRecord(size_t record, od::object object, RawRecord* raw);
  Status ToPlay(size_t record, const RawRecord& raw, Interner* strings, std::vector<PlayRecord>* out);

  std::string path_;
  const SpotifyHistoryOptions& options_;
  TrackCollector* tracks_;
  ImportSummary* summary_;
  FileFormat format_ = FileFormat::kUnknown;
};

// Reads a string or null (→ nullopt); anything else is an error.
Status GetOptionalString(od::value value, std::optional<std::string_view>* out, bool* wrong_type) {
  od::json_type type;
  if (value.type().get(type)) return Status::InvalidArgument("invalid JSON value");
  if (type == od::json_type::null) return Status::Ok();
  std::string_view s;
  if (type != od::json_type::string || value.get_string().get(s)) {
    *wrong_type = true;
    return Status::Ok();
  }
  *out = s;
  return Status::Ok();
}

Status FileReader::ReadRecord(size_t record, od::object object, RawRecord* raw) {
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return Error(record, "invalid JSON object");
    od::value value = field.value();
    bool wrong_type = false;
    const char* expected = "a string or null";
    auto str = [&](std::optional<std::string_view>* out) { return GetOptionalString(value, out, &wrong_type); };
    auto boolean = [&](std::optional<bool>* out) {
      od::json_type type;
      if (value.type().get(type)) return Status::InvalidArgument("invalid JSON value");
      expected = "true, false or null";
      bool b;
      if (type == od::json_type::null) return Status::Ok();
      if (type != od::json_type::boolean || value.get_bool().get(b)) {
        wrong_type = true;
      } else {
        *out = b;
      }
      return Status::Ok();
    };
    auto integer = [&](std::optional<int64_t>* out) {
      expected = "a non-negative integer";
      int64_t n;
      if (value.get_int64().get(n) || n < 0) {
        wrong_type = true;
      } else {
        *out = n;
      }
      return Status::Ok();
    };
    auto present = [&](bool* out) {
      std::optional<std::string_view> s;
      Status st = str(&s);
      *out = *out || (s.has_value() && !s->empty());
      return st;
    };
    Status st;
    if (key == "ts") {
      st = str(&raw->ts);
    } else if (key == "endTime") {
      st = str(&raw->end_time);
    } else if (key == "ms_played") {
      st = integer(&raw->ms_played);
    } else if (key == "msPlayed") {
      st = integer(&raw->ms_played_basic);
    } else if (key == "spotify_track_uri") {
      st = str(&raw->track_uri);
    } else if (key == "artistName") {
      st = str(&raw->artist);
    } else if (key == "trackName") {
      st = str(&raw->track_name);
    } else if (key == "master_metadata_track_name") {
      st = str(&raw->meta_title);
    } else if (key == "master_metadata_album_artist_name") {
      st = str(&raw->meta_artist);
    } else if (key == "master_metadata_album_album_name") {
      st = str(&raw->meta_album);
    } else if (key == "reason_start") {
      st = str(&raw->reason_start);
    } else if (key == "reason_end") {
      st = str(&raw->reason_end);
    } else if (key == "platform") {
      st = str(&raw->platform);
    } else if (key == "shuffle") {
      st = boolean(&raw->shuffle);
    } else if (key == "skipped") {
      st = boolean(&raw->skipped);
    } else if (key == "spotify_episode_uri") {
      st = present(&raw->episode);
    } else if (key == "audiobook_uri" || key == "audiobook_chapter_uri") {
      st = present(&raw->audiobook);
    } else {
      continue;  // extra keys are fine; simdjson skips the unread value
    }
    if (!st.ok()) return Error(record, "field '" + std::string(key) + "': " + st.message());
    if (wrong_type) return Error(record, "field '" + std::string(key) + "': expected " + expected);
  }
  return Status::Ok();
}

Status FileReader::ToPlay(size_t record, const RawRecord& raw, Interner* strings, std::vector<PlayRecord>* out) {
  if (format_ == FileFormat::kUnknown) {
    if (raw.ts && raw.ms_played) {
      format_ = FileFormat::kExtended;
    } else if (raw.end_time && raw.ms_played_basic) {
      format_ = FileFormat::kBasic;
    } else {
      return Error(record,
                   "neither an extended streaming-history record (ts, ms_played) nor a basic one (endTime, msPlayed)");
    }
    ++summary_->files[format_ == FileFormat::kExtended ? "extended" : "basic"];
  }
  PlayRecord play;
  if (format_ == FileFormat::kExtended) {
    if (!raw.ts) return Error(record, "field 'ts' is missing");
    if (!raw.ms_played) return Error(record, "field 'ms_played' is missing");
    std::optional<int64_t> ts = ParseRfc3339Ms(*raw.ts);
    if (!ts) return Error(record, "field 'ts': not an RFC 3339 timestamp: '" + std::string(*raw.ts) + "'");
    if (raw.episode) {
      ++summary_->skipped["podcast_episode"];
      return Status::Ok();
    }
    if (raw.audiobook) {
      ++summary_->skipped["audiobook"];
      return Status::Ok();
    }
    const std::string id = SpotifyTrackId(raw.track_uri.value_or(""));
    if (id.empty()) {  // also "spotify:track:" with nothing after it
      ++summary_->skipped["no_track_uri"];
      return Status::Ok();
    }
    // The server rejects a play whose track id exceeds its id limit (fuzz/spotify_history).
    if (id.size() > ParseLimits{}.max_id_bytes) {
      ++summary_->skipped["track_uri_too_long"];
      return Status::Ok();
    }
    play.end_ms = *ts;
    play.ms_played = *raw.ms_played;
    play.track = strings->Intern(id);
    if (raw.platform) {
      const std::string_view device = TruncateUtf8(*raw.platform, ParseLimits{}.max_label_bytes);
      if (device.size() < raw.platform->size()) ++summary_->notes["device_truncated_to_64_bytes"];
      play.device = strings->Intern(device);
    }
    play.start = ParseReason(raw.reason_start.value_or(""));
    play.end = ParseReason(raw.reason_end.value_or(""));
    if (play.end == Reason::kNone || play.end == Reason::kOther) {
      const std::string value = !raw.reason_end ? "(null)" : raw.reason_end->empty() ? "(empty)" : std::string(*raw.reason_end);
      ++summary_->notes["reason_end_unmapped:" + value];
    }
    play.shuffle = raw.shuffle ? *raw.shuffle : -1;
    play.skipped = raw.skipped ? *raw.skipped : -1;
  } else {
    if (!raw.end_time) return Error(record, "field 'endTime' is missing");
    if (!raw.ms_played_basic) return Error(record, "field 'msPlayed' is missing");
    std::optional<int64_t> ts = ParseRfc3339Ms(*raw.end_time);
    if (!ts) {
      return Error(record, "field 'endTime': not a 'YYYY-MM-DD HH:MM' time: '" + std::string(*raw.end_time) + "'");
    }
    const std::string_view artist = raw.artist.value_or("");
    const std::string_view name = raw.track_name.value_or("");
    if (artist.empty() || name.empty() || (artist == "Unknown Artist" && name == "Unknown Track")) {
      ++summary_->skipped["unknown_track"];
      return Status::Ok();
    }
    play.end_ms = *ts;
    play.ms_played = *raw.ms_played_basic;
    play.track = strings->Intern(BasicTrackId(artist, name));
    play.basic = true;
    if (play.ms_played < kBasicSkipThresholdMs) ++summary_->notes["skip_inferred_under_30s"];
  }
  if (play.ms_played > ParseLimits{}.max_position_ms) {
    // The server rejects positions beyond a day; such a record is corrupt, not a real play.
    ++summary_->skipped["ms_played_over_24h"];
    return Status::Ok();
  }
  if (tracks_ != nullptr) {
    const std::string& id = strings->Get(play.track);
    if (play.basic) {
      tracks_->Add(id, *raw.track_name, *raw.artist, "");
    } else {
      tracks_->Add(id, raw.meta_title.value_or(""), raw.meta_artist.value_or(""), raw.meta_album.value_or(""));
    }
  }
  out->push_back(play);
  return Status::Ok();
}

Status FileReader::Read(Interner* strings, std::vector<PlayRecord>* out) {
  simdjson::padded_string json;
  if (auto error = simdjson::padded_string::load(path_).get(json)) {
    return Status::IoError(path_ + ": cannot read: " + simdjson::error_message(error));
  }
  od::parser parser;
  od::document doc;
  od::array array;
  if (auto error = parser.iterate(json).get(doc)) {
    return Status::InvalidArgument(path_ + ": not JSON: " + simdjson::error_message(error));
  }
  if (auto error = doc.get_array().get(array)) {
    return Status::InvalidArgument(path_ + ": expected a JSON array of streaming-history records (" +
                                   simdjson::error_message(error) + ")");
  }
  size_t record = 0;
  for (auto element : array) {
    ++record;
    od::object object;
    if (auto error = element.get_object().get(object)) {
      return Error(record, std::string("expected a JSON object (") + simdjson::error_message(error) + ")");
    }
    RawRecord raw;
    if (Status st = ReadRecord(record, object, &raw); !st.ok()) return st;
    ++summary_->records_read;
    ImportProgress(options_.progress).Record(summary_->records_read);
    if (Status st = ToPlay(record, raw, strings, out); !st.ok()) return st;
  }
  if (format_ == FileFormat::kUnknown) ++summary_->files["empty"];
  return Status::Ok();
}

bool IsHistoryFileName(const std::string& name) {
  if (!name.ends_with(".json")) return false;
  if (name.starts_with("StreamingHistory_podcast")) return false;
  return name.starts_with("endsong") || name.starts_with("Streaming_History_Audio") ||
         name.starts_with("StreamingHistory");
}

Status ListFiles(const std::vector<std::string>& paths, std::vector<std::string>* files, ImportSummary* summary) {
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(p, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        const std::string name = it->path().filename().string();
        if (IsHistoryFileName(name)) {
          found.push_back(it->path().string());
        } else if (name.ends_with(".json")) {
          ++summary->notes["json_files_ignored_by_name"];
        }
      }
      if (ec) return Status::IoError(p + ": cannot list folder: " + ec.message());
      std::sort(found.begin(), found.end());
      files->insert(files->end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      files->push_back(p);
    } else {
      return Status::InvalidArgument(p + ": no such file or folder");
    }
  }
  return Status::Ok();
}

std::string UserOf(const std::string& file, const SpotifyHistoryOptions& options) {
  if (!options.user_id.empty()) return options.user_id;
  std::error_code ec;
  fs::path abs = fs::absolute(file, ec);
  return (ec ? fs::path(file) : abs).parent_path().filename().string();
}

// An event of one play, before it is materialised; 16 bytes, so a listener's events sort cheaply.
struct PendingEvent {
  int64_t ts_ms;
  uint32_t play;
  EventType type;
};

void PlanEvents(const std::vector<PlayRecord>& plays, std::vector<PendingEvent>* out, ImportSummary* summary) {
  for (uint32_t i = 0; i < plays.size(); ++i) {
    const PlayRecord& p = plays[i];
    const int64_t start = p.end_ms - p.ms_played;
    if (p.start == Reason::kClickRow) out->push_back({start, i, EventType::kSearch});
    out->push_back({start, i, EventType::kPlay});
    if (p.basic) {
      out->push_back({p.end_ms, i, p.ms_played < kBasicSkipThresholdMs ? EventType::kSkip : EventType::kComplete});
      continue;
    }
    switch (p.end) {
      case Reason::kTrackDone:
        out->push_back({p.end_ms, i, EventType::kComplete});
        break;
      case Reason::kFwdBtn:
      case Reason::kBackBtn:
      case Reason::kEndPlay:
        out->push_back({p.end_ms, i, EventType::kSkip});
        break;
      case Reason::kUnexpectedExitWhilePaused:
        out->push_back({p.end_ms, i, EventType::kPause});
        [[fallthrough]];
      case Reason::kLogout:
      case Reason::kUnexpectedExit:
        out->push_back({p.end_ms, i, EventType::kExit});
        break;
      default:
        // No usable reason: trust Spotify's own flag when it says skipped, else leave the play open (the
        // next play or the session timeout closes it).
        if (p.skipped == 1) {
          out->push_back({p.end_ms, i, EventType::kSkip});
          ++summary->notes["skip_from_skipped_flag"];
        }
        break;
    }
  }
}

Status EmitListener(const std::string& user, std::vector<PlayRecord>* plays, const Interner& strings,
                    const EventSink& sink, ImportSummary* summary) {
  std::stable_sort(plays->begin(), plays->end(),
                   [](const PlayRecord& a, const PlayRecord& b) { return a.end_ms < b.end_ms; });
  std::vector<PendingEvent> pending;
  pending.reserve(plays->size() * 2 + plays->size() / 4);
  PlanEvents(*plays, &pending, summary);
  std::stable_sort(pending.begin(), pending.end(),
                   [](const PendingEvent& a, const PendingEvent& b) { return a.ts_ms < b.ts_ms; });
  Event e;
  e.user_id = user;
  for (const PendingEvent& pe : pending) {
    const PlayRecord& p = (*plays)[pe.play];
    const std::string& track = strings.Get(p.track);
    e.type = pe.type;
    e.ts_ms = pe.ts_ms;
    e.track_id = pe.type == EventType::kSearch ? std::string() : track;
    e.position_ms = pe.type == EventType::kSearch ? -1 : pe.type == EventType::kPlay ? 0 : p.ms_played;
    e.context.device = strings.Get(p.device);
    e.context.shuffle = p.shuffle < 0 ? std::nullopt : std::optional<bool>(p.shuffle == 1);
    const std::string end = std::to_string(p.end_ms);
    const std::string played = std::to_string(p.ms_played);
    e.event_id = DeterministicEventId(p.basic ? "spb" : "spx", {user, end, track, played}, pe.type);
    if (Status st = EmitEvent(e, sink, summary); !st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace

Status ImportSpotifyHistory(const std::vector<std::string>& paths, const SpotifyHistoryOptions& options,
                            const EventSink& sink, ImportSummary* summary) {
  summary->format = "spotify-history";
  std::vector<std::string> files;
  if (Status st = ListFiles(paths, &files, summary); !st.ok()) return st;
  if (files.empty()) return Status::InvalidArgument("no streaming-history files found in the given paths");
  Interner strings;
  std::optional<TrackCollector> tracks;
  if (options.tracks) tracks.emplace(summary);
  std::map<std::string, std::vector<PlayRecord>> by_user;
  for (const std::string& file : files) {
    FileReader reader(file, options, tracks ? &*tracks : nullptr, summary);
    if (Status st = reader.Read(&strings, &by_user[UserOf(file, options)]); !st.ok()) return st;
  }
  for (auto& [user, plays] : by_user) {
    if (Status st = EmitListener(user, &plays, strings, sink, summary); !st.ok()) return st;
    std::vector<PlayRecord>().swap(plays);
  }
  return tracks ? tracks->Emit(options.tracks) : Status::Ok();
}

}  // namespace segue
