#include "serving/recommendation_component.h"

namespace segue::serving {

Result<std::unique_ptr<RecommendationComponent>> RecommendationComponent::Open(const recommend::RecommendConfig& config,
                                                                              const std::string& data_dir,
                                                                              RecommendationDeps deps,
                                                                              metrics::Registry& registry) {
  std::unique_ptr<RecommendationComponent> c(new RecommendationComponent());
  auto prefs = preferences::RocksDbPreferenceStore::Open(data_dir + "/" + preferences::kPreferencesSubdir);
  if (!prefs.ok()) return prefs.status();
  c->preferences_ = std::move(*prefs);
  impressions::ImpressionStoreOptions io;
  io.dir = data_dir + "/" + impressions::kImpressionsSubdir;
  io.queue_capacity = config.impressions_queue;
  auto store = impressions::ImpressionStore::Open(io, registry);
  if (!store.ok()) return store.status();
  c->impressions_ = std::move(*store);
  std::vector<impressions::ImpressionSink*> sinks = {c->impressions_.get()};
  if (deps.impression_observer) sinks.push_back(deps.impression_observer);
  c->impression_sink_ = std::make_unique<impressions::FanOutSink>(std::move(sinks));
  c->recommender_ = std::make_unique<recommend::Recommender>(
      config, recommend::RecommenderDeps{deps.catalog, std::move(deps.genre_popular), std::move(deps.global_popular),
                                         std::move(deps.hour_popular),
                                         c->preferences_.get(),
                                         deps.route_impressions ? deps.route_impressions(c->impression_sink_.get())
                                                                : c->impression_sink_.get(),
                                         &registry});
  c->recommendations_handler_ =
      std::make_unique<RecommendationsHandler>(c->recommender_.get(), deps.sessions, std::move(deps.history));
  c->preferences_handler_ = std::make_unique<PreferencesHandler>(c->preferences_.get());
  return c;
}

void RecommendationComponent::Register(ServerHost& host) {
  recommendations_handler_->Register(host);
  preferences_handler_->Register(host);
}

}  // namespace segue::serving
