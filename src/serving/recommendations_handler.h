// GET /v1/users/{id}/recommendations?k=10&explain=true: the listener's recommendations from the
// Recommender (recommend/recommender.h) as
//   {"rec_id", "items": [{"track_id", "score", "reasons"}], "source", "served_by", "model_versions",
//    "took_ms"}
// ("reasons" only with explain=true; took_ms is the recommender's time). Bad input (k out of range, a
// malformed id, an unknown parameter or filter option) is a 400 naming the parameter
// (recommendation_query.h). A listener the server does not know gets the cold-start list, not a 404.
// The session is a copy from the ListenerState (listener_state.h: this process's tracker, or on a bus node
// the online store for partitions another node owns, so a non-owner computes with its own recommender
// from the owner's last committed session), so the recommender works on a stable value; 503 with
// Retry-After when that store cannot be read. Handle returns without waiting for the model stage: the response is sent from the recommender's
// pool or deadline thread when the model is consulted (Recommender::RecommendAsync).
// Thread-safety: Handle() is safe to call concurrently.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "recommend/listener_history.h"
#include "recommend/recommender.h"
#include "serving/http_message.h"
#include "serving/listener_state.h"
#include "serving/router.h"
#include "serving/server_host.h"

namespace segue::serving {

class RecommendationsHandler : public ServerComponent {
 public:
  // What the server keeps of a listener's longer history; empty function or nullopt: none.
  using HistoryLookup = std::function<std::optional<recommend::ListenerHistory>(std::string_view user_id)>;

  // `sessions` outlives this.
  RecommendationsHandler(recommend::Recommender* recommender, const ListenerState* sessions,
                         HistoryLookup history = {})
      : recommender_(recommender), sessions_(sessions), history_(std::move(history)) {}

  // GET /v1/users/{id}/recommendations, once sessions are restored, reflecting every event acknowledged
  // before the request (read-your-writes: "nothing played in this session" includes the last play).
  void Register(ServerHost& host) override;
  void Handle(HttpRequest request, PathParams params, ResponseCallback done) const;

 private:
  recommend::Recommender* recommender_;
  const ListenerState* sessions_;
  HistoryLookup history_;
};

// The response body of a recommendation (the JSON above), as a JSON object (push adds its fields to it)
// and as text.
nlohmann::json RecommendationJson(const recommend::Recommendation& r, bool explain);
std::string RecommendationToJson(const recommend::Recommendation& r, bool explain);

}  // namespace segue::serving
