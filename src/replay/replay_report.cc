#include <cstdio>

#include <nlohmann/json.hpp>

#include "replay/replay.h"

namespace segue {
namespace {

// The "latency_ms" object of each section; the reads' and pushes' have no mean.
nlohmann::json LatencyJson(const LatencyPercentiles& p, bool with_mean) {
  nlohmann::json j = {{"p50", p.p50_ms}, {"p90", p.p90_ms}, {"p99", p.p99_ms}, {"max", p.max_ms}};
  if (with_mean) j["mean"] = p.mean_ms;
  return j;
}

}  // namespace

std::string ReplayReportToJson(const ReplayReport& r) {
  nlohmann::ordered_json errors = nlohmann::ordered_json::object();
  for (const auto& [kind, count] : r.errors) errors[kind] = count;
  nlohmann::ordered_json j = {
      {"target", r.target},
      {"rate", r.rate},
      {"batch", r.batch},
      {"connections", r.connections},
      {"events_in_file", r.events_in_file},
      {"events_without_user_id", r.events_without_user_id},
      {"events_sent", r.events_sent},
      {"requests", r.requests},
      {"elapsed_s", r.elapsed_s},
      {"events_per_s", r.events_per_s},
      {"accepted", r.accepted},
      {"duplicates", r.duplicates},
      {"rejected", r.rejected},
      {"failed_events", r.failed_events},
      {"errors", errors},
      {"latency_ms", LatencyJson(r.latency, /*with_mean=*/true)},
  };
  if (r.reads) {
    const ReadLoadReport& x = *r.reads;
    j["reads"] = {{"path", x.path_template}, {"rate", x.rate}, {"requests", x.requests}, {"ok", x.ok},
                  {"errors", x.errors}, {"sources", x.sources}, {"elapsed_s", x.elapsed_s},
                  {"latency_ms", LatencyJson(x.latency, /*with_mean=*/false)}};
  }
  if (r.pushes) {
    const PushLatencyReport& p = *r.pushes;
    j["pushes"] = {{"streams", p.streams}, {"pushes", p.pushes}, {"matched", p.matched},
                   {"streams_ended", p.streams_ended}, {"sources", p.sources},
                   {"latency_ms", LatencyJson(p.latency, /*with_mean=*/false)}};
  }
  return j.dump();
}

std::string ReplayReportToText(const ReplayReport& r) {
  char buf[1024];
  std::string out;
  std::snprintf(buf, sizeof buf,
                "target %s, batch %zu, %zu connections, rate %s\n"
                "sent %llu of %llu events in %llu requests over %.2f s: %.0f events/s acknowledged\n"
                "accepted %llu, duplicates %llu, rejected %llu, failed %llu; %llu events without user_id (sent on connection 0)\n"
                "ack latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  mean %.2f\n",
                r.target.c_str(), r.batch, r.connections,
                r.rate > 0 ? (std::to_string(static_cast<long long>(r.rate)) + " events/s").c_str() : "unpaced",
                static_cast<unsigned long long>(r.events_sent), static_cast<unsigned long long>(r.events_in_file),
                static_cast<unsigned long long>(r.requests), r.elapsed_s, r.events_per_s,
                static_cast<unsigned long long>(r.accepted), static_cast<unsigned long long>(r.duplicates),
                static_cast<unsigned long long>(r.rejected), static_cast<unsigned long long>(r.failed_events),
                static_cast<unsigned long long>(r.events_without_user_id),
                r.latency.p50_ms, r.latency.p90_ms, r.latency.p99_ms, r.latency.max_ms, r.latency.mean_ms);
  out = buf;
  if (!r.errors.empty()) {
    out += "errors:";
    for (const auto& [kind, count] : r.errors) out += " " + kind + "=" + std::to_string(count);
    out += "\n";
  }
  if (r.reads) out += ReadLoadReportToText(*r.reads);
  if (r.pushes) out += PushLatencyReportToText(*r.pushes);
  return out;
}

}  // namespace segue
