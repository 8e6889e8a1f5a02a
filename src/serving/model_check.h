// What a model component's check of its models folder found (ScoringComponent, RetrievalModelComponent):
// the answer of POST /v1/admin/models/reload (model_reload_handler.h), one per model.
// Plain value.
#pragma once

#include <string>

namespace segue::serving {

struct ModelCheck {
  std::string serving;  // the version serving after the check ("" when none)
  bool swapped = false; // this check swapped a newer bundle in
  std::string refused;  // why the newest bundle is not serving ("" when it is, or there is none)
};

}  // namespace segue::serving
