#include "push/push_hub.h"

#include <algorithm>
#include <shared_mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace segue::push {

struct Subscription::HubState {
  HubState(PushHubOptions o, metrics::Registry& registry)
      : options(o),
        published(registry.AddCounter("segue_push_published_total", "Messages published to the push hub.")),
        unheard(registry.AddCounter("segue_push_published_unheard_total",
                                    "Messages published for a listener with no subscriber.")),
        deliveries(registry.AddCounter("segue_push_deliveries_total",
                                       "Messages queued for a subscriber (one per subscriber per message).")),
        dropped(registry
                    .AddCounterFamily("segue_push_dropped_total",
                                      "Messages a subscriber lost, by reason (buffer_full: it did not keep up "
                                      "and its oldest buffered message was dropped).",
                                      {"reason"})
                    .WithLabels({"buffer_full"})),
        refused(registry.AddCounterFamily("segue_push_subscribe_refused_total",
                                          "Subscriptions refused at a bound, by bound (per_listener, total).",
                                          {"reason"})),
        disconnected(registry.AddCounter("segue_push_subscribers_disconnected_total",
                                         "Subscribers let go after push.disconnect_after_drops drops in a row.")) {}

  // False when `s` was already removed (by an overflow, or concurrently).
  bool Remove(const std::shared_ptr<Subscriber>& s) {
    std::unique_lock lock(mu);
    auto it = by_user.find(s->user_id());
    if (it == by_user.end()) return false;
    auto& subs = it->second;
    auto pos = std::find(subs.begin(), subs.end(), s);
    if (pos == subs.end()) return false;
    subs.erase(pos);
    --total;
    if (subs.empty()) by_user.erase(it);
    return true;
  }

  const PushHubOptions options;
  metrics::Counter& published;
  metrics::Counter& unheard;
  metrics::Counter& deliveries;
  metrics::Counter& dropped;
  metrics::CounterFamily& refused;
  metrics::Counter& disconnected;

  mutable std::shared_mutex mu;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Subscriber>>> by_user;
  size_t total = 0;
};

Subscription::Subscription(std::shared_ptr<HubState> hub, std::shared_ptr<Subscriber> subscriber)
    : hub_(std::move(hub)), subscriber_(std::move(subscriber)) {}

Subscription::Subscription(Subscription&& other) noexcept = default;

Subscription::~Subscription() {
  if (hub_) hub_->Remove(subscriber_);
}

PushHub::PushHub(PushHubOptions options, metrics::Registry& registry)
    : state_(std::make_shared<Subscription::HubState>(options, registry)) {
  registry.AddCallbackGauge("segue_push_subscribers", "Live push subscribers (SSE and WebSocket connections).",
                            [st = state_.get()] {
                              std::shared_lock lock(st->mu);
                              return static_cast<double>(st->total);
                            });
}

PushHub::~PushHub() {
  std::vector<std::shared_ptr<Subscriber>> all;
  {
    std::shared_lock lock(state_->mu);
    for (const auto& [user, subs] : state_->by_user) all.insert(all.end(), subs.begin(), subs.end());
  }
  for (const auto& s : all) s->Close();
}

Result<Subscription> PushHub::Subscribe(const std::string& user_id) {
  const PushHubOptions& o = state_->options;
  auto subscriber = std::make_shared<Subscriber>(user_id, o.buffer_messages);
  std::unique_lock lock(state_->mu);
  if (state_->total >= o.max_subscribers) {
    state_->refused.WithLabels({"total"}).Inc();
    return Status::ResourceExhausted("the server has " + std::to_string(o.max_subscribers) +
                                     " push subscribers already (push.max_subscribers)");
  }
  auto& subs = state_->by_user[user_id];
  if (subs.size() >= o.max_subscribers_per_listener) {
    state_->refused.WithLabels({"per_listener"}).Inc();
    return Status::ResourceExhausted("listener has " + std::to_string(subs.size()) +
                                     " push subscribers already (push.max_subscribers_per_listener)");
  }
  subs.push_back(subscriber);
  ++state_->total;
  return Subscription(state_, std::move(subscriber));
}

PublishResult PushHub::Publish(PushMessagePtr message) {
  Subscription::HubState& st = *state_;
  st.published.Inc();
  PublishResult result;
  std::vector<std::shared_ptr<Subscriber>> overflowing;
  {
    std::shared_lock lock(st.mu);
    auto it = st.by_user.find(message->user_id);
    if (it == st.by_user.end()) {
      st.unheard.Inc();
      return result;
    }
    for (const auto& s : it->second) {
      ++result.subscribers;
      if (s->Offer(message) == Subscriber::Offered::kQueued) continue;
      ++result.dropped;
      const size_t limit = st.options.disconnect_after_drops;
      if (limit > 0 && s->consecutive_drops() >= limit) overflowing.push_back(s);
    }
  }
  st.deliveries.Inc(result.subscribers);
  st.dropped.Inc(result.dropped);
  for (const auto& s : overflowing) {
    if (!st.Remove(s)) continue;
    s->Close();
    st.disconnected.Inc();
  }
  return result;
}

size_t PushHub::subscriber_count() const {
  std::shared_lock lock(state_->mu);
  return state_->total;
}

}  // namespace segue::push
