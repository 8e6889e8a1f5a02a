// Persistence of the track catalog in the durable state store (log/state_store.h), so tracks posted to the
// server survive restarts. One key per track: "catalog/track/<track_id>" → the track's JSON
// (catalog/track_json.h); the JSON, not interned ids, is stored because interned ids are per process.
// Thread-safety: as StateStore and Catalog (both thread-safe).
#pragma once

#include <cstddef>
#include <vector>

#include "catalog/track.h"
#include "common/status.h"

namespace segue {
class Catalog;
class StateStore;
}

namespace segue::serving {

// Writes the tracks atomically (one state batch, durable under the store's policy).
Status PersistTracks(const std::vector<Track>& tracks, StateStore& store);

// Loads every persisted track into `catalog`; returns how many. A stored track that no longer parses
// is kCorruption naming its key.
Result<size_t> LoadCatalog(const StateStore& store, Catalog& catalog);

}  // namespace segue::serving
