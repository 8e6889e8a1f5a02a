#include "log/log_metrics.h"

namespace segue {

void RegisterEventLogMetrics(const EventLog& log, metrics::Registry& registry) {
  const EventLog* l = &log;
  registry.AddCallbackGauge("segue_log_events", "Events stored in the log.",
                            [l] { return static_cast<double>(l->stats().events); });
  registry.AddCallbackGauge("segue_log_logical_bytes", "Bytes of stored events (keys + values).",
                            [l] { return static_cast<double>(l->stats().logical_bytes); });
  registry.AddCallbackGauge("segue_log_disk_bytes", "RocksDB's estimate of the log's size on disk.",
                            [l] { return static_cast<double>(l->stats().disk_bytes); });
  registry.AddCallbackGauge("segue_log_last_seq", "Newest sequence number assigned.",
                            [l] { return static_cast<double>(l->last_seq()); });
  registry.AddCallbackCounter("segue_log_group_commits_total", "Group commits (one synced write each) since start.",
                              [l] { return static_cast<double>(l->stats().group_commits); });
  registry.AddCallbackCounter("segue_log_grouped_events_total", "Events that went through group commits since start.",
                              [l] { return static_cast<double>(l->stats().grouped_events); });
  registry.AddCallbackGauge("segue_log_writable",
                            "1 while the log accepts appends; 0 while it refuses them (disk full, failed write).",
                            [l] { return l->health().ok() ? 1.0 : 0.0; });
  registry.AddCallbackCounter("segue_log_failed_writes_total",
                              "Log writes that failed or were refused by min_free_bytes since start.",
                              [l] { return static_cast<double>(l->stats().failed_writes); });
}

}  // namespace segue
