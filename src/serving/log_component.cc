#include "serving/log_component.h"

#include <spdlog/spdlog.h>

#include "common/time_util.h"
#include "log/log_metrics.h"

namespace segue::serving {

void LogComponent::Register(ServerHost& host) {
  RegisterEventLogMetrics(*log_, host.registry());
  if (!retention_) return;
  host.Every(std::chrono::seconds(retention_interval_s_), [this] {
    if (Status s = log_->ApplyRetention(NowMs()); !s.ok()) spdlog::error("log retention failed: {}", s.message());
  });
}

}  // namespace segue::serving
