// Feeds the bytes to the parsers of a recommendation request's outside input: the request target's
// query string (serving/recommendation_query.h over serving/query_string.h), the listener id of the
// path (ValidateUserIdParam) and the body of PUT /v1/users/{id}/preferences
// (preferences/preferences_json.h).
// Checks besides crashes, sanitizer reports and leaks:
//  - an accepted query keeps k within 1..max_k and the unit-interval options within 0..1;
//  - accepted preferences write back (PreferencesToJson) to JSON that parses to equal preferences (the
//    store keeps them in that form and reads them back after a restart).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_util.h"
#include "preferences/preferences_json.h"
#include "serving/recommendation_query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = segue::fuzz::AsText(data, size);
  const segue::recommend::RecommendConfig config;  // the server's defaults
  if (auto q = segue::serving::ParseRecommendationQuery(text, config); q.ok()) {
    SEGUE_FUZZ_CHECK(q->k >= 1 && q->k <= config.max_k);
    SEGUE_FUZZ_CHECK(q->filters.mmr_lambda >= 0 && q->filters.mmr_lambda <= 1);
    SEGUE_FUZZ_CHECK(q->filters.new_release_boost >= 0 && q->filters.new_release_boost <= 1);
  }
  (void)segue::serving::ValidateUserIdParam(text);
  if (auto p = segue::preferences::ParsePreferences(text, {}); p.ok()) {
    auto again = segue::preferences::ParsePreferences(segue::preferences::PreferencesToJson(*p), {});
    SEGUE_FUZZ_CHECK(again.ok() && *again == *p);
  }
  return 0;
}
