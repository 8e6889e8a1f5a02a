// ExpectExactlyOnce: every acknowledged event id is in the log exactly once, nothing else is, and seqs
// stay dense from 1 (a refused or failed write must not use one). Shared by the log-level and the
// `segue serve`-level full-disk tests.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "log/event_log.h"

namespace segue::testing {

// Every event id in the log with how often it occurs; also checks that seqs are dense from 1.
inline std::map<std::string, int> IdCounts(const EventLog& log) {
  std::map<std::string, int> counts;
  uint64_t expected_seq = 1;
  Status s = log.Scan({}, [&](const LoggedEvent& e) {
    EXPECT_EQ(e.seq, expected_seq) << "seqs must stay dense across the refusal";
    expected_seq = e.seq + 1;
    ++counts[e.event.event_id];
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return counts;
}

inline void ExpectExactlyOnce(const EventLog& log, const std::vector<std::string>& acked) {
  std::map<std::string, int> counts = IdCounts(log);
  EXPECT_EQ(counts.size(), acked.size());
  size_t missing = 0, repeated = 0;
  for (const std::string& id : acked) {
    auto it = counts.find(id);
    if (it == counts.end()) {
      ++missing;
    } else if (it->second != 1) {
      ++repeated;
    }
  }
  EXPECT_EQ(missing, 0u) << "acknowledged events lost";
  EXPECT_EQ(repeated, 0u) << "acknowledged events stored more than once";
  EXPECT_EQ(log.stats().events, acked.size());
}

}  // namespace segue::testing
