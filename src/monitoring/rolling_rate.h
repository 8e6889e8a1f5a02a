// RollingRate: the share of recent trials that were hits (plays that were skips, sessions that ended by
// an exit), over a window of the most recent trials kept as `blocks` blocks of `block_trials` trials. A
// block is dropped whole when a new one starts, so the window spans between (blocks − 1) · block_trials
// and blocks · block_trials trials, in fixed memory. A hit counts in the block that is current when it
// happens (for exits that is the block of a later trial than the session's start: a rate of a window, not
// of a cohort).
// Thread-safety: none; the owner serialises calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace segue::monitoring {

class RollingRate {
 public:
  // Both must be positive.
  RollingRate(size_t blocks, uint64_t block_trials);

  void AddTrial();
  void AddHit();

  // hits / trials over the window; NaN before the first trial.
  double rate() const;
  // True once as many trials as the window holds have been seen.
  bool full() const { return completed_blocks_ >= ring_.size(); }

 private:
  struct Block {
    uint64_t hits = 0;
    uint64_t trials = 0;
  };
  std::vector<Block> ring_;
  const uint64_t block_trials_;
  size_t current_ = 0;
  uint64_t completed_blocks_ = 0;
};

}  // namespace segue::monitoring
