// FanOutSink: an ImpressionSink that hands every impression to several sinks (the server's: the
// ImpressionStore and the feedback collector), each its own copy, the last one the original.
// Thread-safety: as the sinks it wraps (Record is called concurrently); they must outlive it.
#pragma once

#include <utility>
#include <vector>

#include "impressions/impression_sink.h"

namespace segue::impressions {

class FanOutSink : public ImpressionSink {
 public:
  explicit FanOutSink(std::vector<ImpressionSink*> sinks) : sinks_(std::move(sinks)) {}

  void Record(Impression impression) override {
    if (sinks_.empty()) return;
    for (size_t i = 0; i + 1 < sinks_.size(); ++i) sinks_[i]->Record(impression);
    sinks_.back()->Record(std::move(impression));
  }

 private:
  std::vector<ImpressionSink*> sinks_;
};

}  // namespace segue::impressions
