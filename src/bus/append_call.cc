#include "bus/append_call.h"

#include <utility>

namespace segue::bus {

AppendCall::AppendCall(size_t events, size_t parts, EventAppender::AppendCallback done)
    : parts_left_(parts), done_(std::move(done)) {
  outcome_.seqs.resize(events);
}

void AppendCall::Finish(std::span<const uint32_t> indices, std::span<const uint64_t> seqs) {
  std::unique_lock lock(mu_);
  for (size_t i = 0; i < indices.size(); ++i) {
    outcome_.seqs[indices[i]] = seqs[i];
    ++(seqs[i] == 0 ? outcome_.duplicates : outcome_.accepted);
  }
  PartDone(lock);
}

void AppendCall::Fail(const Status& failure) {
  std::unique_lock lock(mu_);
  if (failure_.ok()) failure_ = failure;
  PartDone(lock);
}

void AppendCall::PartDone(std::unique_lock<std::mutex>& lock) {
  if (--parts_left_ > 0) return;
  // The last part: nobody else touches the call any more, so `done` runs without the lock.
  lock.unlock();
  if (failure_.ok()) {
    done_(std::move(outcome_));
  } else {
    done_(failure_);
  }
}

}  // namespace segue::bus
