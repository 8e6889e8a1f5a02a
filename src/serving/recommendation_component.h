// The recommender as a server component: what `segue serve` constructs to serve recommendations.
// Opens the preference store (<data_dir>/preferences) and the impression store
// (<data_dir>/impressions; every impression also goes to deps.impression_observer; on a bus node those of
// listeners another node owns go to that owner instead: deps.route_impressions), builds the Recommender
// (recommend/recommender.h) over the catalog with the
// given popularity retrievers as its fallbacks, and registers GET /v1/users/{id}/recommendations
// (recommendations_handler.h) and GET/PUT /v1/users/{id}/preferences (preferences_handler.h).
// The model side arrives later and may change while serving: recommender().SetModel(...). A trigger
// fills the cache ahead of time with recommender().Prefetch(...); push calls recommender().Recommend.
// Destruction writes the impressions still queued.
// Thread-safety: Open and Register during set-up; recommender() is stable for the object's lifetime.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "impressions/fan_out_sink.h"
#include "impressions/impression_store.h"
#include "preferences/rocksdb_preference_store.h"
#include "recommend/recommender.h"
#include "serving/preferences_handler.h"
#include "serving/recommendations_handler.h"
#include "serving/server_host.h"

namespace segue::serving {

struct RecommendationDeps {
  const Catalog* catalog = nullptr;         // required; outlives the component
  const ListenerState* sessions = nullptr;  // required; outlives the component
  std::shared_ptr<const recommend::Retriever> genre_popular;   // may be null
  std::shared_ptr<const recommend::Retriever> global_popular;  // may be null
  std::shared_ptr<const recommend::Retriever> hour_popular;    // cold start; may be null
  RecommendationsHandler::HistoryLookup history;               // may be empty (recommend::HistoryStore::Get fits)
  impressions::ImpressionSink* impression_observer = nullptr;  // also told of every impression (feedback); may be null
  // With a bus: wraps the local sink (the store and impression_observer) in what the recommender records
  // into (NodeComponent::RouteImpressions); empty: the local sink itself.
  std::function<impressions::ImpressionSink*(impressions::ImpressionSink* local)> route_impressions = {};
};

class RecommendationComponent : public ServerComponent {
 public:
  // Errors name the store that could not be opened.
  static Result<std::unique_ptr<RecommendationComponent>> Open(const recommend::RecommendConfig& config,
                                                               const std::string& data_dir, RecommendationDeps deps,
                                                               metrics::Registry& registry);

  void Register(ServerHost& host) override;

  recommend::Recommender& recommender() { return *recommender_; }

 private:
  RecommendationComponent() = default;

  // Declaration order is destruction order reversed: the handlers and the recommender go before the
  // stores they use.
  std::unique_ptr<preferences::RocksDbPreferenceStore> preferences_;
  std::unique_ptr<impressions::ImpressionStore> impressions_;
  std::unique_ptr<impressions::FanOutSink> impression_sink_;  // the store, and deps.impression_observer
  std::unique_ptr<recommend::Recommender> recommender_;
  std::unique_ptr<RecommendationsHandler> recommendations_handler_;
  std::unique_ptr<PreferencesHandler> preferences_handler_;
};

}  // namespace segue::serving
