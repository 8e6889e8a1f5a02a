#include "recommend/ranked_track.h"

#include <algorithm>
#include <array>

namespace segue::recommend {

std::vector<std::string_view> ReasonTexts(uint32_t reasons) {
  static constexpr std::array<std::string_view, 6> kTexts = {
      "matches what you are listening to", "popular in the genres you are listening to", "popular right now",
      "new release", "adds variety", "popular at this time of day"};
  std::vector<std::string_view> out;
  for (size_t bit = 0; bit < kTexts.size(); ++bit) {
    if (reasons & (1u << bit)) out.push_back(kTexts[bit]);
  }
  return out;
}

void SortByScore(std::vector<RankedTrack>* items) {
  std::stable_sort(items->begin(), items->end(),
                   [](const RankedTrack& a, const RankedTrack& b) { return a.score > b.score; });
}

}  // namespace segue::recommend
