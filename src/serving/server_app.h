// The `segue serve` process: wires the event log, session tracker, catalog and HTTP routes together
// and owns their lifecycle.
//
// Start-up: open the EventLog in <data_dir> (on_committed hands each committed group to the pipeline,
// whose workers apply it to the SessionTracker and score it; pipeline/pipeline.h), load the persisted catalog, bind the listener
// (on_listening gets the bound address), then restore sessions (snapshot + log tail). Until the restore
// finished, /readyz answers 503 and the event/session routes answer 503 so that no event is applied
// before the replayed ones; /healthz and /metrics answer from the start.
// Running: maintenance runs on its own thread, never on the HTTP threads: a session snapshot every
// snapshot_interval_s, idle-session eviction every evict_interval_s, log retention every
// retention_interval_s (when retention is configured).
// Shutdown (RequestStop, or SIGTERM/SIGINT inside RunServer): stop accepting, close idle connections,
// wait up to shutdown_grace_ms for in-flight requests (whose acks need the log), stop the HTTP threads,
// write a final session snapshot, close (flush) the log.
// Thread-safety: RunServer blocks its caller; RequestStop may be called from any thread or a signal
// handler context via asio's signal_set (which RunServer installs).
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "serving/server_config.h"

namespace segue::serving {

// Runs the server until SIGTERM or SIGINT. on_listening("HOST:PORT") is called once the socket is bound.
// Returns Ok after a clean shutdown, or the error that prevented start-up or a clean stop.
Status RunServer(const ServerConfig& config, const std::function<void(const std::string&)>& on_listening);

}  // namespace segue::serving
