#include "serving/catalog_store.h"

#include <optional>
#include <string>
#include <utility>

#include "catalog/catalog.h"
#include "catalog/track_json.h"
#include "log/state_store.h"

namespace segue::serving {
namespace {
constexpr std::string_view kPrefix = "catalog/track/";
}

Status PersistTracks(const std::vector<Track>& tracks, StateStore& store) {
  StateStore::Ops ops;
  ops.reserve(tracks.size());
  for (const Track& t : tracks) ops.emplace_back(std::string(kPrefix) + t.track_id, TrackToJson(t));
  return store.WriteStateBatch(ops);
}

Result<size_t> LoadCatalog(const StateStore& store, Catalog& catalog) {
  size_t loaded = 0;
  Status bad;
  // Limits are generous on load: a track the server once accepted must load even if limits shrank.
  TrackLimits limits;
  limits.max_text_bytes = limits.max_artist_bytes = 1 << 20;
  limits.max_genres = limits.max_audio_features = 1 << 16;
  Status s = store.ScanState(kPrefix, [&](std::string_view key, std::string_view value) {
    Result<Track> t = ParseTrackJson(value, limits);
    if (!t.ok()) {
      bad = Status::Corruption("catalog entry '" + std::string(key) + "': " + t.status().message());
      return false;
    }
    catalog.Upsert(std::move(*t));
    ++loaded;
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return loaded;
}

}  // namespace segue::serving
