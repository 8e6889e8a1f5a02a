// RankedTrack: a candidate as it moves through ranking and post-filters (12 bytes, kept in flat
// vectors), with the reasons it is recommended as bits, turned into text only when a request asks for
// explanations (explain=true). Plain data; pure functions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace segue::recommend {

enum Reason : uint32_t {
  kReasonSessionMatch = 1u << 0,   // the model retrieved it for this session
  kReasonGenrePopular = 1u << 1,   // popular in the genres of the session (fallback)
  kReasonGlobalPopular = 1u << 2,  // popular overall (fallback, cold start)
  kReasonNewRelease = 1u << 3,     // boosted as a new release (freshness filter)
  kReasonDiversified = 1u << 4,    // chosen for variety over a more similar, higher-scored track
  kReasonHourPopular = 1u << 5,    // popular at this hour of day (cold start)
};

struct RankedTrack {
  uint32_t track = 0;  // interned (Catalog)
  float score = 0;
  uint32_t reasons = 0;  // Reason bits

  bool operator==(const RankedTrack&) const = default;
};

// The texts of the set bits, in bit order ("matches what you are listening to", ...).
std::vector<std::string_view> ReasonTexts(uint32_t reasons);

// Sorts best first (score descending); equal scores keep their order.
void SortByScore(std::vector<RankedTrack>* items);

}  // namespace segue::recommend
