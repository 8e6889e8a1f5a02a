#include "experiments/experiment_spec.h"

#include <set>

namespace segue::experiments {
namespace {

constexpr int64_t kMaxHorizonMs = 7LL * 24 * 3600 * 1000;
constexpr uint32_t kMaxWeight = 1'000'000;

Status CheckName(std::string_view field, std::string_view value) {
  bool ok = !value.empty() && value.size() <= 64;
  for (char c : value) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument(std::string(field) + ": must be 1-64 characters of [A-Za-z0-9_-], got \"" +
                                 std::string(value.substr(0, 80)) + "\"");
}

Status ValidateArm(const ArmSpec& arm, const std::string& field) {
  if (Status s = CheckName(field + ".name", arm.name); !s.ok()) return s;
  if (arm.weight > kMaxWeight) {
    return Status::InvalidArgument(field + ".weight: must be in 0.." + std::to_string(kMaxWeight));
  }
  if (arm.kind == ArmKind::kRetriever) {
    return Status::InvalidArgument(
        field + ".kind: \"retriever\" arms are not supported: the recommender serves every request with one "
                "retriever ([recommend] retriever), it cannot choose one per request");
  }
  if (arm.kind == ArmKind::kThreshold && !(arm.threshold > 0 && arm.threshold <= 1)) {
    return Status::InvalidArgument(field + ".threshold: a \"threshold\" arm needs a threshold in (0, 1]");
  }
  if (arm.kind != ArmKind::kThreshold && arm.threshold != 0) {
    return Status::InvalidArgument(field + ".threshold: only for kind \"threshold\"");
  }
  if (!arm.retriever.empty()) return Status::InvalidArgument(field + ".retriever: only for kind \"retriever\"");
  return Status::Ok();
}

}  // namespace

std::string_view ArmKindName(ArmKind kind) {
  switch (kind) {
    case ArmKind::kShadow: return "shadow";
    case ArmKind::kTreatment: return "treatment";
    case ArmKind::kThreshold: return "threshold";
    case ArmKind::kRetriever: return "retriever";
  }
  return "treatment";
}

std::optional<ArmKind> ParseArmKind(std::string_view name) {
  for (ArmKind k : {ArmKind::kShadow, ArmKind::kTreatment, ArmKind::kThreshold, ArmKind::kRetriever}) {
    if (ArmKindName(k) == name) return k;
  }
  return std::nullopt;
}

Status ValidateExperimentId(std::string_view id) { return CheckName("id", id); }

Status ValidateExperiment(const ExperimentSpec& spec) {
  if (Status s = ValidateExperimentId(spec.id); !s.ok()) return s;
  if (spec.horizon_ms < 1000 || spec.horizon_ms > kMaxHorizonMs) {
    return Status::InvalidArgument("horizon_ms: must be in 1000.." + std::to_string(kMaxHorizonMs) + ", got " +
                                   std::to_string(spec.horizon_ms));
  }
  if (spec.arms.empty() || spec.arms.size() > kMaxArms) {
    return Status::InvalidArgument("arms: must have 1.." + std::to_string(kMaxArms) + " arms");
  }
  std::set<std::string_view> names;
  uint64_t total_weight = 0;
  int shadows = 0;
  for (size_t i = 0; i < spec.arms.size(); ++i) {
    const ArmSpec& arm = spec.arms[i];
    const std::string field = "arms[" + std::to_string(i) + "]";
    if (Status s = ValidateArm(arm, field); !s.ok()) return s;
    if (!names.insert(arm.name).second) {
      return Status::InvalidArgument(field + ".name: \"" + arm.name + "\" names two arms");
    }
    if (arm.kind == ArmKind::kShadow && ++shadows > 1) {
      return Status::InvalidArgument(field + ".kind: at most one \"shadow\" arm (the baseline of the comparison)");
    }
    total_weight += arm.weight;
  }
  if (total_weight == 0) return Status::InvalidArgument("arms: the weights sum to 0");
  return Status::Ok();
}

std::optional<size_t> ShadowArm(const ExperimentSpec& spec) {
  for (size_t i = 0; i < spec.arms.size(); ++i) {
    if (spec.arms[i].kind == ArmKind::kShadow) return i;
  }
  return std::nullopt;
}

}  // namespace segue::experiments
