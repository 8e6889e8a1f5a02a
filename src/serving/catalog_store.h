// Persistence of the track catalog in the event log's durable state keyspace, so tracks posted to the
// server survive restarts. One key per track: "catalog/track/<track_id>" → the track's JSON
// (catalog/track_json.h); the JSON, not interned ids, is stored because interned ids are per process.
// Thread-safety: as EventLog's state methods and Catalog (both thread-safe).
#pragma once

#include <cstddef>
#include <vector>

#include "catalog/track.h"
#include "common/status.h"

namespace segue {
class Catalog;
class EventLog;
}

namespace segue::serving {

// Writes the tracks atomically (one state batch, synced when the log syncs).
Status PersistTracks(const std::vector<Track>& tracks, EventLog& log);

// Loads every persisted track into `catalog`; returns how many. A stored track that no longer parses
// is kCorruption naming its key.
Result<size_t> LoadCatalog(const EventLog& log, Catalog& catalog);

}  // namespace segue::serving
