// One proactive push: the recommendations computed for a listener when their disengagement trigger fired,
// already serialised by the recommender, so the push component needs no knowledge of their type.
//
// `json` is the payload every transport delivers unchanged (docs/api.md, "Proactive push"):
// {"rec_id", "user_id", "items": [{"track_id", "score", "reasons"}], "source", "model_versions",
//  "trigger_score", "pushed_at"}. `rec_id` is repeated here because the SSE transport sends it as the
// event's id. Immutable once published: the hub shares one copy between all of a listener's subscribers.
#pragma once

#include <memory>
#include <string>

namespace segue::push {

struct PushMessage {
  std::string user_id;
  std::string rec_id;
  std::string json;
};

using PushMessagePtr = std::shared_ptr<const PushMessage>;

}  // namespace segue::push
