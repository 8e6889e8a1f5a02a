#include "monitoring/rolling_rate.h"

#include <algorithm>
#include <cmath>

namespace segue::monitoring {

RollingRate::RollingRate(size_t blocks, uint64_t block_trials)
    : ring_(std::max<size_t>(1, blocks)), block_trials_(std::max<uint64_t>(1, block_trials)) {}

void RollingRate::AddTrial() {
  if (ring_[current_].trials == block_trials_) {  // start the next block, dropping the oldest
    current_ = (current_ + 1) % ring_.size();
    ring_[current_] = {};
  }
  if (++ring_[current_].trials == block_trials_) ++completed_blocks_;
}

void RollingRate::AddHit() { ++ring_[current_].hits; }

double RollingRate::rate() const {
  uint64_t hits = 0, trials = 0;
  for (const Block& b : ring_) {
    hits += b.hits;
    trials += b.trials;
  }
  return trials == 0 ? NAN : static_cast<double>(hits) / static_cast<double>(trials);
}

}  // namespace segue::monitoring
