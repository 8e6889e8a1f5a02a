// ImpressionSink: where the recommender hands every impression it serves. Record must not block the
// response path (no I/O on the caller's thread); an implementation that cannot keep up drops and counts.
// Implementations: ImpressionStore (impression_store.h, RocksDB); tests may collect in memory.
// Thread-safety: Record is called concurrently from request threads.
#pragma once

#include "impressions/impression.h"

namespace segue::impressions {

class ImpressionSink {
 public:
  virtual ~ImpressionSink() = default;
  virtual void Record(Impression impression) = 0;
};

}  // namespace segue::impressions
