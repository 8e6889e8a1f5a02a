// ExperimentSpec: one A/B experiment as an operator configures it (config file `[[experiments]]` or
// `PUT /v1/experiments/{id}`; docs/operations.md, docs/api.md), and its validation.
//
// Arm kinds, i.e. what happens to a disengagement trigger of a listener assigned to the arm:
//   shadow     score and record the trigger, push nothing (the honest control: trigger precision is
//              measured on triggers nobody acted on)
//   treatment  push the trigger's recommendations
//   threshold  push only when the trigger's score is at or above the arm's `threshold`; below it the
//              trigger is recorded as not acted on, like a shadow one. The scorer fires only at its own
//              (the bundle's) threshold, so an arm threshold at or below it acts on every trigger, exactly
//              like treatment: lower scores never reach the arm.
//   retriever  refused by ValidateExperiment: the recommender serves every request with one retriever
//              ([recommend] retriever, swapped whole), it cannot choose one per request. The kind and its
//              `retriever` parameter are parsed so the refusal says exactly that.
// At most one shadow arm: every other arm is compared with it in the report.
// Plain values; the functions are reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace segue::experiments {

enum class ArmKind : uint8_t { kShadow, kTreatment, kThreshold, kRetriever };

// "shadow", "treatment", "threshold", "retriever".
std::string_view ArmKindName(ArmKind kind);
std::optional<ArmKind> ParseArmKind(std::string_view name);

struct ArmSpec {
  std::string name;
  ArmKind kind = ArmKind::kTreatment;
  uint32_t weight = 1;     // share of listeners: weight / sum of the experiment's weights
  float threshold = 0;     // kind threshold only, in (0, 1]
  std::string retriever;   // kind retriever only

  bool operator==(const ArmSpec&) const = default;
};

inline constexpr int64_t kDefaultHorizonMs = 10 * 60 * 1000;
inline constexpr size_t kMaxArms = 16;

struct ExperimentSpec {
  std::string id;
  std::string description;
  bool enabled = true;
  // How long after a trigger (event time) a disengagement (exit, or the session ending) counts for it.
  int64_t horizon_ms = kDefaultHorizonMs;
  std::vector<ArmSpec> arms;

  bool operator==(const ExperimentSpec&) const = default;
};

// Ids and arm names: 1..64 characters of [A-Za-z0-9_-] (they become URL segments and metric labels).
Status ValidateExperimentId(std::string_view id);

// kInvalidArgument naming the field ("arms[1].weight: ...").
Status ValidateExperiment(const ExperimentSpec& spec);

// The index of the shadow arm, if the experiment has one.
std::optional<size_t> ShadowArm(const ExperimentSpec& spec);

}  // namespace segue::experiments
