// Fuzz build only (SEGUE_FUZZ): the one symbol the Torch-free serving sources need from the Transformer
// side of segue_models. Debian's LibTorch headers do not compile with clang 14 in C++20 mode
// (std::vector<c10::IValue> of an incomplete type in C++20's constexpr members), so the fuzz build cannot
// build segue_models, and the serving harnesses link the serving sources without it (fuzz/CMakeLists.txt).
// session_handler.cc calls DisengagementScorer::Get only when a scorer is wired; the harnesses wire none,
// so this is never called.
#include "models/disengagement_scorer.h"

namespace segue {

std::optional<ListenerScoreView> DisengagementScorer::Get(std::string_view) const { __builtin_trap(); }

}  // namespace segue
