// The event log's Prometheus metrics (segue_log_*): stored events and bytes, the newest seq, group commits,
// write health. Registered as callback metrics, read at scrape time from EventLog::stats()/health().
// Thread-safety: as the registry; the log must outlive the registry's last scrape.
#pragma once

#include "common/metrics.h"
#include "log/event_log.h"

namespace segue {

void RegisterEventLogMetrics(const EventLog& log, metrics::Registry& registry);

}  // namespace segue
