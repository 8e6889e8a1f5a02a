#include "importers/mpd.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_set>

#include <simdjson.h>

#include "catalog/track_json.h"
#include "events/event_json.h"
#include "importers/track_collector.h"
#include "importers/track_ids.h"

namespace segue {

namespace {

namespace od = simdjson::ondemand;

// Progress is per playlist: a slice holds 1,000, the full MPD 1,000,000.
constexpr uint64_t kProgressEveryPlaylists = 10000;

class MpdFile {
 public:
  MpdFile(std::string path, const PlaylistSink& sink, TrackCollector* tracks, std::unordered_set<int64_t>* pids,
          ImportProgress* progress, ImportSummary* summary)
      : path_(std::move(path)), sink_(sink), tracks_(tracks), pids_(pids), progress_(progress), summary_(summary) {}

  Status Read();

 private:
  // "<file>: line L, column C: <context><what>", the position being where the parser stopped.
  Status Error(const std::string& what);
  Status ReadPlaylists(od::array playlists);
  Status ReadPlaylist(od::object object, Playlist* playlist, int64_t* pid);
  Status ReadTrack(od::object object, Playlist* playlist);

  std::string path_;
  const PlaylistSink& sink_;
  TrackCollector* tracks_;
  std::unordered_set<int64_t>* pids_;
  ImportProgress* progress_;
  ImportSummary* summary_;
  simdjson::padded_string json_;
  od::document doc_;
  bool iterating_ = false;  // doc_ is usable (iterate() succeeded): only then has it a location
  std::string context_;  // "playlist N (pid P): track K: " while inside one
};

Status MpdFile::Error(const std::string& what) {
  std::string where;
  const char* at = nullptr;
  if (iterating_ && !doc_.current_location().get(at) && at >= json_.data() && at <= json_.data() + json_.size()) {
    const std::string_view before(json_.data(), static_cast<size_t>(at - json_.data()));
    const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
    const size_t nl = before.rfind('\n');
    const size_t column = 1 + (nl == std::string_view::npos ? before.size() : before.size() - nl - 1);
    where = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  }
  return Status::InvalidArgument(path_ + ": " + where + context_ + what);
}

std::string JsonError(simdjson::error_code error) { return std::string(" (") + simdjson::error_message(error) + ")"; }

// Field readers: an error says what was expected; `null` counts as absent.
bool IsNull(od::value value) {
  bool null = false;
  return !value.is_null().get(null) && null;
}

std::optional<std::string> ReadString(od::value value, std::string_view* out) {
  if (IsNull(value)) return std::nullopt;
  if (auto error = value.get_string().get(*out)) return "expected a string" + JsonError(error);
  return std::nullopt;
}

std::optional<std::string> ReadInt(od::value value, int64_t lo, int64_t hi, int64_t* out) {
  if (IsNull(value)) return std::nullopt;
  if (auto error = value.get_int64().get(*out)) return "expected an integer" + JsonError(error);
  if (*out < lo || *out > hi) {
    return "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
           std::to_string(*out);
  }
  return std::nullopt;
}

Status MpdFile::ReadTrack(od::object object, Playlist* playlist) {
  std::optional<std::string_view> uri;
  std::string_view title, artist, album;
  int64_t duration_ms = 0;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return Error("invalid JSON object" + JsonError(error));
    if (auto error = field.unescaped_key().get(key)) return Error("invalid JSON key" + JsonError(error));
    std::optional<std::string> problem;
    if (key == "track_uri") {
      std::string_view s;
      problem = ReadString(field.value(), &s);
      if (!s.empty()) uri = s;
    } else if (key == "track_name") {
      problem = ReadString(field.value(), &title);
    } else if (key == "artist_name") {
      problem = ReadString(field.value(), &artist);
    } else if (key == "album_name") {
      problem = ReadString(field.value(), &album);
    } else if (key == "duration_ms") {
      problem = ReadInt(field.value(), 0, TrackLimits{}.max_duration_ms, &duration_ms);
    } else {
      continue;
    }
    if (problem) return Error("field '" + std::string(key) + "': " + *problem);
  }
  std::string id = SpotifyTrackId(uri.value_or(""));
  if (id.empty()) return Error("field 'track_uri' is missing or names no track");
  if (tracks_ != nullptr) tracks_->Add(id, title, artist, album, static_cast<uint32_t>(duration_ms));
  playlist->track_ids.push_back(std::move(id));
  return Status::Ok();
}

Status MpdFile::ReadPlaylist(od::object object, Playlist* playlist, int64_t* pid_out) {
  const std::string prefix = context_;
  std::optional<int64_t> pid;
  bool saw_tracks = false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return Error("invalid JSON object" + JsonError(error));
    if (auto error = field.unescaped_key().get(key)) return Error("invalid JSON key" + JsonError(error));
    std::optional<std::string> problem;
    std::string_view s;
    int64_t n = 0;
    if (key == "pid") {
      problem = ReadInt(field.value(), 0, std::numeric_limits<int64_t>::max(), &n);
      if (!problem) {
        pid = n;
        // Later errors of this playlist name its pid too.
        context_ = prefix.substr(0, prefix.size() - 2) + " (pid " + std::to_string(n) + "): ";
      }
    } else if (key == "name") {
      problem = ReadString(field.value(), &s);
      playlist->name.assign(s);
    } else if (key == "description") {
      problem = ReadString(field.value(), &s);
      playlist->description.assign(s);
    } else if (key == "collaborative") {
      // A string "true"/"false" in the data although the MPD README says boolean: accept both.
      od::value value = field.value();
      bool b = false;
      if (!value.get_bool().get(b)) {
        playlist->collaborative = b;
      } else if (!value.get_string().get(s) && (s == "true" || s == "false")) {
        playlist->collaborative = s == "true";
      } else if (!IsNull(value)) {
        problem = "expected true, false, \"true\" or \"false\"";
      }
    } else if (key == "modified_at") {
      problem = ReadInt(field.value(), 0, std::numeric_limits<int64_t>::max() / 1000, &n);
      playlist->modified_at_ms = n * 1000;
    } else if (key == "num_followers") {
      problem = ReadInt(field.value(), 0, std::numeric_limits<int64_t>::max(), &playlist->num_followers);
    } else if (key == "num_edits") {
      problem = ReadInt(field.value(), 0, std::numeric_limits<int64_t>::max(), &playlist->num_edits);
    } else if (key == "tracks") {
      saw_tracks = true;
      od::array array;
      if (auto error = field.value().get_array().get(array)) {
        problem = "expected an array of tracks" + JsonError(error);
      } else {
        const std::string playlist_context = context_;
        size_t index = 0;
        for (auto element : array) {
          context_ = playlist_context + "track " + std::to_string(++index) + ": ";
          od::object track;
          if (auto error = element.get_object().get(track)) return Error("expected a JSON object" + JsonError(error));
          if (Status st = ReadTrack(track, playlist); !st.ok()) return st;
        }
        context_ = playlist_context;
      }
    } else {
      continue;
    }
    if (problem) return Error("field '" + std::string(key) + "': " + *problem);
  }
  if (!pid) return Error("field 'pid' is missing");
  if (!saw_tracks) return Error("field 'tracks' is missing");
  playlist->playlist_id = "mpd:" + std::to_string(*pid);
  *pid_out = *pid;
  return Status::Ok();
}

Status MpdFile::ReadPlaylists(od::array playlists) {
  size_t index = 0;
  for (auto element : playlists) {
    context_ = "playlist " + std::to_string(++index) + ": ";
    od::object object;
    if (auto error = element.get_object().get(object)) return Error("expected a JSON object" + JsonError(error));
    Playlist playlist;
    int64_t pid = 0;
    if (Status st = ReadPlaylist(object, &playlist, &pid); !st.ok()) return st;
    ++summary_->records_read;
    progress_->Record(summary_->records_read);
    if (!pids_->insert(pid).second) {
      // Its tracks were collected all the same: they are real tracks.
      ++summary_->skipped["duplicate_pid"];
      continue;
    }
    if (Status st = sink_(playlist); !st.ok()) return st;
    ++summary_->playlists_written;
  }
  context_.clear();
  return Status::Ok();
}

Status MpdFile::Read() {
  if (auto error = simdjson::padded_string::load(path_).get(json_)) {
    return Status::IoError(path_ + ": cannot read: " + simdjson::error_message(error));
  }
  od::parser parser;
  if (auto error = parser.iterate(json_).get(doc_)) return Error("not JSON" + JsonError(error));
  iterating_ = true;
  od::object top;
  if (auto error = doc_.get_object().get(top); error == simdjson::INCOMPLETE_ARRAY_OR_OBJECT) {
    // Found before any value is read, so no position would be meaningful.
    return Status::InvalidArgument(path_ + ": the file ends in the middle of an object or array (truncated?)");
  } else if (error) {
    return Error("expected a JSON object {\"info\": …, \"playlists\": […]}" + JsonError(error));
  }
  bool saw_playlists = false;
  for (auto field_result : top) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return Error("invalid JSON object" + JsonError(error));
    if (auto error = field.unescaped_key().get(key)) return Error("invalid JSON key" + JsonError(error));
    if (key != "playlists") continue;  // "info" and anything else: skipped unread
    saw_playlists = true;
    od::array playlists;
    if (auto error = field.value().get_array().get(playlists)) {
      return Error("field 'playlists': expected an array" + JsonError(error));
    }
    if (Status st = ReadPlaylists(playlists); !st.ok()) return st;
  }
  if (!saw_playlists) return Error("no 'playlists' array");
  ++summary_->files["mpd-slice"];
  return Status::Ok();
}

}  // namespace

void AppendPlaylistJson(const Playlist& playlist, std::string* out) {
  out->append("{\"playlist_id\":");
  AppendJsonString(playlist.playlist_id, out);
  AppendJsonKey("name", out);
  AppendJsonString(playlist.name, out);
  AppendJsonStringField("description", playlist.description, out);
  out->append(playlist.collaborative ? ",\"collaborative\":true" : ",\"collaborative\":false");
  out->append(",\"modified_at_ms\":" + std::to_string(playlist.modified_at_ms));
  out->append(",\"num_followers\":" + std::to_string(playlist.num_followers));
  out->append(",\"num_edits\":" + std::to_string(playlist.num_edits));
  out->append(",\"tracks\":[");
  for (size_t i = 0; i < playlist.track_ids.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(playlist.track_ids[i], out);
  }
  out->append("]}");
}

Status ImportMpd(const std::vector<std::string>& files, const MpdOptions& options, const PlaylistSink& playlists,
                 ImportSummary* summary) {
  summary->format = "mpd";
  std::optional<TrackCollector> tracks;
  if (options.tracks) tracks.emplace(summary);
  std::unordered_set<int64_t> pids;
  ImportProgress progress(options.progress, kProgressEveryPlaylists);
  for (const std::string& path : files) {
    MpdFile file(path, playlists, tracks ? &*tracks : nullptr, &pids, &progress, summary);
    if (Status st = file.Read(); !st.ok()) return st;
  }
  return tracks ? tracks->Emit(options.tracks) : Status::Ok();
}

}  // namespace segue
