// The promotion gate of retraining (`segue train all`, docs/models.md "Retraining and the promotion
// gate"): a candidate bundle becomes the newest version under its models folder, the one the server
// loads, only when its offline metric on held-out data is at least as good as the current bundle's, both
// measured on the same examples in the same run. A refused candidate is kept, with the reason, under
// <models_dir>/refused/<version>/ (REFUSED.json: reason, metric name, both values, example count);
// FindNewestBundle never picks it (refused/ holds no config.json).
//
// Candidates are written under <models_dir>/.candidates/<version> (a dot folder the server ignores, on
// the same file system), so promotion and refusal are each one rename: the server never sees a
// half-moved bundle.
// Thread-safety: free functions; one retraining per models folder at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "common/status.h"

namespace segue {

inline constexpr char kCandidatesSubdir[] = ".candidates";
inline constexpr char kRefusedSubdir[] = "refused";

struct GateMetric {
  std::string name;               // e.g. "roc_auc", "recall@50"
  double candidate = 0;           // NaN: undefined on these examples
  std::optional<double> current;  // nullopt: no current bundle to beat
  std::string current_version;    // the bundle `current` was measured on
  size_t examples = 0;            // held-out examples both were measured on
};

struct GateDecision {
  bool promote = false;
  std::string reason;
};

// Promote when there is no current value, when it is undefined (NaN), or when candidate >= current;
// refuse an undefined candidate and a worse one.
GateDecision DecidePromotion(const GateMetric& metric);

// The name for the next version: "v" + at least 4 digits, one above every "v<digits>" under models_dir,
// its refused/ and .candidates/ folders; kInvalidArgument when that name would not be the newest
// (FindNewestBundle's natural order) because of differently named versions.
Result<std::string> NextBundleVersion(const std::string& models_dir);

// Where to train the candidate `version`: <models_dir>/.candidates/<version>.
std::string CandidatePath(const std::string& models_dir, const std::string& version);

// Moves the finished candidate <models_dir>/.candidates/<version> to <models_dir>/<version> (promote)
// or to <models_dir>/refused/<version> with REFUSED.json; returns the new path.
Result<std::string> ApplyPromotion(const std::string& models_dir, const std::string& version, const GateMetric& metric,
                                   const GateDecision& decision);

}  // namespace segue
