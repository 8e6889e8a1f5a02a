// AppendCall: one EventAppender::AppendAsync call whose events were split into parts for several writer
// threads (RedisEventAppender sends partition p's events through writer p % writers). Each part reports
// the offsets of its events at their positions in the caller's input; when the last part has reported,
// `done` runs once, on that part's thread, with the assembled AppendOutcome or the first failure.
// Thread-safety: Finish and Fail may be called from any thread, once per part in total.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>

#include "log/event_appender.h"

namespace segue::bus {

class AppendCall {
 public:
  AppendCall(size_t events, size_t parts, EventAppender::AppendCallback done);

  // A part stored: seqs[i] is the offset (0 = duplicate) of the input event at indices[i].
  void Finish(std::span<const uint32_t> indices, std::span<const uint64_t> seqs);
  // A part failed; the call reports the first failure.
  void Fail(const Status& failure);

 private:
  void PartDone(std::unique_lock<std::mutex>& lock);

  std::mutex mu_;
  AppendOutcome outcome_;
  Status failure_;
  size_t parts_left_;
  EventAppender::AppendCallback done_;
};

}  // namespace segue::bus
