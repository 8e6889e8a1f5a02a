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
  const std::set<uint32_t> all = held();
  dropped_.Inc(all.size());
  Drop({all.begin(), all.end()}, /*release=*/true);
  if (Status s = leases_->Leave(); !s.ok()) spdlog::warn("node {}: leaving the membership: {}", options_.node_id, s.message());
}

std::set<uint32_t> PartitionOwnership::owned() const {
  std::lock_guard lock(mu_);
  if (Clock::now() >= valid_until_) return {};
  return owned_;
}

std::set<uint32_t> PartitionOwnership::held() const {
  std::lock_guard lock(mu_);
  return owned_;
}

Clock::time_point PartitionOwnership::valid_until() const {
  std::lock_guard lock(mu_);
  return valid_until_;
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
  const std::set<uint32_t> held = this->held();
  const std::vector<uint32_t> held_list(held.begin(), held.end());
  // Redis starts a renewed lease's lease_ms when it runs the script, after this moment: measured from
  // here, the validity never outlasts the lease.
  const Clock::time_point sent = Clock::now();
  Result<LeaseTable::Renewal> renewal = leases_->HeartbeatAndRenew(held_list);
  if (!renewal.ok()) {
    spdlog::warn("node {}: heartbeat and lease renewal: {}", options_.node_id, renewal.status().message());
    if (Clock::now() >= valid_until()) {
      spdlog::error("node {}: leases not renewed for 2/3 of lease_ms; dropping every partition", options_.node_id);
      lost_.Inc(held.size());
      Drop(held_list, /*release=*/false);
    }
    return;
  }
  {
    std::lock_guard lock(mu_);
    valid_until_ = sent + std::chrono::milliseconds(options_.lease_ms * 2 / 3);
  }
  std::vector<uint32_t> lost;
  std::set_difference(held_list.begin(), held_list.end(), renewal->held.begin(), renewal->held.end(),
                      std::back_inserter(lost));
  for (uint32_t p : lost) spdlog::warn("node {}: lost the lease of partition {}", options_.node_id, p);
  lost_.Inc(lost.size());
  Drop(lost, /*release=*/false);

  const std::vector<uint32_t> share = PartitionsOf(options_.partitions, renewal->live, options_.node_id);
  std::vector<uint32_t> outside;
  std::set_difference(renewal->held.begin(), renewal->held.end(), share.begin(), share.end(),
                      std::back_inserter(outside));
  dropped_.Inc(outside.size());
  Drop(outside, /*release=*/true);

  std::vector<uint32_t> wanted;
  std::set_difference(share.begin(), share.end(), renewal->held.begin(), renewal->held.end(), std::back_inserter(wanted));
  Result<std::vector<uint32_t>> acquired = leases_->Acquire(wanted);
  if (!acquired.ok() || acquired->empty()) return;
  {
    std::lock_guard lock(mu_);
    owned_.insert(acquired->begin(), acquired->end());
  }
  take_(*acquired);
  taken_.Inc(acquired->size());
}

void PartitionOwnership::Drop(const std::vector<uint32_t>& partitions, bool release) {
  if (partitions.empty()) return;
  drop_(partitions);
  if (release) {
    if (Status s = leases_->Release(partitions); !s.ok()) {
      spdlog::warn("node {}: releasing leases: {}", options_.node_id, s.message());
    }
  }
  std::lock_guard lock(mu_);
  for (uint32_t p : partitions) owned_.erase(p);
}

}  // namespace segue::nodes
