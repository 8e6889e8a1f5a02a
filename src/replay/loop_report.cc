#include "replay/loop_report.h"

#include <cstdio>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/time_util.h"

namespace segue {
namespace {

bool EndsWith(std::string_view s, std::string_view tail) { return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail; }

// A value of metric `name` in its unit: minutes for milliseconds (*_ms, *_ms_*), percent for the rates,
// else as is.
std::string Value(std::string_view name, double v) {
  char buf[48];
  if (EndsWith(name, "_ms") || name.find("_ms_") != std::string_view::npos) {
    std::snprintf(buf, sizeof buf, "%.2f min", v / 60'000);
  } else if (EndsWith(name, "_rate") || name == "trigger_precision" || name == "click_through") {
    std::snprintf(buf, sizeof buf, "%.1f%%", 100 * v);
  } else {
    std::snprintf(buf, sizeof buf, "%.3f", v);
  }
  return buf;
}

// "value [lo, hi]", "value" without an interval, "n/a" when null.
std::string MetricText(std::string_view name, const nlohmann::json& m) {
  if (!m.is_object() || !m.contains("value") || !m["value"].is_number()) return "n/a";
  std::string out = Value(name, m["value"].get<double>());
  const nlohmann::json& ci = m.contains("ci95") ? m["ci95"] : nlohmann::json();
  if (ci.is_array() && ci.size() == 2 && ci[0].is_number() && ci[1].is_number()) {
    out += " [" + Value(name, ci[0].get<double>()) + ", " + Value(name, ci[1].get<double>()) + "]";
  }
  return out;
}

std::string MetricsText(const nlohmann::json& metrics) {
  std::string out;
  if (!metrics.is_object()) return out;
  for (const auto& [name, m] : metrics.items()) out += "\n    " + name + ": " + MetricText(name, m);
  return out;
}

std::string Number(uint64_t n) { return std::to_string(n); }

// The server report's metric shape (docs/api.md): value and ci95 null when undefined.
nlohmann::json MetricJson(const std::optional<double>& value, const std::optional<experiments::Interval>& ci95) {
  nlohmann::json m = {{"value", nullptr}, {"ci95", nullptr}};
  if (value) m["value"] = *value;
  if (ci95) m["ci95"] = {ci95->first, ci95->second};
  return m;
}

nlohmann::json EstimateJson(const experiments::Estimate& e) {
  nlohmann::json m = MetricJson(e.value, e.ci95);
  m["n"] = e.n;
  return m;
}

nlohmann::json DifferenceJson(const experiments::Estimate& arm, const experiments::Estimate& baseline) {
  const experiments::Difference d = experiments::DifferenceOf(arm, baseline);
  return MetricJson(d.value, d.ci95);
}

nlohmann::json LatencyJson(const LatencyPercentiles& l) {
  return {{"p50_ms", l.p50_ms}, {"p99_ms", l.p99_ms}, {"max_ms", l.max_ms}};
}

std::string Latency(const char* what, const LatencyPercentiles& l, uint64_t n) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %s: p50 %.2f ms, p99 %.2f ms (%llu)\n", what, l.p50_ms, l.p99_ms, static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace

std::string ClosedLoopReportToJson(const ClosedLoopReport& r) {
  nlohmann::json arms = nlohmann::json::array(), differences = nlohmann::json::array();
  for (const ClosedLoopArm& a : r.arms) {
    arms.push_back({{"name", a.name},
                    {"listeners", a.listeners},
                    {"sessions", a.sessions},
                    {"pushes", a.pushes},
                    {"accepted", a.accepted},
                    {"metrics", {{"exit_rate", EstimateJson(a.exit_rate())}, {"session_length_ms", EstimateJson(a.session_length_ms())}}}});
  }
  for (size_t k = 1; k < r.arms.size(); ++k) {
    const ClosedLoopArm &a = r.arms[k], &base = r.arms[0];
    differences.push_back({{"arm", a.name},
                           {"baseline", base.name},
                           {"metrics",
                            {{"exit_rate", DifferenceJson(a.exit_rate(), base.exit_rate())},
                             {"session_length_ms", DifferenceJson(a.session_length_ms(), base.session_length_ms())}}}});
  }
  const nlohmann::json j = {
      {"wall_seconds", r.wall_s},
      {"from", FormatRfc3339Ms(r.from_ms)},
      {"until", FormatRfc3339Ms(r.until_ms)},
      {"listeners", r.listeners},
      {"rounds", r.rounds},
      {"events", r.events},
      {"requests", r.requests},
      {"duplicates", r.duplicates},
      {"rejected", r.rejected},
      {"acks", LatencyJson(r.acks)},
      {"gets", r.gets},
      {"get_failures", r.get_failures},
      {"get_latency", LatencyJson(r.get_latency)},
      {"pushes", r.pushes},
      {"pushes_in_time", r.pushes_in_time},
      {"pushes_late", r.pushes_late},
      {"pushes_unmatched", r.pushes_unmatched},
      {"streams_ended", r.streams_ended},
      {"event_to_push", LatencyJson(r.event_to_push)},
      {"offers", r.offers},
      {"pushes_without_tracks", r.pushes_without_tracks},
      {"accepted", r.accepted},
      {"match", {{"offered", r.offered_match}, {"accepted", r.accepted_match}, {"random", r.random_match}, {"popular", r.popular_match}}},
      {"arms", arms},
      {"differences", differences},
  };
  return j.dump();
}

Result<std::string> ExperimentReportToText(std::string_view json) {
  const nlohmann::json r = nlohmann::json::parse(json, nullptr, false);
  if (!r.is_object() || !r.contains("arms") || !r["arms"].is_array()) {
    return Status::InvalidArgument("not an experiment report: " + std::string(json.substr(0, 200)));
  }
  std::string out = "experiment " + r.value("experiment", std::string("?")) + " (server report";
  if (r.contains("horizon_ms") && r["horizon_ms"].is_number()) out += ", horizon " + Value("horizon_ms", r["horizon_ms"].get<double>());
  out += "):\n";
  for (const nlohmann::json& arm : r["arms"]) {
    out += "  arm " + arm.value("name", std::string("?")) + " (" + arm.value("kind", std::string("?")) + "): " +
           arm.value("listeners", nlohmann::json(0)).dump() + " listeners, " + arm.value("sessions", nlohmann::json(0)).dump() +
           " sessions" + MetricsText(arm.value("metrics", nlohmann::json())) + "\n";
  }
  if (r.contains("differences") && r["differences"].is_array()) {
    for (const nlohmann::json& d : r["differences"]) {
      out += "  " + d.value("arm", std::string("?")) + " - " + d.value("baseline", std::string("?")) + ":" +
             MetricsText(d.value("metrics", nlohmann::json())) + "\n";
    }
  }
  return out;
}

std::string ClosedLoopReportToText(const ClosedLoopReport& r) {
  std::string out = "live: " + Number(r.listeners) + " listeners from " + FormatRfc3339Ms(r.from_ms) + " to " +
                    FormatRfc3339Ms(r.until_ms) + " (event time), ";
  char buf[256];
  std::snprintf(buf, sizeof buf, "%.1f s wall: %llu events in %llu requests (%llu rounds), %llu duplicates, %llu rejected\n",
                r.wall_s, static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(r.requests),
                static_cast<unsigned long long>(r.rounds), static_cast<unsigned long long>(r.duplicates),
                static_cast<unsigned long long>(r.rejected));
  out += buf;
  out += "client-side arms (sessions cut from the events sent; exit rate and mean session length, 95 % CI):\n";
  for (const ClosedLoopArm& a : r.arms) {
    out += "  " + a.name + ": " + Number(a.listeners) + " listeners, " +
           Number(a.sessions) + " sessions, " + Number(a.pushes) + " pushes, " + Number(a.accepted) + " accepted" +
           "\n    exit_rate: " + MetricText("exit_rate", EstimateJson(a.exit_rate())) +
           "\n    session_length_ms: " + MetricText("session_length_ms", EstimateJson(a.session_length_ms())) + "\n";
  }
  for (size_t k = 1; k < r.arms.size(); ++k) {
    const ClosedLoopArm &a = r.arms[k], &base = r.arms[0];
    out += "  " + a.name + " - " + base.name + ":\n    exit_rate: " + MetricText("exit_rate", DifferenceJson(a.exit_rate(), base.exit_rate())) +
           "\n    session_length_ms: " +
           MetricText("session_length_ms", DifferenceJson(a.session_length_ms(), base.session_length_ms())) + "\n";
  }
  std::snprintf(buf, sizeof buf,
                "pushes: %llu (%llu in time for the listener's next action, %llu late, %llu for events not sent live), "
                "%llu offered, %llu accepted (click-through %.1f%%)\n",
                static_cast<unsigned long long>(r.pushes), static_cast<unsigned long long>(r.pushes_in_time),
                static_cast<unsigned long long>(r.pushes_late), static_cast<unsigned long long>(r.pushes_unmatched),
                static_cast<unsigned long long>(r.offers),
                static_cast<unsigned long long>(r.accepted), r.offers ? 100.0 * static_cast<double>(r.accepted) / static_cast<double>(r.offers) : 0.0);
  out += buf;
  std::snprintf(buf, sizeof buf,
                "recommendation quality (hidden match 0..1, mean): offered %.3f, accepted %.3f; random tracks %.3f, "
                "popular tracks %.3f\n",
                r.offered_match, r.accepted_match, r.random_match, r.popular_match);
  out += buf;
  out += "latencies:\n";
  out += Latency("POST /v1/events ack", r.acks, r.requests);
  out += Latency("GET recommendations", r.get_latency, r.gets - r.get_failures);
  out += Latency("event -> push", r.event_to_push, r.pushes_in_time + r.pushes_late);
  return out;
}

}  // namespace segue
