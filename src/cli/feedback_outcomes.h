// Reads the feedback collector's stored outcomes (a server's <data_dir>/feedback, feedback/outcome_store.h)
// into training labels (models/recommendation_outcomes.h), for every `segue train` command that uses them.
// Thread-safety: a plain function; the store is opened read-only, so a running server may hold it.
#pragma once

#include <string>

#include "common/status.h"
#include "models/recommendation_outcomes.h"

namespace segue::cli {

// Adds every outcome of the store in `dir`; the store's error when it cannot be opened or read.
Status ReadFeedbackOutcomes(const std::string& dir, RecommendationOutcomes* out);

}  // namespace segue::cli
