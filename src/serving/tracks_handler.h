// POST /v1/tracks (JSON array or NDJSON of tracks, catalog/track_json.h) and GET /v1/tracks/{id}.
// A POST persists the valid tracks (catalog_store.h) before updating the in-memory catalog and answering
// 200 {"upserted": N, "rejected": [...]}; errors as POST /v1/events (400/413/415, 507 + Retry-After when
// the log refuses writes for lack of disk space, 500 if the write failed otherwise).
// Tracks are rare, large-ish writes: the synced state write runs on the I/O thread that received them.
// The tracks the catalog did not hold as posted (new or changed) are then reported to the observer, if
// any (the two-tower indexer: it queues them and returns; the embedding happens off this thread).
// Thread-safety: Handle*() are safe to call concurrently.
#pragma once

#include "catalog/catalog_observer.h"
#include "catalog/track_json.h"
#include "serving/http_message.h"
#include "serving/router.h"
#include "serving/server_host.h"

namespace segue {
class Catalog;
class StateStore;
}

namespace segue::serving {

class TracksHandler : public ServerComponent {
 public:
  // `observer` may be null; it outlives the handler's requests.
  TracksHandler(Catalog* catalog, StateStore* store, TrackLimits limits, CatalogObserver* observer = nullptr)
      : catalog_(catalog), store_(store), limits_(limits), observer_(observer) {}

  // POST /v1/tracks and GET /v1/tracks/{id}, from start-up (the catalog does not depend on sessions).
  void Register(ServerHost& host) override;

  void HandlePost(HttpRequest request, PathParams params, ResponseCallback done);
  void HandleGet(HttpRequest request, PathParams params, ResponseCallback done) const;

 private:
  Catalog* catalog_;
  StateStore* store_;
  TrackLimits limits_;
  CatalogObserver* observer_;
};

}  // namespace segue::serving
