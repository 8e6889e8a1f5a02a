#include "importers/catalog_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <unordered_map>
#include <vector>

#include "catalog/track_json.h"
#include "importers/csv_table.h"
#include "importers/event_sink.h"

namespace segue {

namespace {

// A fixed underlying type: the audio-feature columns are addressed as kFirstFeature + i, past the last
// enumerator, which for an enum without one is undefined behaviour (UBSan, found by fuzz/catalog_csv).
enum Column : int {
  kTrackId,
  kName,
  kArtist,
  kPopularity,
  kAlbumName,
  kReleaseDate,
  kGenre,
  kSubgenre,
  kDuration,
  kFirstFeature,
};

constexpr auto kColumnNames = [] {
  std::array<std::string_view, kFirstFeature + kCatalogFeatureColumns.size()> names = {
      "track_id",         "track_name",     "track_artist",      "track_popularity", "track_album_name",
      "track_album_release_date", "playlist_genre", "playlist_subgenre", "duration_ms"};
  for (size_t i = 0; i < kCatalogFeatureColumns.size(); ++i) names[kFirstFeature + i] = kCatalogFeatureColumns[i];
  return names;
}();
constexpr int kColumnCount = static_cast<int>(kColumnNames.size());

constexpr std::string_view kNa = "NA";

std::optional<double> ParseNumber(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

class CatalogFile {
 public:
  CatalogFile(const CatalogOptions& options, ImportSummary* summary)
      : progress_(options.progress), summary_(summary) {}

  Status Run(const std::string& path, const TrackSink& sink);

 private:
  Status AddRow(const CsvTable& table);
  // Text field: NA → "", over-long → cut at a UTF-8 boundary (counted).
  std::string Text(const CsvTable& table, Column c, size_t max_bytes);
  void AddGenre(Track* track, std::string_view genre);

  ImportProgress progress_;
  ImportSummary* summary_;
  std::vector<Track> tracks_;
  std::unordered_map<std::string, size_t> by_id_;
};

std::string CatalogFile::Text(const CsvTable& table, Column c, size_t max_bytes) {
  const std::string& s = table.Get(c);
  if (s == kNa) {
    ++summary_->notes["na_" + std::string(kColumnNames[c])];
    return {};
  }
  std::string_view cut = TruncateUtf8(s, max_bytes);
  if (cut.size() < s.size()) ++summary_->notes["truncated_" + std::string(kColumnNames[c])];
  return std::string(cut);
}

void CatalogFile::AddGenre(Track* track, std::string_view genre) {
  const TrackLimits limits;
  if (genre.empty() || genre == kNa) return;
  genre = TruncateUtf8(genre, limits.max_genre_bytes);
  if (std::find(track->genres.begin(), track->genres.end(), genre) != track->genres.end()) return;
  if (track->genres.size() >= limits.max_genres) {
    ++summary_->notes["genres_over_limit_dropped"];
    return;
  }
  track->genres.emplace_back(genre);
}

Status CatalogFile::AddRow(const CsvTable& table) {
  const TrackLimits limits;
  const std::string& id = table.Get(kTrackId);
  if (id.empty() || id == kNa) return table.Error(kTrackId, "missing track id");
  if (id.size() > limits.max_id_bytes) return table.Error(kTrackId, "longer than 128 bytes");
  auto [it, inserted] = by_id_.try_emplace(id, tracks_.size());
  if (!inserted) {
    ++summary_->notes["duplicate_rows_merged"];
    Track& t = tracks_[it->second];
    AddGenre(&t, table.Get(kGenre));
    AddGenre(&t, table.Get(kSubgenre));
    return Status::Ok();
  }
  Track t;
  t.track_id = id;
  t.title = Text(table, kName, limits.max_text_bytes);
  t.artist = Text(table, kArtist, limits.max_artist_bytes);
  t.album = Text(table, kAlbumName, limits.max_text_bytes);
  AddGenre(&t, table.Get(kGenre));
  AddGenre(&t, table.Get(kSubgenre));
  const std::string& date = table.Get(kReleaseDate);
  // The server's own rule (fuzz/catalog_csv: a looser local check let "0012-01-05" and "2019-02-30"
  // through, and `POST /v1/tracks` rejected those tracks).
  if (ValidReleaseDate(date)) {
    t.release_date = date;
  } else if (date == kNa || date.empty()) {
    ++summary_->notes["na_track_album_release_date"];
  } else {
    return table.Error(kReleaseDate,
                       "expected YYYY, YYYY-MM or YYYY-MM-DD (a real date, year >= 1000), got '" + date + "'");
  }
  auto number = [&](Column c, double lo, double hi, std::optional<double>* out) -> Status {
    const std::string& s = table.Get(c);
    if (s == kNa) {
      ++summary_->notes["na_" + std::string(kColumnNames[c])];
      return Status::Ok();
    }
    std::optional<double> v = ParseNumber(s);
    if (!v || *v < lo || *v > hi) {
      return table.Error(c, "expected a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got '" +
                                s + "'");
    }
    *out = v;
    return Status::Ok();
  };
  std::optional<double> popularity, duration;
  if (Status st = number(kPopularity, 0, 100, &popularity); !st.ok()) return st;
  if (Status st = number(kDuration, 0, static_cast<double>(limits.max_duration_ms), &duration); !st.ok()) return st;
  t.popularity = static_cast<float>(popularity.value_or(0));
  t.duration_ms = static_cast<uint32_t>(std::llround(duration.value_or(0)));
  std::vector<float> features;
  for (int c = kFirstFeature; c < kColumnCount; ++c) {
    std::optional<double> v;
    if (Status st = number(static_cast<Column>(c), -1e9, 1e9, &v); !st.ok()) return st;
    if (v) features.push_back(static_cast<float>(*v));
  }
  if (features.size() == kCatalogFeatureColumns.size()) {
    t.audio_features = std::move(features);
  } else {
    ++summary_->notes["audio_features_incomplete_dropped"];
  }
  tracks_.push_back(std::move(t));
  return Status::Ok();
}

Status CatalogFile::Run(const std::string& path, const TrackSink& sink) {
  Result<CsvTable> table = CsvTable::Open(path, kColumnNames);
  if (!table.ok()) return table.status();
  ++summary_->files["catalog-csv"];
  for (;;) {
    Result<bool> got = table->Next();
    if (!got.ok()) return got.status();
    if (!*got) break;
    ++summary_->records_read;
    progress_.Record(summary_->records_read);
    if (Status st = AddRow(*table); !st.ok()) return st;
  }
  for (const Track& t : tracks_) {
    if (Status st = sink(t); !st.ok()) return st;
    ++summary_->tracks_written;
  }
  return Status::Ok();
}

}  // namespace

Status ImportCatalogCsv(const std::string& path, const CatalogOptions& options, const TrackSink& sink,
                        ImportSummary* summary) {
  summary->format = "catalog";
  CatalogFile file(options, summary);
  return file.Run(path, sink);
}

}  // namespace segue
