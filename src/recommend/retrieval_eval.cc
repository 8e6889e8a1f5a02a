#include "recommend/retrieval_eval.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <optional>
#include <unordered_set>

#include "common/hash.h"
#include "features/engagement.h"
#include "models/dataset.h"

namespace segue::recommend {
namespace {

constexpr size_t kProgressListeners = 200;

bool MayStartPlay(EventType type) {
  return type == EventType::kPlay || type == EventType::kSkip || type == EventType::kComplete;
}

// One accumulator pair per retriever, in the retrievers' order.
struct Scoreboard {
  explicit Scoreboard(size_t n) : all(n), discovery(n), errors(n, 0) {}
  std::vector<MetricAccumulator> all;
  std::vector<MetricAccumulator> discovery;
  std::vector<size_t> errors;

  std::vector<ModelMetrics> Summarize(std::span<const Retriever* const> retrievers, const RetrievalEvalOptions& o) const {
    std::vector<ModelMetrics> out;
    for (size_t i = 0; i < retrievers.size(); ++i) {
      out.push_back({std::string(retrievers[i]->name()), all[i].Summarize(o.bootstrap_resamples, o.seed),
                     discovery[i].Summarize(o.bootstrap_resamples, o.seed), errors[i]});
    }
    return out;
  }
};

// Asks every retriever and scores its list against `targets`; `exclude` (sorted) is removed first.
std::vector<MetricValues> AskAll(std::span<const Retriever* const> retrievers, const RetrievalQuery& query,
                                 std::span<const uint32_t> targets, std::span<const uint32_t> exclude,
                                 size_t candidates, Scoreboard* board) {
  std::vector<MetricValues> values;
  std::vector<Candidate> list;
  for (size_t i = 0; i < retrievers.size(); ++i) {
    if (!retrievers[i]->Retrieve(query, candidates + exclude.size(), &list).ok()) {
      list.clear();
      ++board->errors[i];
    }
    std::erase_if(list, [&](const Candidate& c) { return std::binary_search(exclude.begin(), exclude.end(), c.track); });
    if (list.size() > candidates) list.resize(candidates);
    values.push_back(ScoreQuery(list, targets));
  }
  return values;
}

// The event that started a play: what the tracker held just before it.
struct PendingPlay {
  bool captured = false;  // in the test part: `before` was taken
  std::optional<SessionState> before;
  uint32_t track = 0;
  bool new_track = false;  // the listener had never started a play of it before
};

}  // namespace

HistoryCorpus::HistoryCorpus(std::vector<Event> events) : events_(std::move(events)) {
  duplicates_ = PrepareListenerTimelines(&events_);
  for (size_t i = 0; i < events_.size(); ++i) {
    if (i == 0 || events_[i].user_id != events_[i - 1].user_id) begins_.push_back(i);
  }
}

std::span<const Event> HistoryCorpus::events_of(size_t listener) const {
  const size_t end = listener + 1 < begins_.size() ? begins_[listener + 1] : events_.size();
  return std::span<const Event>(events_).subspan(begins_[listener], end - begins_[listener]);
}

int64_t HistoryCorpus::SplitMs(size_t listener, double train_fraction) const {
  std::span<const Event> e = events_of(listener);
  const int64_t first = e.front().ts_ms;
  const int64_t last = e.back().ts_ms;
  if (last <= first) return std::numeric_limits<int64_t>::max();  // one instant: nothing to split
  return first + static_cast<int64_t>(std::ceil(train_fraction * static_cast<double>(last - first)));
}

TrainingSummary ReplayTrainingPart(const HistoryCorpus& corpus, Catalog* catalog, const RetrievalEvalOptions& options,
                                   const TrainingPlayObserver& observe) {
  TrainingSummary summary;
  SessionTracker tracker(catalog, options.tracker);
  for (size_t l = 0; l < corpus.listeners(); ++l) {
    const int64_t split = corpus.SplitMs(l, options.train_fraction);
    for (const Event& e : corpus.events_of(l)) {
      if (e.ts_ms >= split) break;
      const ApplyOutcome outcome = tracker.Apply(e);
      if (!outcome.play_ended) continue;
      tracker.Visit(e.user_id, [&](const SessionState& s) {
        const PlayRecord* p = EndedPlay(s, outcome);
        if (p == nullptr) return;
        ++summary.plays;
        summary.engaged += IsEngagedPlay(*p) ? 1 : 0;
        observe(s, *p);
      });
    }
    ++summary.listeners;
    if (options.progress && (summary.listeners % kProgressListeners == 0 || l + 1 == corpus.listeners())) {
      std::cerr << "\rfitting: " << summary.listeners << "/" << corpus.listeners() << " listeners, " << summary.plays
                << " training plays" << (l + 1 == corpus.listeners() ? "\n" : "") << std::flush;
    }
  }
  return summary;
}

namespace {

// One listener's events replayed in order; every play ended in the window is handed to the observer
// with the query the server had when it started.
class ListenerReplay {
 public:
  ListenerReplay(uint32_t listener, int64_t from, int64_t to, SessionTracker* tracker, Catalog* catalog,
                 const RetrievalEvalOptions& options, const PlayQueryObserver& observe)
      : listener_(listener), from_(from), to_(to), tracker_(*tracker), catalog_(*catalog), options_(options),
        observe_(observe) {}

  void Step(const Event& e) {
    const bool capture = e.ts_ms >= from_ && e.ts_ms < to_ && MayStartPlay(e.type);
    std::optional<SessionState> before = capture ? tracker_.Get(e.user_id) : std::nullopt;
    const uint32_t event_track = MayStartPlay(e.type) ? catalog_.InternTrack(e.track_id) : 0;
    const bool new_track = event_track != 0 && !started_.contains(event_track);
    const ApplyOutcome outcome = tracker_.Apply(e);
    if (outcome.applied && event_track != 0) started_.insert(event_track);
    PlayRecord ended;
    int64_t start_ms = 0;
    const bool found = outcome.play_ended && tracker_.Visit(e.user_id, [&](const SessionState& s) {
      const PlayRecord* p = EndedPlay(s, outcome);
      if (p != nullptr) ended = *p, start_ms = PlayStartMs(s, *p);
    }) && ended.track != 0;
    if (found && start_ms >= from_ && start_ms < to_) {
      // A skip/complete naming a play the client never started starts and ends it at once.
      const bool started_here = (e.type == EventType::kSkip || e.type == EventType::kComplete) &&
                                !(outcome.play_was_ongoing && pending_.track == ended.track);
      if (started_here && capture) {
        Observe(e.user_id, before, new_track, ended, start_ms);
      } else if (!started_here && pending_.captured) {
        Observe(e.user_id, pending_.before, pending_.new_track, ended, start_ms);
      }
    }
    if (found) AddPlayToHistory(ended, start_ms, options_.max_history_tracks, &history_);
    if (e.type == EventType::kPlay && outcome.applied) pending_ = {capture, std::move(before), event_track, new_track};
  }

 private:
  // What the server had when the play started (`before`: the tracker's state then, none for a listener
  // it had never seen).
  void Observe(std::string_view user, const std::optional<SessionState>& before, bool discovery,
               const PlayRecord& play, int64_t start_ms) {
    observe_({listener_, {user, before ? &*before : nullptr, &history_, start_ms}, play, discovery});
  }

  uint32_t listener_;
  int64_t from_, to_;
  SessionTracker& tracker_;
  Catalog& catalog_;
  const RetrievalEvalOptions& options_;
  const PlayQueryObserver& observe_;
  ListenerHistory history_;
  std::unordered_set<uint32_t> started_;  // every track the listener started a play of, so far
  PendingPlay pending_;
};

}  // namespace

void ForEachPlayQuery(const HistoryCorpus& corpus, Catalog* catalog, const RetrievalEvalOptions& options,
                      double from_fraction, double to_fraction, const PlayQueryObserver& observe) {
  SessionTracker tracker(catalog, options.tracker);
  for (size_t l = 0; l < corpus.listeners(); ++l) {
    const int64_t to = to_fraction >= 1 ? std::numeric_limits<int64_t>::max() : corpus.SplitMs(l, to_fraction);
    ListenerReplay replay(static_cast<uint32_t>(l), corpus.SplitMs(l, from_fraction), to, &tracker, catalog, options,
                          observe);
    for (const Event& e : corpus.events_of(l)) {
      if (e.ts_ms >= to) break;  // the play's outcome must not come from after the window either
      replay.Step(e);
    }
    if (options.progress && ((l + 1) % kProgressListeners == 0 || l + 1 == corpus.listeners())) {
      std::cerr << "\rreplaying: " << l + 1 << "/" << corpus.listeners() << " listeners"
                << (l + 1 == corpus.listeners() ? "\n" : "") << std::flush;
    }
  }
}

Result<HistoryEvalReport> EvaluateHistories(const HistoryCorpus& corpus, Catalog* catalog,
                                            std::span<const Retriever* const> retrievers,
                                            const RetrievalEvalOptions& options) {
  if (retrievers.empty()) return Status::InvalidArgument("no retriever to evaluate");
  HistoryEvalReport report;
  report.listeners = corpus.listeners();
  Scoreboard board(retrievers.size());
  ForEachPlayQuery(corpus, catalog, options, options.train_fraction, 1.0, [&](const PlayQuery& q) {
    if (!IsEngagedPlay(q.play)) return;
    const uint32_t targets[] = {q.play.track};
    const std::vector<MetricValues> v = AskAll(retrievers, q.query, targets, {}, options.candidates, &board);
    for (size_t i = 0; i < v.size(); ++i) {
      board.all[i].Add(q.listener, v[i]);
      if (q.discovery) board.discovery[i].Add(q.listener, v[i]);
    }
    ++report.queries;
    report.discovery_queries += q.discovery ? 1 : 0;
  });
  report.models = board.Summarize(retrievers, options);
  return report;
}

bool IsHeldOutPlaylist(const PlaylistTracks& playlist, const RetrievalEvalOptions& options) {
  return options.holdout_modulus > 0 && Fnv1a64(playlist.playlist_id) % options.holdout_modulus == 0;
}

size_t ForEachTrainingPlaylist(std::span<const PlaylistTracks> playlists, const RetrievalEvalOptions& options,
                               const std::function<void(const PlaylistTracks&)>& observe) {
  size_t n = 0;
  for (const PlaylistTracks& p : playlists) {
    if (IsHeldOutPlaylist(p, options)) continue;
    observe(p);
    ++n;
  }
  return n;
}

namespace {

// The playlist's distinct tracks, in order of first appearance.
std::vector<uint32_t> DistinctTracks(const PlaylistTracks& p) {
  std::vector<uint32_t> out;
  std::unordered_set<uint32_t> seen;
  for (uint32_t t : p.tracks) {
    if (t != 0 && seen.insert(t).second) out.push_back(t);
  }
  return out;
}

// The context as the live session a listener playing it through would have: completed plays, oldest
// first, the last max_plays of them.
SessionState ContextSession(const PlaylistTracks& p, std::span<const uint32_t> context, size_t max_plays) {
  SessionState s;
  s.user_id = p.playlist_id;
  s.start_ms = p.modified_at_ms;
  const size_t from = context.size() > max_plays ? context.size() - max_plays : 0;
  for (size_t i = from; i < context.size(); ++i) {
    PlayRecord r;
    r.track = context[i];
    r.start_offset_ms = static_cast<uint32_t>((i - from) * 180'000);
    r.dwell_ms = 180'000;
    r.end = PlayEnd::kCompleted;
    s.plays.push_back(r);
  }
  s.counters.plays = static_cast<uint32_t>(s.plays.size());
  s.counters.completes = s.counters.plays;
  s.last_event_ms = s.start_ms + static_cast<int64_t>(s.plays.size()) * 180'000;
  return s;
}

}  // namespace

Result<PlaylistEvalReport> EvaluatePlaylists(std::span<const PlaylistTracks> playlists,
                                             std::span<const Retriever* const> retrievers,
                                             const RetrievalEvalOptions& options) {
  if (retrievers.empty()) return Status::InvalidArgument("no retriever to evaluate");
  PlaylistEvalReport report;
  report.playlists = playlists.size();
  std::unordered_set<uint32_t> training_tracks;
  for (const PlaylistTracks& p : playlists) {
    if (!IsHeldOutPlaylist(p, options)) training_tracks.insert(p.tracks.begin(), p.tracks.end());
  }
  Scoreboard board(retrievers.size());
  for (const PlaylistTracks& p : playlists) {
    if (!IsHeldOutPlaylist(p, options)) continue;
    const std::vector<uint32_t> tracks = DistinctTracks(p);
    if (tracks.size() < std::max<size_t>(2, options.min_playlist_tracks)) continue;
    const size_t held = std::max<size_t>(1, static_cast<size_t>(static_cast<double>(tracks.size()) * options.holdout_fraction));
    const std::span<const uint32_t> context(tracks.data(), tracks.size() - held);
    const std::span<const uint32_t> targets(tracks.data() + context.size(), held);
    std::vector<uint32_t> exclude(context.begin(), context.end());
    std::sort(exclude.begin(), exclude.end());
    const SessionState session = ContextSession(p, context, options.tracker.max_plays);
    const RetrievalQuery query{p.playlist_id, &session, nullptr, session.last_event_ms};
    std::vector<MetricValues> v = AskAll(retrievers, query, targets, exclude, options.candidates, &board);
    for (size_t i = 0; i < v.size(); ++i) board.all[i].Add(static_cast<uint32_t>(report.queries), v[i]);
    ++report.queries;
    report.targets += targets.size();
    for (uint32_t t : targets) report.targets_in_training += training_tracks.contains(t) ? 1 : 0;
  }
  report.models = board.Summarize(retrievers, options);
  return report;
}

}  // namespace segue::recommend
