// The architecture of the disengagement Transformer: a plain struct shared by the LibTorch model
// (training, full forward), the flat-array inference engine (serving) and the bundle's config.json.
//
// Design constraint that shapes it: the server scores every play end incrementally, caching each
// past position's keys/values. Absolute positional embeddings would invalidate that cache every time
// the 32-play window slides, so positions enter as a learned RELATIVE bias per (layer, head, distance)
// on the attention logits, and layer l attends only to the last span(l) positions. With
// sum(span) - (layers - 1) <= kSequenceLength the last position's output depends only on steps inside
// the window, so cached states computed earlier in the stream are exactly what a full forward over the
// window computes (see incremental_encoder.h).
// Plain value type; no synchronisation.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"
#include "features/feature_spec.h"

namespace segue {

struct TransformerConfig {
  int d_model = 32;
  int heads = 4;
  int layers = 2;
  int ffn_dim = 64;
  int head_hidden = 32;  // hidden units of the MLP over [sequence output, context]
  float dropout = 0.1f;  // training only
  // Track and artist bucket embeddings (feature_spec.h). They let the model memorise the listeners it was
  // trained on, which hurts on new listeners (docs/models.md, "Generalising to new listeners"), so the
  // disengagement trainer leaves them out unless asked; bundles written before this field had them.
  bool id_embeddings = true;

  int head_dim() const { return d_model / heads; }
  // How many most recent positions layer `layer` attends to (itself included).
  int span() const { return (kSequenceLength + layers - 1) / layers; }

  // Checks the numbers are usable (positive, d_model divisible by heads, spans fit the window).
  Status Validate() const;
  // config.json's "architecture" object, and back (every field named; missing or bad → error naming it).
  nlohmann::json ToJson() const;
  static Result<TransformerConfig> FromJson(const nlohmann::json& json);
};

// The embedding row for a categorical input: out-of-vocabulary values fall back to 0 ("unknown"), the
// same rule in training, the LibTorch forward and the serving engine.
inline int VocabIndex(int value, int vocab) { return value >= 0 && value < vocab ? value : 0; }

}  // namespace segue
