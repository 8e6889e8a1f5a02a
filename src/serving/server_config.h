// Everything `segue serve` can be configured with, its defaults, and loading it from a TOML file
// (every key is documented in docs/operations.md). Command-line flags override file values; that merge
// happens in cli/cmd_serve.cc.
//
// Each component's own options struct is embedded as it is (the log's EventLogOptions, the tracker's
// SessionTrackerOptions, ...): a new option is added once, in its component, plus one line in the TOML
// reader. Fields the server fills itself (the log's dir and callbacks, the scorer's registry) are not
// read from the file. Plain values; LoadServerConfig is reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bus/redis_bus_options.h"
#include "common/status.h"
#include "events/event_parser.h"
#include "feedback/feedback_collector.h"
#include "experiments/experiment_spec.h"
#include "log/event_log.h"
#include "models/disengagement_scorer.h"
#include "pipeline/pipeline.h"
#include "push/push_options.h"
#include "recommend/recommend_config.h"
#include "serving/http_server.h"
#include "serving/retrain_options.h"
#include "session/session_tracker.h"

namespace segue::serving {

// [sessions] keys that are the server's schedule rather than the tracker's options.
struct SessionMaintenanceOptions {
  int64_t snapshot_interval_s = 60;
  // Also snapshot once this many events were applied since the last snapshot, so a restart replays at
  // most about this many events however long the log is; 0 = by time only.
  uint64_t snapshot_every_events = 1'000'000;
  int64_t evict_interval_s = 10;
  // Snapshots and the restore from them; off (set by the server, not a config key) on a bus node, whose
  // session state is checkpointed per partition in the online store instead (src/nodes/).
  bool snapshots = true;
};

// [scoring]: the disengagement model.
struct ScoringConfig {
  // Disengagement model bundles (models/disengagement_bundle.h); empty: no scoring. The newest bundle is
  // loaded at start and re-checked every models_check_interval_s (a newer valid one is swapped in).
  std::string models_dir;
  int64_t models_check_interval_s = 30;
  ScorerOptions scorer;
};

// The log's options with the server's defaults: a free-space reserve (writes are refused with 507 below it).
inline EventLogOptions ServerLogDefaults() {
  EventLogOptions options;
  options.min_free_bytes = 64u << 20;
  return options;
}

// [bus] / --bus: the Redis bus (issue #12). Without a url the embedded log serves (the default). With
// one, ingest appends to the bus and this node processes the partitions it owns (src/nodes/); the
// partition count is [log] partitions, the same on every node.
struct BusConfig {
  bus::RedisBusOptions redis;  // url, wait_replicas, dedup_window_ms, accept_weak_durability (url empty: off)
  std::string node_id;         // unique per node; empty: "<hostname>:<listen port>"
  int64_t lease_ms = 3000;     // partition lease; a dead node's partitions are taken over after about this
  uint64_t retain_events = 0;  // per partition, kept below the checkpoint; older entries trimmed; 0 = keep all
};

struct ServerConfig {
  std::string data_dir;  // the event log and state (becomes log.dir)
  std::string listen = "127.0.0.1:8080";
  int threads = 2;  // HTTP I/O threads

  HttpServerOptions http;              // [http]
  int64_t shutdown_grace_ms = 10'000;  // [http] SIGTERM: wait this long for in-flight requests
  ParseLimits events;                  // [events]
  EventLogOptions log = ServerLogDefaults();  // [log]
  int64_t retention_interval_s = 300;  // [log]
  PipelineOptions pipeline;            // [pipeline]
  SessionTrackerOptions sessions;      // [sessions]
  SessionMaintenanceOptions session_maintenance;  // [sessions]
  ScoringConfig scoring;               // top-level models_dir / models_check_interval_s, and [scoring]
  push::PushOptions push;              // [push]
  recommend::RecommendConfig recommend;  // [recommend]
  std::string admin_token_file;        // [admin] token_file: admin routes are off without it (admin_auth.h)
  feedback::FeedbackOptions feedback;  // [feedback] (dir and the session timeout are filled in at start)
  std::vector<experiments::ExperimentSpec> experiments;  // [[experiments]] (valid, distinct ids)
  RetrainOptions retrain;              // segue serve --retrain-interval / --retrain-args (retrain_component.h)
  BusConfig bus;                       // [bus], segue serve --bus / --node-id
};

// Reads `path` over the values already in `config`. Unknown keys, wrong types and out-of-range values
// are kInvalidArgument naming the key ("http.max_connections: must be >= 1").
Status LoadServerConfig(const std::string& path, ServerConfig* config);

// Checks cross-field constraints and ranges after flags were applied.
Status ValidateServerConfig(const ServerConfig& config);

}  // namespace segue::serving
