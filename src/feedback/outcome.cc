#include "feedback/outcome.h"

#include <array>

namespace segue::feedback {
namespace {

constexpr std::array<std::string_view, kOutcomeKinds> kNames = {"listened", "completed", "skipped",
                                                                 "ignored",  "search",    "exit"};

}  // namespace

std::string_view OutcomeKindName(OutcomeKind kind) { return kNames[static_cast<size_t>(kind)]; }

std::optional<OutcomeKind> ParseOutcomeKind(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<OutcomeKind>(i);
  }
  return std::nullopt;
}

}  // namespace segue::feedback
