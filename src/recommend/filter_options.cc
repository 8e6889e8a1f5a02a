#include "recommend/filter_options.h"

namespace segue::recommend {

std::optional<DiversityMode> DiversityModeFromName(std::string_view name) {
  if (name == "none") return DiversityMode::kNone;
  if (name == "artist_cap") return DiversityMode::kArtistCap;
  if (name == "mmr") return DiversityMode::kMmr;
  return std::nullopt;
}

std::string_view DiversityModeName(DiversityMode mode) {
  switch (mode) {
    case DiversityMode::kNone: return "none";
    case DiversityMode::kArtistCap: return "artist_cap";
    case DiversityMode::kMmr: return "mmr";
  }
  return "none";
}

}  // namespace segue::recommend
