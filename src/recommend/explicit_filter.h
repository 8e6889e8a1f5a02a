// ExplicitFilter: removes tracks the catalog marks explicit when the listener's preferences say
// {"explicit": false} and the filter is on (FilterOptions::explicit_filter). Tracks unknown to the
// catalog are kept: there is nothing to say they are explicit. Thread-safe (the catalog is).
#pragma once

#include "catalog/catalog.h"
#include "recommend/filter.h"

namespace segue::recommend {

class ExplicitFilter : public Filter {
 public:
  explicit ExplicitFilter(const Catalog& catalog) : catalog_(catalog) {}
  std::string_view name() const override { return "explicit"; }
  void Apply(const FilterContext& context, std::vector<RankedTrack>* items) const override;

 private:
  const Catalog& catalog_;
};

}  // namespace segue::recommend
