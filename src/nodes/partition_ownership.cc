#include "nodes/partition_ownership.h"

#include <algorithm>
#include <iterator>

#include <spdlog/spdlog.h>

#include "nodes/partition_assignment.h"

namespace segue::nodes {

using Clock = std::chrono::steady_clock;

PartitionOwnership::PartitionOwnership(OwnershipOptions options, bus::RedisClientOptions redis, PartitionFn take,
                                       PartitionFn drop, metrics::Registry& registry)
    : options_(std::move(options)), redis_options_(std::move(redis)), take_(std::move(take)), drop_(std::move(drop)),
      taken_(registry.AddCounter("segue_node_partitions_taken_total", "Partitions this node took a lease of.")),
      dropped_(registry.AddCounter("segue_node_partitions_released_total",
                                   "Partitions this node handed over (outside its share, or at shutdown).")),
      lost_(registry.AddCounter("segue_node_partitions_lost_total",
                                "Partitions whose lease this node found lost, or could not renew in time.")) {
  registry.AddCallbackGauge("segue_node_partitions_owned", "Partitions this node owns now.",
                            [this] { return static_cast<double>(owned().size()); });
}

PartitionOwnership::~PartitionOwnership() { Stop(); }

Status PartitionOwnership::Start() {
  Result<std::unique_ptr<bus::RedisClient>> client = bus::RedisClient::Connect(redis_options_);
  if (!client.ok()) return client.status();
  client_ = std::move(*client);
  leases_ = std::make_unique<LeaseTable>(client_.get(), options_.node_id, options_.lease_ms);
  last_renewed_ = Clock::now();
  Round();
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void PartitionOwnership::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!leases_) return;
  DropAll(/*release=*/true);
  if (Status s = leases_->Leave(); !s.ok()) spdlog::warn("node {}: leaving the membership: {}", options_.node_id, s.message());
}

std::set<uint32_t> PartitionOwnership::owned() const {
  std::lock_guard lock(mu_);
  return owned_;
}

void PartitionOwnership::Run() {
  const auto period = std::chrono::milliseconds(std::max<int64_t>(1, options_.lease_ms / 3));
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period, [this] { return stopping_; })) {
    lock.unlock();
    Round();
    lock.lock();
  }
}

void PartitionOwnership::Round() {
  const std::set<uint32_t> held = owned();
  const std::vector<uint32_t> held_list(held.begin(), held.end());
  Result<std::vector<uint32_t>> renewed = leases_->Renew(held_list);
  if (renewed.ok()) {
    last_renewed_ = Clock::now();
    for (uint32_t p : held) {
      if (std::find(renewed->begin(), renewed->end(), p) != renewed->end()) continue;
      spdlog::warn("node {}: lost the lease of partition {}", options_.node_id, p);
      drop_(p);
      lost_.Inc();
      std::lock_guard lock(mu_);
      owned_.erase(p);
    }
  } else if (Clock::now() - last_renewed_ > std::chrono::milliseconds(options_.lease_ms * 2 / 3)) {
    spdlog::error("node {}: leases not renewed for 2/3 of lease_ms ({}); dropping every partition",
                  options_.node_id, renewed.status().message());
    lost_.Inc(held.size());
    DropAll(/*release=*/false);
    return;
  }
  Result<std::vector<std::string>> live = leases_->Heartbeat();
  if (!live.ok()) {
    spdlog::warn("node {}: heartbeat: {}", options_.node_id, live.status().message());
    return;
  }
  const std::vector<uint32_t> share = PartitionsOf(options_.partitions, *live, options_.node_id);
  for (uint32_t p : owned()) {
    if (std::binary_search(share.begin(), share.end(), p)) continue;
    drop_(p);
    dropped_.Inc();
    if (Status s = leases_->Release(p); !s.ok()) spdlog::warn("node {}: releasing {}: {}", options_.node_id, p, s.message());
    std::lock_guard lock(mu_);
    owned_.erase(p);
  }
  std::vector<uint32_t> wanted;
  const std::set<uint32_t> now_held = owned();
  std::set_difference(share.begin(), share.end(), now_held.begin(), now_held.end(), std::back_inserter(wanted));
  Result<std::vector<uint32_t>> acquired = leases_->Acquire(wanted);
  if (!acquired.ok()) return;
  for (uint32_t p : *acquired) {
    {
      std::lock_guard lock(mu_);
      owned_.insert(p);
    }
    take_(p);
    taken_.Inc();
  }
}

void PartitionOwnership::DropAll(bool release) {
  for (uint32_t p : owned()) {
    drop_(p);
    if (release) {
      dropped_.Inc();
      if (Status s = leases_->Release(p); !s.ok()) spdlog::warn("node {}: releasing {}: {}", options_.node_id, p, s.message());
    }
    std::lock_guard lock(mu_);
    owned_.erase(p);
  }
}

}  // namespace segue::nodes
