#include "experiments/assignment.h"

#include <string>

#include "common/hash.h"

namespace segue::experiments {

uint64_t AssignmentHash(std::string_view experiment_id, std::string_view user_id) {
  std::string key;
  key.reserve(experiment_id.size() + 1 + user_id.size());
  key.append(experiment_id).push_back('\0');
  key.append(user_id);
  return Mix64(Fnv1a64(key));
}

size_t AssignArm(const ExperimentSpec& spec, std::string_view user_id) {
  uint64_t total = 0;
  for (const ArmSpec& arm : spec.arms) total += arm.weight;
  uint64_t bucket = AssignmentHash(spec.id, user_id) % total;
  for (size_t i = 0; i < spec.arms.size(); ++i) {
    if (bucket < spec.arms[i].weight) return i;
    bucket -= spec.arms[i].weight;
  }
  return spec.arms.size() - 1;  // unreachable for a valid spec: the buckets cover [0, total)
}

}  // namespace segue::experiments
