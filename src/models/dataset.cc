#include "models/dataset.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <limits>
#include <string_view>
#include <unordered_set>

#include "catalog/track_json.h"
#include "common/hash.h"
#include "events/event_parser.h"
#include "features/session_features.h"

namespace segue {
namespace {

constexpr size_t kProgressLines = 500'000;
constexpr size_t kProgressUsers = 200;

bool Blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

Result<EventFile> ReadEventFile(const std::string& path, bool progress) {
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot open events file " + path);
  ParseLimits limits;
  // History files are in the past and simulations may lie in the future: no wall-clock check.
  const int64_t far_future = std::numeric_limits<int64_t>::max() / 4;
  EventFile out;
  std::string line;
  while (std::getline(in, line)) {
    ++out.lines;
    if (Blank(line)) continue;
    Result<Event> event = ParseEvent(line, limits, far_future);
    if (!event.ok()) {
      if (out.rejected++ == 0) out.first_error = "line " + std::to_string(out.lines) + ": " + event.status().message();
      continue;
    }
    out.events.push_back(std::move(*event));
    if (progress && out.lines % kProgressLines == 0) {
      std::cerr << "\rreading " << path << ": " << out.lines << " lines" << std::flush;
    }
  }
  if (progress && out.lines >= kProgressLines) std::cerr << "\n";
  if (in.bad()) return Status::IoError("error reading " + path);
  if (out.events.empty()) {
    return Status::InvalidArgument("events file " + path + ": no valid event" +
                                   (out.rejected ? " (first error: " + out.first_error + ")" : ""));
  }
  return out;
}

Result<size_t> LoadCatalogFile(const std::string& path, Catalog* catalog) {
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot open catalog file " + path);
  std::string line;
  size_t line_no = 0, tracks = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (Blank(line)) continue;
    Result<Track> track = ParseTrackJson(line);
    if (!track.ok()) {
      return Status::InvalidArgument("catalog file " + path + " line " + std::to_string(line_no) + ": " +
                                     track.status().message());
    }
    catalog->Upsert(std::move(*track));
    ++tracks;
  }
  if (in.bad()) return Status::IoError("error reading " + path);
  return tracks;
}

Status ValidateDatasetOptions(const DatasetOptions& o) {
  if (Status s = ValidateLabelConfig(o.labels); !s.ok()) return s;
  if (!(o.train_time_fraction > 0 && o.train_time_fraction < 1)) {
    return Status::InvalidArgument("train_time_fraction: must be in (0, 1)");
  }
  if (o.holdout_user_modulus < 2) return Status::InvalidArgument("holdout_user_modulus: must be at least 2");
  if (o.max_plays < kSequenceLength) {
    return Status::InvalidArgument("max_plays: must be at least the sequence length " + std::to_string(kSequenceLength));
  }
  return Status::Ok();
}

Result<DatasetSummary> ForEachExample(std::vector<Event> events, Catalog* catalog, const DatasetOptions& options,
                                      const ExampleVisitor& visit) {
  return ForEachDecision(std::move(events), catalog, options,
                         [&](const ExampleInfo& info, const FeatureVector& f, const Event&) { visit(info, f); });
}

size_t PrepareListenerTimelines(std::vector<Event>* events_ptr) {
  std::vector<Event>& events = *events_ptr;
  // Mark first, move after: the set holds views into the events.
  std::vector<bool> keep(events.size(), true);
  {
    std::unordered_set<std::string_view> seen;
    seen.reserve(events.size());
    for (size_t i = 0; i < events.size(); ++i) keep[i] = seen.insert(events[i].event_id).second;
  }
  size_t kept = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!keep[i]) continue;
    if (kept != i) events[kept] = std::move(events[i]);
    ++kept;
  }
  const size_t duplicates = events.size() - kept;
  events.resize(kept);
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    if (a.user_id != b.user_id) return a.user_id < b.user_id;
    return a.ts_ms < b.ts_ms;
  });
  return duplicates;
}

Result<DatasetSummary> ForEachDecision(std::vector<Event> events, Catalog* catalog, const DatasetOptions& options,
                                       const DecisionVisitor& visit) {
  if (Status s = ValidateDatasetOptions(options); !s.ok()) return s;
  DatasetSummary summary;

  summary.duplicate_events = PrepareListenerTimelines(&events);
  summary.events = events.size();

  SessionTrackerOptions tracker_options;
  tracker_options.max_plays = options.max_plays;
  tracker_options.session_timeout_ms = options.labels.session_timeout_ms;
  SessionTracker tracker(catalog, tracker_options);

  std::vector<TimelineEvent> timeline;
  FeatureVector features;
  size_t users_total = 0;
  for (size_t i = 0; i < events.size(); ++i) users_total += (i == 0 || events[i].user_id != events[i - 1].user_id);

  for (size_t begin = 0; begin < events.size();) {
    size_t end = begin;
    while (end < events.size() && events[end].user_id == events[begin].user_id) ++end;
    const std::string& user = events[begin].user_id;
    const uint32_t user_index = static_cast<uint32_t>(summary.users++);

    timeline.clear();
    for (size_t i = begin; i < end; ++i) timeline.push_back({events[i].ts_ms, events[i].type});
    const std::vector<DecisionLabel> labels = BuildLabels(timeline, options.labels);
    const std::vector<std::vector<uint8_t>> session_plays = SessionPlaySkips(timeline, options.labels);

    const int64_t first_ts = events[begin].ts_ms;
    const int64_t last_ts = events[end - 1].ts_ms;
    const double cutoff = static_cast<double>(first_ts) + options.train_time_fraction * static_cast<double>(last_ts - first_ts);
    const bool holdout = Fnv1a64(user) % options.holdout_user_modulus == 0;

    size_t next_label = 0;
    for (size_t i = begin; i < end; ++i) {
      summary.engagement.Add(EngagementSignalsOf(events[i].type, tracker.Apply(events[i])));
      if (next_label >= labels.size() || labels[next_label].event_index != i - begin) continue;
      const DecisionLabel& label = labels[next_label++];
      ExampleInfo info;
      bool visited = tracker.Visit(user, [&](const SessionState& state) {
        ComputeSessionFeatures(state, *catalog, &features);
        info.time_train = static_cast<double>(state.start_ms) < cutoff;
      });
      if (!visited) return Status::Internal("session tracker has no state for " + user + " after applying its event");
      info.user = user_index;
      info.session = static_cast<uint32_t>(summary.sessions + label.session);
      info.ts_ms = events[i].ts_ms;
      info.label = label.positive ? 1 : 0;
      info.reasons = label.reasons;
      info.holdout_user = holdout;
      info.ended_play = label.ended_play;
      info.next_play_skipped = label.next_play_skipped;
      info.session_plays = static_cast<uint16_t>(std::min<size_t>(session_plays[label.session].size(), UINT16_MAX));
      ++summary.examples;
      summary.positives += info.label;
      visit(info, features, events[i]);
    }
    summary.sessions += session_plays.size();
    if (options.progress && (summary.users % kProgressUsers == 0 || end == events.size())) {
      std::cerr << "\rreplaying: " << summary.users << "/" << users_total << " listeners, " << summary.examples
                << " decision points" << std::flush;
    }
    begin = end;
  }
  if (options.progress) std::cerr << "\n";
  return summary;
}

}  // namespace segue
