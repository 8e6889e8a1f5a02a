// FreshnessFilter: keeps recommendations new to the moment. Per FilterOptions it removes
//  - every track played in the current session (exclude_session, on by default: the listener is
//    drifting away, replaying what they just heard will not hold them);
//  - every track played in the last exclude_played_hours, from the session and the ListenerHistory;
//  - every track by the artist of the session's last skip (exclude_skipped_artist);
// and it boosts new releases (new_release_boost; release dates from the catalog), re-sorting the list.
// Thread-safe (the catalog is).
#pragma once

#include "catalog/catalog.h"
#include "recommend/filter.h"

namespace segue::recommend {

class FreshnessFilter : public Filter {
 public:
  explicit FreshnessFilter(const Catalog& catalog) : catalog_(catalog) {}
  std::string_view name() const override { return "freshness"; }
  void Apply(const FilterContext& context, std::vector<RankedTrack>* items) const override;

 private:
  void BoostNewReleases(const FilterContext& context, std::vector<RankedTrack>* items) const;

  const Catalog& catalog_;
};

// Days since 1970-01-01 of a catalog release date ("YYYY", "YYYY-MM", "YYYY-MM-DD"; a missing month or
// day counts as the first), or nullopt when it is not one of these forms.
std::optional<int64_t> ReleaseDay(std::string_view release_date);

}  // namespace segue::recommend
