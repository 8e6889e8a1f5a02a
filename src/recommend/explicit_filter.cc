#include "recommend/explicit_filter.h"

#include <algorithm>

namespace segue::recommend {

void ExplicitFilter::Apply(const FilterContext& context, std::vector<RankedTrack>* items) const {
  if (!context.options.explicit_filter || context.preferences.explicit_content) return;
  std::erase_if(*items, [&](const RankedTrack& t) { return catalog_.Meta(t.track).explicit_content; });
}

}  // namespace segue::recommend
