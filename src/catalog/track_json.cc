#include "catalog/track_json.h"

#include <charconv>
#include <cmath>

#include "events/event_json.h"
#include "events/json_batch.h"

namespace segue {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

void AppendFloat(float v, std::string* out) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, end);
}

bool IsNumber(element v) {
  const element_type t = v.type();
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

class TrackDecoder {
 public:
  explicit TrackDecoder(const TrackLimits& limits) : limits_(limits) {}

  bool Decode(element el, Track* out, FieldError* err) {
    err_ = err;
    if (el.type() != element_type::OBJECT) {
      return SetFieldError("", "must be a JSON object, got " + std::string(JsonTypeName(el.type())), err_);
    }
    *out = Track{};
    uint32_t seen = 0;
    const simdjson::dom::object object = el.get_object().value_unsafe();
    for (simdjson::dom::key_value_pair kv : object) {
      const int f = FieldOf(kv.key);
      if (f < 0) continue;  // lenient on extra fields, as for events
      if (seen & (1u << f)) return SetFieldError(kv.key, "given more than once", err_);
      seen |= 1u << f;
      if (kv.value.is_null()) continue;
      if (!DecodeField(f, kv.key, kv.value, out)) return false;
    }
    if (out->track_id.empty()) return SetFieldError("id", "required", err_);
    return true;
  }

 private:
  static constexpr std::string_view kFields[] = {"id",       "title",        "artist",     "album",
                                                 "genres",   "language",     "duration_ms", "release_date",
                                                 "popularity", "explicit",   "audio_features"};

  static int FieldOf(std::string_view key) {
    for (size_t i = 0; i < std::size(kFields); ++i) {
      if (kFields[i] == key) return static_cast<int>(i);
    }
    return -1;
  }

  bool Fail(std::string_view field, std::string error) { return SetFieldError(field, std::move(error), err_); }
  std::string Kind(element v) { return std::string(JsonTypeName(v.type())); }

  bool DecodeField(int f, std::string_view name, element v, Track* out) {
    switch (f) {
      case 0: return ReadJsonString(v, name, limits_.max_id_bytes, true, &out->track_id, err_);
      case 1: return ReadJsonString(v, name, limits_.max_text_bytes, false, &out->title, err_);
      case 2: return ReadJsonString(v, name, limits_.max_artist_bytes, false, &out->artist, err_);
      case 3: return ReadJsonString(v, name, limits_.max_text_bytes, false, &out->album, err_);
      case 4: return DecodeGenres(v, out);
      case 5: return ReadJsonString(v, name, limits_.max_language_bytes, false, &out->language, err_);
      case 6: return DecodeDuration(v, out);
      case 7:
        if (!ReadJsonString(v, name, 10, false, &out->release_date, err_)) {
          return Fail(name, "must be a date string YYYY, YYYY-MM or YYYY-MM-DD");
        }
        if (!out->release_date.empty() && !ValidReleaseDate(out->release_date)) {
          return Fail(name, "not a valid date " + EchoForError(out->release_date) + ": use YYYY, YYYY-MM or YYYY-MM-DD");
        }
        return true;
      case 8: {
        if (!IsNumber(v)) return Fail(name, "must be a number from 0 to 100, got " + Kind(v));
        const double p = v.get_double().value_unsafe();
        if (!(p >= 0 && p <= 100)) return Fail(name, "must be from 0 to 100");
        out->popularity = static_cast<float>(p);
        return true;
      }
      case 9:
        if (v.type() != element_type::BOOL) return Fail(name, "must be true or false, got " + Kind(v));
        out->explicit_content = v.get_bool().value_unsafe();
        return true;
      default: return DecodeAudioFeatures(v, out);
    }
  }

  bool DecodeGenres(element v, Track* out) {
    if (v.type() != element_type::ARRAY) return Fail("genres", "must be an array of strings, got " + Kind(v));
    const simdjson::dom::array array = v.get_array().value_unsafe();
    if (array.size() > limits_.max_genres) {
      return Fail("genres", "more than " + std::to_string(limits_.max_genres) + " genres");
    }
    size_t i = 0;
    for (element g : array) {
      std::string genre;
      if (!ReadJsonString(g, "genres[" + std::to_string(i) + "]", limits_.max_genre_bytes, true, &genre, err_)) {
        return false;
      }
      out->genres.push_back(std::move(genre));
      ++i;
    }
    return true;
  }

  bool DecodeDuration(element v, Track* out) {
    if (v.type() == element_type::DOUBLE) return Fail("duration_ms", "must be an integer, got a fractional number");
    if (v.type() != element_type::INT64 && v.type() != element_type::UINT64) {
      return Fail("duration_ms", "must be an integer, got " + Kind(v));
    }
    if (v.type() == element_type::UINT64 || v.get_int64().value_unsafe() > limits_.max_duration_ms) {
      return Fail("duration_ms", "larger than " + std::to_string(limits_.max_duration_ms));
    }
    const int64_t d = v.get_int64().value_unsafe();
    if (d < 0) return Fail("duration_ms", "must not be negative");
    out->duration_ms = static_cast<uint32_t>(d);
    return true;
  }

  bool DecodeAudioFeatures(element v, Track* out) {
    if (v.type() != element_type::ARRAY) {
      return Fail("audio_features", "must be an array of numbers, got " + Kind(v));
    }
    const simdjson::dom::array array = v.get_array().value_unsafe();
    if (array.size() > limits_.max_audio_features) {
      return Fail("audio_features", "more than " + std::to_string(limits_.max_audio_features) + " values");
    }
    out->audio_features.reserve(array.size());
    for (element x : array) {
      const std::string field = "audio_features[" + std::to_string(out->audio_features.size()) + "]";
      if (!IsNumber(x)) return Fail(field, "must be a number, got " + Kind(x));
      const double d = x.get_double().value_unsafe();
      if (!std::isfinite(static_cast<float>(d))) return Fail(field, "out of range for a 32-bit float");
      out->audio_features.push_back(static_cast<float>(d));
    }
    return true;
  }

  const TrackLimits& limits_;
  FieldError* err_ = nullptr;
};

}  // namespace

bool ValidReleaseDate(std::string_view s) {
  auto digits = [&](size_t pos, size_t n, int* out) {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int year = 0, month = 1, day = 1;
  if (s.size() != 4 && s.size() != 7 && s.size() != 10) return false;
  if (!digits(0, 4, &year) || year < 1000) return false;
  if (s.size() >= 7 && (s[4] != '-' || !digits(5, 2, &month) || month < 1 || month > 12)) return false;
  if (s.size() == 10) {
    static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int max_day = month == 2 && !leap ? 28 : kDays[month - 1];
    if (s[7] != '-' || !digits(8, 2, &day) || day < 1 || day > max_day) return false;
  }
  return true;
}

void AppendTrackJson(const Track& t, std::string* out) {
  out->append("{\"id\":");
  AppendJsonString(t.track_id, out);
  AppendJsonStringField("title", t.title, out);
  AppendJsonStringField("artist", t.artist, out);
  AppendJsonStringField("album", t.album, out);
  if (!t.genres.empty()) {
    AppendJsonKey("genres", out);
    out->push_back('[');
    for (size_t i = 0; i < t.genres.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendJsonString(t.genres[i], out);
    }
    out->push_back(']');
  }
  AppendJsonStringField("language", t.language, out);
  AppendJsonKey("duration_ms", out);
  out->append(std::to_string(t.duration_ms));
  AppendJsonStringField("release_date", t.release_date, out);
  AppendJsonKey("popularity", out);
  AppendFloat(t.popularity, out);
  AppendJsonKey("explicit", out);
  out->append(t.explicit_content ? "true" : "false");
  if (!t.audio_features.empty()) {
    AppendJsonKey("audio_features", out);
    out->push_back('[');
    for (size_t i = 0; i < t.audio_features.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendFloat(t.audio_features[i], out);
    }
    out->push_back(']');
  }
  out->push_back('}');
}

std::string TrackToJson(const Track& track) {
  std::string out;
  out.reserve(256);
  AppendTrackJson(track, &out);
  return out;
}

Result<Track> ParseTrackJson(std::string_view json, const TrackLimits& limits) {
  return DecodeDocument<Track>(
      json, [&](element el, Track* out, FieldError* err) { return TrackDecoder(limits).Decode(el, out, err); });
}

Result<ParsedTracks> ParseTrackBatch(std::string_view body, BodyFormat format, const TrackLimits& limits) {
  ParsedTracks parsed;
  auto decode = [&](element el, Track* out, FieldError* err) { return TrackDecoder(limits).Decode(el, out, err); };
  Status status = DecodeBatch(body, format, limits.max_tracks_per_batch, "tracks", decode, &parsed.tracks,
                              &parsed.source_index, &parsed.rejected);
  if (!status.ok()) return status;
  return parsed;
}

}  // namespace segue
