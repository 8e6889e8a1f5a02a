// Options of periodic retraining while serving (retrain_component.h): `segue serve --retrain-interval`
// and `--retrain-args`, or [retrain] interval and args in the config file. Plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace segue::serving {

struct RetrainOptions {
  int64_t interval_ms = 0;              // 0: off
  std::vector<std::string> extra_args;  // appended to `segue train all` (label flags, epochs, ...)
};

// `interval` ("90s", "30m", "24h", "7d"; empty leaves it) as interval_ms, kInvalidArgument naming `what`
// for anything but a positive duration; `args` split on spaces and appended to extra_args.
Status ParseRetrainOptions(const std::string& what, const std::string& interval, const std::string& args,
                           RetrainOptions* out);

}  // namespace segue::serving
