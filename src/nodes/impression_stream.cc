#include "nodes/impression_stream.h"

#include <charconv>

#include <spdlog/spdlog.h>

#include "common/hash.h"
#include "nodes/node_keys.h"

namespace segue::nodes {

ImpressionRelay::ImpressionRelay(bus::RedisClientOptions redis, uint32_t partitions, uint64_t max_len, Owns owns,
                                 metrics::Registry& registry)
    : redis_(std::move(redis)), partitions_(partitions), max_len_(std::to_string(max_len)), owns_(std::move(owns)),
      relayed_(registry.AddCounter("segue_impressions_relayed_total",
                                   "Impressions of other nodes' partitions appended to their Redis stream.")),
      dropped_(registry.AddCounter("segue_impressions_relay_dropped_total",
                                   "Impressions of other nodes' partitions lost (queue full or XADD failed).")) {}

ImpressionRelay::~ImpressionRelay() { Stop(); }

void ImpressionRelay::Start() { thread_ = std::thread([this] { AppendLoop(); }); }

void ImpressionRelay::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ImpressionRelay::Record(impressions::Impression impression) {
  if (owns_(impression.user_id)) {
    if (local_) local_->Record(std::move(impression));
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (stop_ || queue_.size() >= kMaxQueued) {
      dropped_.Inc();
      return;
    }
    queue_.push_back(std::move(impression));
  }
  cv_.notify_one();
}

void ImpressionRelay::AppendLoop() {
  std::unique_ptr<bus::RedisClient> client;
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopped, everything appended
    std::deque<impressions::Impression> batch;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    Append(client, batch);
    lock.lock();
  }
}

void ImpressionRelay::Append(std::unique_ptr<bus::RedisClient>& client,
                             const std::deque<impressions::Impression>& batch) {
  if (!client) {
    Result<std::unique_ptr<bus::RedisClient>> connected = bus::RedisClient::Connect(redis_);
    if (connected.ok()) client = std::move(*connected);
  }
  std::vector<bus::RedisCommand> commands;
  for (const impressions::Impression& m : batch) {
    commands.push_back({{"XADD", ImpressionsKey(PartitionOf(m.user_id, partitions_)), "MAXLEN", "~", max_len_, "*",
                         "i", impressions::ImpressionToJson(m)}});
  }
  Result<std::vector<bus::RedisReply>> replies =
      client ? client->Pipeline(commands) : Result<std::vector<bus::RedisReply>>(Status::Unavailable("not connected"));
  if (!replies.ok()) {
    dropped_.Inc(batch.size());
    spdlog::warn("impression relay: {} impressions lost: {}", batch.size(), replies.status().message());
    client.reset();
    return;
  }
  for (const bus::RedisReply& reply : *replies) {
    if (reply.is_error()) {
      dropped_.Inc();
    } else {
      relayed_.Inc();
    }
  }
}

Result<std::string> DrainImpressions(bus::RedisClient& client, uint32_t partition, const std::string& after,
                                     impressions::ImpressionSink& sink, size_t count) {
  const std::string key = ImpressionsKey(partition);
  std::string last = after;
  while (true) {
    Result<bus::RedisReply> reply = client.Command(
        {{"XRANGE", key, last == "-" ? "-" : "(" + last, "+", "COUNT", std::to_string(count)}});
    if (!reply.ok()) return reply.status();
    if (reply->is_error()) return Status::Unavailable("draining impressions: " + reply->str);
    for (const bus::RedisReply& entry : reply->elements) {
      if (entry.elements.size() < 2) continue;
      last = entry.elements[0].str;
      const std::vector<bus::RedisReply>& fields = entry.elements[1].elements;
      Result<impressions::Impression> m =
          fields.size() >= 2 ? impressions::ImpressionFromJson(fields[1].str) : Status::Corruption("no field");
      if (!m.ok()) {
        spdlog::error("partition {}: impression {} skipped: {}", partition, last, m.status().message());
        continue;
      }
      sink.Record(std::move(*m));
    }
    if (reply->elements.size() < count) return last;
  }
}

std::string MinIdAfter(std::string_view id) {
  const size_t dash = id.find('-');
  if (id == "-" || dash == std::string_view::npos) return "0";
  uint64_t seq = 0;
  std::from_chars(id.data() + dash + 1, id.data() + id.size(), seq);
  return std::string(id.substr(0, dash + 1)) + std::to_string(seq + 1);
}

}  // namespace segue::nodes
