#include "nodes/redis_push_relay.h"

#include <hiredis/hiredis.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "nodes/node_keys.h"

namespace segue::nodes {
namespace {

constexpr std::chrono::milliseconds kRetry{250};

// A push on the channel: the publishing node and the message.
std::string Encode(const std::string& node, const push::PushMessage& m) {
  return nlohmann::json{{"node", node}, {"user_id", m.user_id}, {"rec_id", m.rec_id}, {"json", m.json}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

timeval ToTimeval(std::chrono::milliseconds d) {
  return {static_cast<time_t>(d.count() / 1000), static_cast<suseconds_t>((d.count() % 1000) * 1000)};
}

}  // namespace

RedisPushRelay::RedisPushRelay(bus::RedisClientOptions redis, std::string node_id, Deliver deliver,
                               metrics::Registry& registry)
    : redis_(std::move(redis)),
      node_id_(std::move(node_id)),
      deliver_(std::move(deliver)),
      published_(registry.AddCounter("segue_push_relay_published_total",
                                     "Trigger pushes this node published for the other nodes' subscribers.")),
      received_(registry.AddCounter("segue_push_relay_received_total",
                                    "Trigger pushes from other nodes delivered to this node's subscribers.")),
      dropped_(registry.AddCounter("segue_push_relay_dropped_total",
                                   "Trigger pushes not published: relay queue full or PUBLISH failed.")),
      subscribed_(registry.AddGauge("segue_push_relay_subscribed",
                                    "Whether this node's subscription to the push channel is up (1) or not (0).")),
      reconnects_(registry.AddCounter("segue_push_relay_reconnects_total",
                                      "Push channel subscriptions made again after one failed or dropped.")) {}

RedisPushRelay::~RedisPushRelay() { Stop(); }

void RedisPushRelay::Start() {
  publisher_ = std::thread([this] { PublishLoop(); });
  subscriber_ = std::thread([this] { SubscribeLoop(); });
}

void RedisPushRelay::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    if (subscriber_fd_ >= 0) ::shutdown(subscriber_fd_, SHUT_RDWR);
  }
  cv_.notify_all();
  if (publisher_.joinable()) publisher_.join();
  if (subscriber_.joinable()) subscriber_.join();
}

void RedisPushRelay::Relay(push::PushMessagePtr message) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kMaxQueued) {
      queue_.pop_front();
      dropped_.Inc();
    }
    queue_.push_back(std::move(message));
  }
  cv_.notify_all();
}

bool RedisPushRelay::Pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stop_; });
}

void RedisPushRelay::PublishLoop() {
  std::unique_ptr<bus::RedisClient> client;
  while (true) {
    push::PushMessagePtr message;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      message = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!client) {
      Result<std::unique_ptr<bus::RedisClient>> connected = bus::RedisClient::Connect(redis_);
      if (connected.ok()) client = std::move(*connected);
    }
    Result<bus::RedisReply> reply = client ? client->Command({{"PUBLISH", kPushChannel, Encode(node_id_, *message)},
                                                              bus::RedisCommand::kNoKey})
                                           : Result<bus::RedisReply>(Status::Unavailable("not connected"));
    if (reply.ok() && !reply->is_error()) {
      published_.Inc();
      continue;
    }
    dropped_.Inc();
    spdlog::warn("node {}: push for {} not relayed: {}", node_id_, message->user_id,
                 reply.ok() ? reply->str : reply.status().message());
    client.reset();
  }
}

void RedisPushRelay::SubscribeLoop() {
  for (size_t attempt = 0;; ++attempt) {
    Subscribe(redis_.seeds[attempt % redis_.seeds.size()]);
    if (!Pause(kRetry)) return;
    reconnects_.Inc();
  }
}

void RedisPushRelay::Subscribe(const bus::RedisEndpoint& endpoint) {
  redisContext* c = redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, ToTimeval(redis_.timeouts.connect));
  if (c == nullptr || c->err) {
    if (c) redisFree(c);
    return;
  }
  redisEnableKeepAlive(c);
  {
    std::lock_guard lock(mu_);
    if (stop_) {
      redisFree(c);
      return;
    }
    subscriber_fd_ = c->fd;
  }
  auto* confirmed = static_cast<redisReply*>(redisCommand(c, "SUBSCRIBE %s", kPushChannel));
  if (confirmed) {
    freeReplyObject(confirmed);
    subscribed_.Set(1);
    void* reply = nullptr;
    // Blocks until a message arrives, the connection drops, or Stop shuts the socket down.
    while (redisGetReply(c, &reply) == REDIS_OK) {
      auto* r = static_cast<redisReply*>(reply);
      if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 && r->element[2]->type == REDIS_REPLY_STRING) {
        OnMessage(std::string(r->element[2]->str, r->element[2]->len));
      }
      freeReplyObject(r);
    }
    subscribed_.Set(0);
  }
  {
    std::lock_guard lock(mu_);
    subscriber_fd_ = -1;
  }
  redisFree(c);
}

void RedisPushRelay::OnMessage(const std::string& payload) {
  const nlohmann::json m = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!m.is_object() || !m["node"].is_string() || !m["user_id"].is_string() || !m["rec_id"].is_string() ||
      !m["json"].is_string()) {
    spdlog::warn("node {}: malformed message on {} ignored", node_id_, kPushChannel);
    return;
  }
  if (m["node"].get<std::string>() == node_id_) return;  // delivered locally when it was pushed
  received_.Inc();
  deliver_(std::make_shared<const push::PushMessage>(
      push::PushMessage{m["user_id"].get<std::string>(), m["rec_id"].get<std::string>(), m["json"].get<std::string>()}));
}

}  // namespace segue::nodes
