// ListenerHistory: the tracks a listener played before, as the server keeps them (bounded) and as
// `segue eval retrieval` rebuilds them from the training part of a history. Real listening is mostly
// repetition, so every retriever may use it (the own_history baseline is nothing else).
// Plain data; whoever owns a ListenerHistory synchronises access to it.
#pragma once

#include <cstdint>
#include <vector>

namespace segue::recommend {

struct HistoryEntry {
  uint32_t track = 0;    // interned (Catalog)
  uint32_t plays = 0;    // plays started
  uint32_t engaged = 0;  // plays completed or listened >= 30 s
  uint32_t skips = 0;
  int64_t last_ms = 0;   // event time of the last play

  bool operator==(const HistoryEntry&) const = default;
};

struct ListenerHistory {
  // At most one entry per track; order unspecified.
  std::vector<HistoryEntry> tracks;

  bool operator==(const ListenerHistory&) const = default;
};

}  // namespace segue::recommend
