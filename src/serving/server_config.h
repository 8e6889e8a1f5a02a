// Everything `segue serve` can be configured with, its defaults, and loading it from a TOML file
// (every key is documented in docs/operations.md). Command-line flags override file values; that merge
// happens in cli/cmd_serve.cc. Plain values; LoadServerConfig is reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/status.h"
#include "recommend/recommend_config.h"

namespace segue::serving {

struct ServerConfig {
  std::string data_dir;
  std::string listen = "127.0.0.1:8080";
  int threads = 2;  // HTTP I/O threads
  // Disengagement model bundles (models/disengagement_bundle.h); empty: no scoring. The newest bundle is
  // loaded at start and re-checked every models_check_interval_s (a newer valid one is swapped in).
  std::string models_dir;
  int64_t models_check_interval_s = 30;

  // [http]
  size_t body_limit_bytes = 8u << 20;
  size_t header_limit_bytes = 16u << 10;
  size_t max_buffered_body_bytes = 256u << 20;  // request bodies in flight together; beyond it 503
  size_t max_connections = 1024;
  size_t max_connections_per_client = 128;  // per client address; 0 = unlimited (e.g. behind a proxy)
  size_t probe_reserve_connections = 16;    // extra connections that serve only /healthz and /readyz
  int64_t idle_timeout_ms = 30'000;
  int64_t body_timeout_ms = 30'000;
  int64_t write_timeout_ms = 30'000;
  int64_t shutdown_grace_ms = 10'000;  // SIGTERM: wait this long for in-flight requests

  // [events]
  size_t max_events_per_batch = 10'000;
  int64_t max_future_skew_ms = 5LL * 60 * 1000;

  // [log]
  uint32_t partitions = 16;
  bool sync = true;
  size_t max_pending_events = 200'000;
  size_t dedup_capacity = size_t{1} << 20;
  int64_t dedup_window_ms = 24LL * 3600 * 1000;
  int64_t retention_ms = 0;
  uint64_t retention_bytes = 0;
  int64_t retention_interval_s = 300;
  // Free-space reserve of the data dir's disk: below it, appends are refused with 507 (EventLogOptions).
  uint64_t min_free_bytes = 64u << 20;

  // [pipeline]
  uint32_t pipeline_workers = 2;           // threads applying committed events; partition p → worker p % N
  size_t pipeline_queue_events = 1u << 16;  // per worker; a full queue stalls the log's committer
  int pipeline_worker_nice = 5;             // niceness of the workers relative to the process

  // [sessions]
  int64_t session_timeout_ms = 30LL * 60 * 1000;
  uint32_t max_plays = 64;
  size_t max_sessions = 1'000'000;
  int64_t snapshot_interval_s = 60;
  // Also snapshot once this many events were applied since the last snapshot, so a restart replays at
  // most about this many events however long the log is; 0 = by time only.
  uint64_t snapshot_every_events = 1'000'000;
  int64_t evict_interval_s = 10;

  // [recommend]: the recommendation path (recommend/recommend_config.h)
  recommend::RecommendConfig recommend;
};

// Reads `path` over the values already in `config`. Unknown keys, wrong types and out-of-range values
// are kInvalidArgument naming the key ("http.max_connections: must be >= 1").
Status LoadServerConfig(const std::string& path, ServerConfig* config);

// Checks cross-field constraints and ranges after flags were applied.
Status ValidateServerConfig(const ServerConfig& config);

}  // namespace segue::serving
