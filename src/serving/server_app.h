// The `segue serve` process: an application object that builds the server's components, lets each
// register its routes, metrics and periodic tasks (server_host.h), and owns their lifecycle.
//
// Components: the event log (LogComponent), POST /v1/events (EventsHandler), sessions (SessionsComponent:
// restore, snapshots, eviction; SessionHandler: GET /v1/users/{id}/session), the catalog (TracksHandler),
// disengagement scoring (ScoringComponent), recommendations and preferences (RecommendationComponent), the
// retriever and its two-tower bundle (RetrievalModelComponent), push streams (PushComponent); a trigger's
// recommendations are pushed by TriggerPush. The application itself serves /healthz, /readyz and /metrics.
//
// Start-up: open the event store (event_store.h: the embedded EventLog in <data_dir> behind the
// EventAppender / PartitionSource / StateStore interfaces; committed events go to the pipeline,
// whose workers apply it to the SessionTracker, score it and feed ended plays to the recommender's online
// state; pipeline/pipeline.h), load the persisted catalog, open the recommendation stores, register the
// components, bind the listener (on_listening gets the bound address), then restore
// sessions (snapshot + log tail). Until the restore finished, /readyz and the routes registered
// kAfterRestore answer 503 so that no event is applied before the replayed ones; /healthz, /metrics and
// the catalog answer from the start. Then the maintenance thread starts the periodic tasks.
// Shutdown (SIGTERM/SIGINT, or RequestStop): stop accepting, close idle connections, wait up to
// shutdown_grace_ms for in-flight requests (whose acks need the log), stop the HTTP threads and the
// maintenance thread, drain the pipeline, write a final session snapshot, close (flush) the log.
// Thread-safety: Run blocks its caller; RequestStop may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "serving/server_config.h"

namespace segue::serving {

class ServerApp {
 public:
  explicit ServerApp(ServerConfig config);
  ~ServerApp();
  ServerApp(const ServerApp&) = delete;
  ServerApp& operator=(const ServerApp&) = delete;

  // Starts, serves until SIGTERM/SIGINT or RequestStop(), shuts down. on_listening("HOST:PORT") is called
  // once the socket is bound. Returns Ok after a clean shutdown, or the error that prevented start-up
  // or a clean stop. Call once.
  Status Run(const std::function<void(const std::string&)>& on_listening);

  void RequestStop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ServerApp(config).Run(on_listening).
Status RunServer(const ServerConfig& config, const std::function<void(const std::string&)>& on_listening);

}  // namespace segue::serving
