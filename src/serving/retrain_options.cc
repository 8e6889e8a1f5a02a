#include "serving/retrain_options.h"

#include <optional>
#include <sstream>

#include "common/quantities.h"

namespace segue::serving {

Status ParseRetrainOptions(const std::string& what, const std::string& interval, const std::string& args,
                           RetrainOptions* out) {
  if (!interval.empty()) {
    const std::optional<uint64_t> ms = ParseDurationMs(interval);
    if (!ms || *ms == 0) {
      return Status::InvalidArgument(what + " '" + interval + "' is not a positive duration: use e.g. 90s, 30m, 24h or 7d");
    }
    out->interval_ms = static_cast<int64_t>(*ms);
  }
  std::istringstream words(args);
  for (std::string word; words >> word;) out->extra_args.push_back(word);
  return Status::Ok();
}

}  // namespace segue::serving
