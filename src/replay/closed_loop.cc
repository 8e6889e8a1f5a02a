#include "replay/closed_loop.h"

#include <charconv>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "events/event_json.h"
#include "replay/http_client.h"
#include "replay/push_listeners.h"
#include "sim/sim_random.h"

namespace segue {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kSessionGapMs = 30 * 60'000;  // the server's session timeout (docs/sessions.md)
constexpr size_t kRoundsRemembered = 8;         // rounds whose send times are kept for late pushes

struct Push {
  size_t listener;
  std::string data;
  Clock::time_point at;
};

// The client-side sessions of one listener: the current one, and the totals of those that ended.
struct SessionCut {
  bool open = false;
  bool counted = false;  // started during the run
  bool exited = false;
  int64_t start_ms = 0, last_ms = 0;
  uint64_t sessions = 0, exits = 0;
  double length_ms = 0;
};

class Loop {
 public:
  Loop(sim::Simulator& sim, const ClosedLoopOptions& o)
      : sim_(sim), o_(o), http_(o.host, o.port), rng_(sim.config().seed ^ 0x5eed100bULL), cuts_(sim.listener_count()) {
    for (uint32_t t = 0; t < sim.catalog().size(); ++t) track_index_.emplace(sim.catalog().TrackId(t), t);
    report_.arms.resize(o.arms.size());
    for (size_t a = 0; a < o.arms.size(); ++a) report_.arms[a].name = o.arms[a];
    arm_.resize(sim.listener_count());
    for (size_t i = 0; i < arm_.size(); ++i) {
      arm_[i] = o.arm_of ? o.arm_of(i) : 0;
      if (arm_[i] >= report_.arms.size()) arm_[i] = 0;
      ++report_.arms[arm_[i]].listeners;
      // A session already under way when the run starts is the history's, not counted.
      cuts_[i].open = sim.listener(i).hidden().in_session;
      cuts_[i].last_ms = sim.next_action_ms();  // its last event is not known here: at most this late
    }
    report_.listeners = sim.listener_count();
  }

  Result<ClosedLoopReport> Run() {
    std::vector<std::string> users;
    for (size_t i = 0; i < sim_.listener_count(); ++i) users.push_back(sim_.listener(i).user_id());
    Result<std::unique_ptr<PushListeners>> streams =
        PushListeners::Start(o_.host, o_.port, users, [this](size_t stream, std::string_view data, Clock::time_point at) {
          std::lock_guard lock(inbox_mu_);
          inbox_.push_back({stream, std::string(data), at});
        });
    if (!streams.ok()) return streams.status();
    const auto t0 = Clock::now();
    report_.from_ms = sim_.next_action_ms();
    report_.until_ms = o_.until_ms;
    Status s = Ticks();
    const PushArrivals arrivals = (*streams)->Stop(std::chrono::milliseconds(0));
    report_.streams_ended = arrivals.streams_ended;
    if (!s.ok()) return s;
    Finish();
    report_.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    return report_;
  }

 private:
  Status Ticks() {
    auto last_progress = Clock::now();
    for (int64_t tick_end = report_.from_ms; tick_end < o_.until_ms;) {
      // Skip idle event time; never past the end or the wall clock.
      tick_end = std::min(std::max(tick_end + o_.tick_ms, sim_.next_action_ms() + 1), o_.until_ms);
      const int64_t ahead = tick_end - NowMs();
      if (ahead > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ahead));
      for (;;) {
        sim::VectorSink sink;
        Result<size_t> actions = sim_.RunRound(tick_end, sink);
        if (!actions.ok()) return actions.status();
        if (*actions == 0) break;
        if (Status s = Round(sink.events()); !s.ok()) return s;
      }
      if (o_.progress && Clock::now() - last_progress > std::chrono::seconds(5)) {
        last_progress = Clock::now();
        std::fprintf(stderr, "live: event time %s, %llu events, %llu pushes, %llu accepted\n",
                     FormatRfc3339Ms(tick_end).c_str(), static_cast<unsigned long long>(report_.events),
                     static_cast<unsigned long long>(report_.pushes), static_cast<unsigned long long>(report_.accepted));
      }
    }
    return Status::Ok();
  }

  // Posts one round's events, lets their pushes arrive, hands them out, then the round's GETs.
  Status Round(std::vector<Event>& events) {
    if (events.empty()) return Status::Ok();  // decisions that emit later: nothing for the server yet
    ++report_.rounds;
    std::vector<size_t> session_starts;
    for (const Event& e : events) Observe(e, &session_starts);
    sent_.emplace_back(report_.rounds, std::unordered_map<std::string, Clock::time_point>());
    if (sent_.size() > kRoundsRemembered) sent_.pop_front();
    for (size_t begin = 0; begin < events.size(); begin += o_.max_batch) {
      if (Status s = Post(events, begin, std::min(events.size(), begin + o_.max_batch)); !s.ok()) return s;
    }
    std::this_thread::sleep_for(o_.push_grace);
    DeliverPushes();
    for (size_t i : session_starts) Get(i);
    return Status::Ok();
  }

  Status Post(const std::vector<Event>& events, size_t begin, size_t end) {
    std::string body;
    for (size_t k = begin; k < end; ++k) {
      AppendEventJson(events[k], &body);
      body += '\n';
    }
    const Clock::time_point sent = Clock::now();
    for (size_t k = begin; k < end; ++k) sent_.back().second.emplace(events[k].event_id, sent);
    Result<HttpResponse> r = http_.Call("POST", "/v1/events", body, "application/x-ndjson");
    if (!r.ok()) return r.status();
    ack_us_.push_back(LatencyMicros(Clock::now() - sent));
    ++report_.requests;
    report_.events += end - begin;
    if (r->status != 202) return Status::Internal("POST /v1/events answered " + std::to_string(r->status) + ": " + r->body.substr(0, 200));
    const nlohmann::json ack = nlohmann::json::parse(r->body, nullptr, false);
    if (!ack.is_object()) return Status::Internal("POST /v1/events: a 202 without a JSON body");
    report_.duplicates += ack.value("duplicates", uint64_t{0});
    if (ack.contains("rejected") && ack["rejected"].is_array()) report_.rejected += ack["rejected"].size();
    return Status::Ok();
  }

  // Client-side sessions and accepted offers, from the events as they are sent.
  void Observe(const Event& e, std::vector<size_t>* session_starts) {
    const size_t i = ListenerIndex(e.user_id);
    sim_.listener(i).ClearPlays();  // its per-play diagnostics, unused here, would grow for the whole run
    SessionCut& cut = cuts_[i];
    if (!cut.open || e.ts_ms - cut.last_ms > kSessionGapMs) {
      Close(i);
      cut.open = cut.counted = true;
      cut.exited = false;
      cut.start_ms = cut.last_ms = e.ts_ms;
      if (o_.get_every_sessions > 0 && ++session_starts_ % o_.get_every_sessions == 0) session_starts->push_back(i);
    }
    cut.last_ms = e.ts_ms;
    if (e.type == EventType::kPlay && !e.context.rec_id.empty()) {
      ++report_.accepted;
      ++report_.arms[arm_[i]].accepted;
      if (auto t = track_index_.find(e.track_id); t != track_index_.end()) accepted_match_ += sim_.listener(i).Match(t->second);
    }
    if (e.type == EventType::kExit) {
      cut.exited = true;
      Close(i);
    }
  }

  void Close(size_t i) {
    SessionCut& cut = cuts_[i];
    if (cut.open && cut.counted) {
      ++cut.sessions;
      cut.exits += cut.exited ? 1 : 0;
      cut.length_ms += static_cast<double>(cut.last_ms - cut.start_ms);
    }
    cut.open = false;
  }

  // Simulator user ids are "u%06u" of the index (sim/simulator.h); the events come from that simulator.
  static size_t ListenerIndex(const std::string& user_id) {
    size_t i = 0;
    std::from_chars(user_id.data() + 1, user_id.data() + user_id.size(), i);
    return i;
  }

  void DeliverPushes() {
    std::vector<Push> pushes;
    {
      std::lock_guard lock(inbox_mu_);
      pushes.swap(inbox_);
    }
    for (const Push& p : pushes) Deliver(p);
  }

  void Deliver(const Push& p) {
    ++report_.pushes;
    const nlohmann::json push = nlohmann::json::parse(p.data, nullptr, false);
    if (!push.is_object()) {
      ++report_.pushes_without_tracks;
      return;
    }
    const std::string trigger = push.value("trigger_event_id", "");
    bool timed = false;
    for (const auto& [round, sent] : sent_) {
      auto it = sent.find(trigger);
      if (it == sent.end()) continue;
      push_us_.push_back(LatencyMicros(p.at - it->second));
      (round == report_.rounds ? report_.pushes_in_time : report_.pushes_late) += 1;
      timed = true;
      break;
    }
    if (!timed) ++report_.pushes_unmatched;
    ++report_.arms[arm_[p.listener]].pushes;
    std::vector<uint32_t> tracks;
    if (push.contains("items") && push["items"].is_array()) {
      for (const nlohmann::json& item : push["items"]) {
        auto t = track_index_.find(item.value("track_id", ""));
        if (t != track_index_.end()) tracks.push_back(t->second);
      }
    }
    if (tracks.empty()) {
      ++report_.pushes_without_tracks;
      return;
    }
    sim::Listener& listener = sim_.listener(p.listener);
    listener.OfferRecommendations(tracks, push.value("rec_id", ""), cuts_[p.listener].last_ms);
    ++report_.offers;
    for (uint32_t t : tracks) {
      offered_match_ += listener.Match(t);
      random_match_ += listener.Match(static_cast<uint32_t>(rng_.Below(sim_.catalog().size())));
      popular_match_ += listener.Match(sim_.catalog().SamplePopular(rng_, -1));
    }
    offered_items_ += tracks.size();
  }

  void Get(size_t i) {
    const auto t0 = Clock::now();
    Result<HttpResponse> r = http_.Call("GET", "/v1/users/" + sim_.listener(i).user_id() + "/recommendations?k=10");
    ++report_.gets;
    if (!r.ok() || r->status != 200) {
      ++report_.get_failures;
      return;
    }
    get_us_.push_back(LatencyMicros(Clock::now() - t0));
  }

  void Finish() {
    DeliverPushes();
    for (size_t i = 0; i < cuts_.size(); ++i) {
      Close(i);
      ClosedLoopArm& arm = report_.arms[arm_[i]];
      arm.sessions += cuts_[i].sessions;
      arm.exits.Add(static_cast<double>(cuts_[i].sessions), static_cast<double>(cuts_[i].exits));
      arm.lengths.Add(static_cast<double>(cuts_[i].sessions), cuts_[i].length_ms);
    }
    report_.acks = ComputeLatencyPercentiles(ack_us_);
    report_.get_latency = ComputeLatencyPercentiles(get_us_);
    report_.event_to_push = ComputeLatencyPercentiles(push_us_);
    const double items = static_cast<double>(offered_items_);
    if (offered_items_ > 0) {
      report_.offered_match = offered_match_ / items;
      report_.random_match = random_match_ / items;
      report_.popular_match = popular_match_ / items;
    }
    if (report_.accepted > 0) report_.accepted_match = accepted_match_ / static_cast<double>(report_.accepted);
  }

  sim::Simulator& sim_;
  const ClosedLoopOptions& o_;
  HttpClient http_;
  sim::SimRandom rng_;  // the random baselines of recommendation quality
  std::unordered_map<std::string, uint32_t> track_index_;
  std::vector<size_t> arm_;
  std::vector<SessionCut> cuts_;
  uint64_t session_starts_ = 0;
  std::deque<std::pair<uint64_t, std::unordered_map<std::string, Clock::time_point>>> sent_;  // by round
  std::mutex inbox_mu_;
  std::vector<Push> inbox_;  // guarded by inbox_mu_
  std::vector<uint32_t> ack_us_, get_us_, push_us_;
  uint64_t offered_items_ = 0;
  double offered_match_ = 0, accepted_match_ = 0, random_match_ = 0, popular_match_ = 0;
  ClosedLoopReport report_;
};

}  // namespace

Result<ClosedLoopReport> RunClosedLoop(sim::Simulator& sim, const ClosedLoopOptions& options) {
  if (options.arms.empty()) return Status::InvalidArgument("the closed loop needs at least one arm");
  if (options.tick_ms <= 0 || options.max_batch == 0) return Status::InvalidArgument("tick_ms and max_batch must be positive");
  Loop loop(sim, options);
  return loop.Run();
}

}  // namespace segue
