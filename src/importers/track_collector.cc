#include "importers/track_collector.h"

#include "catalog/track_json.h"

namespace segue {

void TrackCollector::Fill(std::string* held, std::string_view value, size_t max_bytes, const char* field) {
  if (value.empty()) return;
  const std::string_view cut = TruncateUtf8(value, max_bytes);
  if (held->empty()) {
    if (cut.size() < value.size()) ++summary_->notes[std::string("truncated_") + field];
    held->assign(cut);
  } else if (*held != cut) {
    ++summary_->notes["track_metadata_differs_first_kept"];
  }
}

void TrackCollector::Add(const std::string& id, std::string_view title, std::string_view artist,
                         std::string_view album, uint32_t duration_ms) {
  const TrackLimits limits;
  auto [it, inserted] = by_id_.try_emplace(id, tracks_.size());
  if (inserted) {
    tracks_.emplace_back();
    tracks_.back().track_id = id;
  }
  Track& t = tracks_[it->second];
  Fill(&t.title, title, limits.max_text_bytes, "title");
  Fill(&t.artist, artist, limits.max_artist_bytes, "artist");
  Fill(&t.album, album, limits.max_text_bytes, "album");
  if (duration_ms == 0) return;
  if (t.duration_ms == 0) {
    t.duration_ms = duration_ms;
  } else if (t.duration_ms != duration_ms) {
    ++summary_->notes["track_metadata_differs_first_kept"];
  }
}

Status TrackCollector::Emit(const TrackSink& sink) const {
  for (const Track& t : tracks_) {
    if (Status st = sink(t); !st.ok()) return st;
    ++summary_->tracks_written;
  }
  return Status::Ok();
}

}  // namespace segue
