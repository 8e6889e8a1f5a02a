#include "models/history_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include <nlohmann/json.hpp>

#include "models/dataset.h"

namespace segue {
namespace {

constexpr double kMinuteMs = 60'000.0;
constexpr double kHourMs = 3'600'000.0;

double At(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

double Share(size_t part, size_t whole) { return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole); }

nlohmann::json QuantilesJson(const Quantiles& q) {
  return {{"mean", q.mean}, {"p10", q.p10}, {"p25", q.p25}, {"p50", q.p50}, {"p75", q.p75}, {"p90", q.p90}};
}

}  // namespace

Quantiles QuantilesOf(std::vector<double> values) {
  Quantiles q;
  if (values.empty()) return q;
  std::sort(values.begin(), values.end());
  q.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  q.p10 = At(values, 0.10);
  q.p25 = At(values, 0.25);
  q.p50 = At(values, 0.50);
  q.p75 = At(values, 0.75);
  q.p90 = At(values, 0.90);
  return q;
}

HistoryStatsBuilder::HistoryStatsBuilder(LabelConfig config, std::vector<int64_t> horizons_ms) : config_(config) {
  for (int64_t h : horizons_ms) stats_.horizons.push_back({h, 0, 0, 0, 0});
}

void HistoryStatsBuilder::AddListener(const std::vector<TimelineEvent>& timeline) {
  if (timeline.empty()) return;
  ++stats_.listeners;
  stats_.events += timeline.size();
  for (const TimelineEvent& e : timeline) {
    stats_.searches += e.type == EventType::kSearch;
    stats_.pauses += e.type == EventType::kPause;
  }
  AddSessions(timeline);
  AddLabels(timeline);
}

void HistoryStatsBuilder::AddSessions(const std::vector<TimelineEvent>& t) {
  const std::vector<SessionSpan> spans = SessionSpans(t, config_);
  const std::vector<std::vector<uint8_t>> plays = SessionPlaySkips(t, config_);
  for (size_t s = 0; s < spans.size(); ++s) {
    const SessionSpan& span = spans[s];
    ++stats_.sessions;
    stats_.exit_sessions += span.exited;
    stats_.paused_end_sessions += t[span.last].type == EventType::kPause;
    bool searched = false;
    for (size_t i = span.first; i <= span.last; ++i) searched |= t[i].type == EventType::kSearch;
    stats_.search_sessions += searched;
    const size_t n_plays = plays[s].size();
    stats_.plays += n_plays;
    stats_.skipped_plays += static_cast<size_t>(std::count(plays[s].begin(), plays[s].end(), 1));
    stats_.single_play_sessions += n_plays == 1;
    session_events_.push_back(static_cast<double>(span.last - span.first + 1));
    session_plays_.push_back(static_cast<double>(n_plays));
    session_minutes_.push_back(static_cast<double>(t[span.last].ts_ms - t[span.first].ts_ms) / kMinuteMs);
    if (s > 0) gap_hours_.push_back(static_cast<double>(t[span.first].ts_ms - t[spans[s - 1].last].ts_ms) / kHourMs);
  }
}

void HistoryStatsBuilder::AddLabels(const std::vector<TimelineEvent>& t) {
  for (HorizonRate& rate : stats_.horizons) {
    LabelConfig config = config_;
    config.horizon_ms = rate.horizon_ms;
    const std::vector<DecisionLabel> labels = BuildLabels(t, config);
    if (&rate == &stats_.horizons.front()) stats_.decision_points += labels.size();
    for (const DecisionLabel& l : labels) {
      rate.positives += l.positive;
      rate.by_exit += (l.reasons & (kReasonExit | kReasonTimeout)) != 0;
      rate.by_search += (l.reasons & kReasonSearch) != 0;
      rate.by_burst += (l.reasons & kReasonSkipBurst) != 0;
    }
  }
}

HistoryStats HistoryStatsBuilder::Finish() const {
  HistoryStats out = stats_;
  out.session_events = QuantilesOf(session_events_);
  out.session_plays = QuantilesOf(session_plays_);
  out.session_minutes = QuantilesOf(session_minutes_);
  out.gap_hours = QuantilesOf(gap_hours_);
  return out;
}

HistoryStats HistoryStatsOfEvents(std::vector<Event> events, const LabelConfig& config,
                                  const std::vector<int64_t>& horizons_ms) {
  PrepareListenerTimelines(&events);
  HistoryStatsBuilder builder(config, horizons_ms);
  std::vector<TimelineEvent> timeline;
  for (size_t i = 0; i < events.size(); ++i) {
    timeline.push_back({events[i].ts_ms, events[i].type});
    if (i + 1 == events.size() || events[i + 1].user_id != events[i].user_id) {
      builder.AddListener(timeline);
      timeline.clear();
    }
  }
  return builder.Finish();
}

std::string HistoryStatsJson(const HistoryStats& s) {
  nlohmann::json horizons = nlohmann::json::array();
  for (const HorizonRate& h : s.horizons) {
    horizons.push_back({{"horizon_min", static_cast<double>(h.horizon_ms) / kMinuteMs},
                        {"positive_rate", Share(h.positives, s.decision_points)},
                        {"exit_rate", Share(h.by_exit, s.decision_points)},
                        {"search_rate", Share(h.by_search, s.decision_points)},
                        {"burst_rate", Share(h.by_burst, s.decision_points)}});
  }
  nlohmann::json j = {
      {"listeners", s.listeners},
      {"events", s.events},
      {"sessions", s.sessions},
      {"plays", s.plays},
      {"decision_points", s.decision_points},
      {"skip_rate", Share(s.skipped_plays, s.plays)},
      {"searches_per_play", Share(s.searches, s.plays)},
      {"pauses_per_play", Share(s.pauses, s.plays)},
      {"search_session_share", Share(s.search_sessions, s.sessions)},
      {"exit_session_share", Share(s.exit_sessions, s.sessions)},
      {"paused_end_session_share", Share(s.paused_end_sessions, s.sessions)},
      {"single_play_session_share", Share(s.single_play_sessions, s.sessions)},
      {"session_events", QuantilesJson(s.session_events)},
      {"session_plays", QuantilesJson(s.session_plays)},
      {"session_minutes", QuantilesJson(s.session_minutes)},
      {"gap_hours", QuantilesJson(s.gap_hours)},
      {"horizons", horizons},
  };
  return j.dump();
}

std::string HistoryStatsText(const HistoryStats& s) {
  std::string out;
  char line[256];
  auto add = [&](const char* label, const Quantiles& q, const char* unit) {
    std::snprintf(line, sizeof line, "%-18s mean %.1f, p10 %.1f, p25 %.1f, median %.1f, p75 %.1f, p90 %.1f%s\n", label,
                  q.mean, q.p10, q.p25, q.p50, q.p75, q.p90, unit);
    out += line;
  };
  std::snprintf(line, sizeof line, "%zu listeners, %zu events, %zu sessions, %zu plays, %zu decision points\n",
                s.listeners, s.events, s.sessions, s.plays, s.decision_points);
  out += line;
  std::snprintf(line, sizeof line, "skip rate %.3f, searches per play %.3f, pauses per play %.3f\n",
                Share(s.skipped_plays, s.plays), Share(s.searches, s.plays), Share(s.pauses, s.plays));
  out += line;
  std::snprintf(line, sizeof line,
                "sessions: %.3f with a search, %.3f ended by exit (rest timed out), %.3f left paused, %.3f single-play\n",
                Share(s.search_sessions, s.sessions), Share(s.exit_sessions, s.sessions),
                Share(s.paused_end_sessions, s.sessions), Share(s.single_play_sessions, s.sessions));
  out += line;
  add("session events:", s.session_events, "");
  add("session plays:", s.session_plays, "");
  add("session minutes:", s.session_minutes, " min");
  add("gap between:", s.gap_hours, " h");
  for (const HorizonRate& h : s.horizons) {
    std::snprintf(line, sizeof line, "H = %g min: positive %.3f (exit/timeout %.3f, search %.3f, skip burst %.3f)\n",
                  static_cast<double>(h.horizon_ms) / kMinuteMs, Share(h.positives, s.decision_points),
                  Share(h.by_exit, s.decision_points), Share(h.by_search, s.decision_points),
                  Share(h.by_burst, s.decision_points));
    out += line;
  }
  return out;
}

}  // namespace segue
