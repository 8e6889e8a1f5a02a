// FilterOptions: how the post-filters behave. The server's [recommend] table sets the defaults and a
// request may override each of them with a query parameter of the same name (docs/api.md). Plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace segue::recommend {

enum class DiversityMode : uint8_t { kNone, kArtistCap, kMmr };

struct FilterOptions {
  // explicit filter: honour the listener's {"explicit": false} preference.
  bool explicit_filter = true;
  // freshness filter
  bool exclude_session = true;          // nothing played in the current session
  uint32_t exclude_played_hours = 0;    // also nothing played in the last N hours (history); 0 = off
  bool exclude_skipped_artist = true;   // nothing by the artist of the session's last skip
  // New releases (released within new_release_days of now) move up by this share of the list's score
  // range (max - min), so the boost means the same whatever scale the ranker scores on; 0 = off.
  float new_release_boost = 0;
  uint32_t new_release_days = 90;
  // diversity filter
  DiversityMode diversity = DiversityMode::kArtistCap;
  uint32_t max_per_artist = 2;  // kArtistCap
  float mmr_lambda = 0.7f;      // kMmr: weight of relevance against novelty, in [0, 1]
};

std::optional<DiversityMode> DiversityModeFromName(std::string_view name);  // "none", "artist_cap", "mmr"
std::string_view DiversityModeName(DiversityMode mode);

}  // namespace segue::recommend
