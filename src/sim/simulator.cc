#include "sim/simulator.h"

#include <cstdio>

namespace segue::sim {
namespace {
constexpr size_t kBatch = 4096;
constexpr uint64_t kProgressEvery = 65536;
}  // namespace

Simulator::Simulator(const SimConfig& config)
    : config_(config), catalog_(SyntheticCatalog::Generate(config.catalog, DeriveSeed(config.seed, 1))) {
  SimRandom traits_rng(DeriveSeed(config.seed, 2));
  listeners_.reserve(config.users);
  const int64_t end = end_ms();
  for (uint32_t i = 0; i < config.users; ++i) {
    char user[16], prefix[48];
    std::snprintf(user, sizeof user, "u%06u", i);
    std::snprintf(prefix, sizeof prefix, "s%llu-%s-", static_cast<unsigned long long>(config.seed), user);
    listeners_.push_back(std::make_unique<Listener>(user, prefix, SampleTraits(config.behaviour, traits_rng),
                                                    &catalog_, &config_.behaviour,
                                                    DeriveSeed(config.seed, 0x100000000ULL + i), config.start_ms, end));
    if (!listeners_.back()->done()) queue_.push({listeners_.back()->next_action_ms(), i});
  }
}

int64_t Simulator::end_ms() const { return config_.start_ms + static_cast<int64_t>(config_.days) * 86'400'000; }

uint64_t Simulator::sessions() const {
  uint64_t n = 0;
  for (const auto& l : listeners_) n += l->sessions();
  return n;
}

void Simulator::StepListener(uint32_t i, std::vector<Event>* batch) {
  Listener& l = *listeners_[i];
  const size_t before = batch->size();
  l.Step(batch);
  for (size_t k = before; k < batch->size(); ++k) {
    ++stats_.by_type[static_cast<int>((*batch)[k].type)];
    if (stats_.events++ == 0) stats_.first_ts_ms = (*batch)[k].ts_ms;
    stats_.last_ts_ms = (*batch)[k].ts_ms;
  }
  if (!l.done()) queue_.push({l.next_action_ms(), i});
}

Result<size_t> Simulator::RunRound(int64_t until_ms, EventSink& sink) {
  // Take every due listener off the queue first, so that one stepped here and due again before
  // `until_ms` waits for the next round.
  std::vector<uint32_t> due;
  while (!queue_.empty() && queue_.top().first < until_ms) {
    due.push_back(queue_.top().second);
    queue_.pop();
  }
  std::vector<Event> batch;
  for (uint32_t i : due) {
    // StepListener requeues; the queue is not read again in this round.
    StepListener(i, &batch);
  }
  if (!batch.empty()) {
    if (Status s = sink.Write(batch); !s.ok()) return s;
  }
  return due.size();
}

Status Simulator::RunUntil(int64_t until_ms, EventSink& sink) {
  std::vector<Event> batch;
  batch.reserve(kBatch + 8);
  uint64_t next_progress = (stats_.events / kProgressEvery + 1) * kProgressEvery;
  while (!queue_.empty() && queue_.top().first < until_ms) {
    const uint32_t i = queue_.top().second;
    queue_.pop();
    StepListener(i, &batch);
    if (batch.size() >= kBatch) {
      Status s = sink.Write(batch);
      if (!s.ok()) return s;
      batch.clear();
    }
    if (progress_ && stats_.events >= next_progress) {
      progress_(stats_);
      next_progress += kProgressEvery;
    }
  }
  return batch.empty() ? Status::Ok() : sink.Write(batch);
}

}  // namespace segue::sim
