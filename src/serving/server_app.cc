#include "serving/server_app.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <malloc.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "catalog/catalog.h"
#include "common/hash.h"
#include "common/metrics.h"
#include "experiments/experiment_set.h"
#include "models/live_scoring.h"
#include "monitoring/engagement_drift.h"
#include "pipeline/pipeline.h"
#include "serving/acked_offsets.h"
#include "serving/catalog_store.h"
#include "serving/dashboard_handler.h"
#include "serving/event_store.h"
#include "serving/events_handler.h"
#include "serving/experiments_component.h"
#include "serving/feedback_component.h"
#include "serving/http_server.h"
#include "serving/log_component.h"
#include "recommend/history_store.h"
#include "recommend/listening_feed.h"
#include "recommend/retrieval_baselines.h"
#include "serving/log_health.h"
#include "serving/maintenance.h"
#include "serving/model_reload_handler.h"
#include "serving/node_component.h"
#include "serving/retrain_component.h"
#include "serving/push_component.h"
#include "serving/recommendation_component.h"
#include "serving/retrieval_model_component.h"
#include "serving/router.h"
#include "serving/scoring_component.h"
#include "serving/server_host.h"
#include "serving/session_handler.h"
#include "serving/sessions_component.h"
#include "serving/tracks_handler.h"
#include "serving/trigger_push.h"
#include "session/session_tracker.h"

namespace segue::serving {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

struct ServerApp::Impl : ServerHost {
  explicit Impl(ServerConfig c)
      : config(OnBus(std::move(c))),
        tracker(&catalog, config.sessions),
        scoring(WithTriggerSink(config.scoring), registry_),
        local_state(&tracker, scoring.scorer()),
        history_store(config.recommend.history),
        baselines(&catalog, config.recommend.baselines),
        listening_feed(&history_store, &baselines),
        engagement_drift({}, &registry_, [this] { return TrainingEngagement(); }),
        experiment_set(experiments::kDefaultMaxListeners, registry_),
        feedback(config.feedback, config.sessions.session_timeout_ms),
        live_scoring(&tracker, &catalog, scoring.scorer(), {&listening_feed},
                     {&engagement_drift, &experiment_set, &feedback}),
        router(registry_),
        ioc(config.threads),
        signals(ioc, SIGTERM, SIGINT) {}

  Status Run(const std::function<void(const std::string&)>& on_listening);
  // A bus node checkpoints sessions per partition in the online store, not in snapshots.
  static ServerConfig OnBus(ServerConfig c) {
    if (!c.bus.redis.url.empty()) c.session_maintenance.snapshots = false;
    return c;
  }
  Status OpenNode();
  // The scorer's triggers go to trigger_push (once it exists: triggers only fire after the restore).
  ScoringConfig WithTriggerSink(ScoringConfig scoring_config) {
    scoring_config.scorer.on_trigger = [this](const Trigger& t) {
      if (trigger_push) trigger_push->OnTrigger(t);
    };
    return scoring_config;
  }
  // Engagement drift's baseline: the served disengagement bundle's training-data counts, when it has them.
  std::optional<EngagementCounts> TrainingEngagement() const {
    return scoring.scorer() ? scoring.scorer()->training_engagement() : std::nullopt;
  }
  Status OpenLog();
  Status OpenRecommendations();
  void RegisterComponents();
  Status StartHttp(const std::function<void(const std::string&)>& on_listening);
  Status RestoreAndStartPipeline();
  void WaitForStop();
  void RequestStop();
  void Shutdown();

  // ServerHost
  metrics::Registry& registry() override { return registry_; }
  void AddRoute(HttpMethod method, const std::string& pattern, RouteHandler handler, RouteReadiness readiness) override;
  RouteHandler AfterAcknowledgedApplied(RouteHandler handler) override;
  const AdminAuth& admin() const override { return admin_auth; }
  void Every(std::chrono::milliseconds period, std::function<void()> task) override {
    maintenance.Every(period, std::move(task));
  }
  void RunOnMaintenance(std::function<void()> task) override { maintenance.Post(std::move(task)); }

  const ServerConfig config;
  metrics::Registry registry_;
  Catalog catalog;
  SessionTracker tracker;
  ScoringComponent scoring;
  TrackerListenerState local_state;  // this process's listeners (all of them without a bus)
  recommend::HistoryStore history_store;
  recommend::RetrievalBaselines baselines;
  recommend::ListeningFeed listening_feed;
  monitoring::EngagementDrift engagement_drift;
  experiments::ExperimentSet experiment_set;
  FeedbackComponent feedback;  // reports outcomes to experiment_set
  LiveScoring live_scoring;
  EventStore store;  // the event log behind its interfaces (event_store.h)
  std::unique_ptr<AckedOffsets> acked;  // per partition, what POST /v1/events acknowledged
  std::unique_ptr<Pipeline> pipeline;  // created once sessions are restored
  std::unique_ptr<NodeComponent> node;  // with [bus] url: the partitions this node owns (node_component.h)
  // Where the read handlers find any listener: the node (owned partitions local, others in Redis) or local_state.
  const ListenerState* listener_state() const { return node ? static_cast<const ListenerState*>(node.get()) : &local_state; }
  std::vector<std::unique_ptr<ServerComponent>> components;
  std::unique_ptr<SessionsComponent> sessions;
  std::unique_ptr<RecommendationComponent> recommendations;
  std::unique_ptr<RetrievalModelComponent> retrieval_model;
  std::unique_ptr<PushComponent> push;
  std::unique_ptr<ExperimentsComponent> experiments;
  std::unique_ptr<TriggerPush> trigger_push;
  std::atomic<bool> restored{false};
  AdminAuth admin_auth;
  Router router;
  Maintenance maintenance;
  // After maintenance: destroyed first (its thread posts model checks to the maintenance thread).
  std::unique_ptr<RetrainComponent> retrain;

  net::io_context ioc;
  std::unique_ptr<HttpServer> server;
  net::signal_set signals;
  std::vector<std::thread> io_threads;

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stop_requested = false;
};

Status ServerApp::Impl::Run(const std::function<void(const std::string&)>& on_listening) {
  Result<AdminAuth> auth = AdminAuth::FromFile(config.admin_token_file);
  if (!auth.ok()) return auth.status();
  admin_auth = std::move(*auth);
  if (Status s = OpenLog(); !s.ok()) return s;
  if (Status s = OpenNode(); !s.ok()) {
    store.Close();
    return s;
  }
  if (Status s = OpenRecommendations(); !s.ok()) {
    store.Close();
    return s;
  }
  RegisterComponents();
  if (Status s = StartHttp(on_listening); !s.ok()) {
    store.Close();
    return s;
  }
  Status result = RestoreAndStartPipeline();
  if (result.ok()) {
    maintenance.Start();
    WaitForStop();
  }
  Shutdown();
  return result;
}

Status ServerApp::Impl::OpenLog() {
  // Committed events go to the pipeline's workers; the log only hands them off. The pipeline exists
  // before any append is accepted: appends are routes registered kAfterRestore.
  Result<EventStore> opened =
      OpenEventStore(config, [this](const std::vector<LoggedEvent>& events) { pipeline->Dispatch(events); });
  if (!opened.ok()) return opened.status();
  store = std::move(*opened);
  acked = std::make_unique<AckedOffsets>(store.appender->partitions());
  Result<size_t> tracks = LoadCatalog(*store.state, catalog);
  if (!tracks.ok()) return tracks.status();
  spdlog::info("catalog: {} tracks loaded", *tracks);
  return Status::Ok();
}

// With a bus: this node's processing of the partitions it will own (started after the restore phase).
// Node id: [bus] node_id, or "<hostname>-<pid>" (unique per process; a restarted node waits for its
// previous incarnation's leases to expire, as any other node would).
Status ServerApp::Impl::OpenNode() {
  if (config.bus.redis.url.empty()) return Status::Ok();
  std::string id = config.bus.node_id;
  if (id.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    id = std::string(host) + "-" + std::to_string(::getpid());
  }
  spdlog::info("bus node {}: {} partitions at {}, lease {} ms", id, config.log.partitions, config.bus.redis.url,
               config.bus.lease_ms);
  Result<std::unique_ptr<NodeComponent>> created = NodeComponent::Create(
      config, std::move(id), &tracker, &catalog, &local_state,
      [this](const std::vector<LoggedEvent>& events) { live_scoring.OnCommitted(events); },
      [this](push::PushMessagePtr m) { push->service().hub().Publish(std::move(m)); }, registry_);
  if (!created.ok()) return created.status();
  node = std::move(*created);
  return Status::Ok();
}

// The recommender (retrieval → ranking → filters, with the baselines as fallbacks; its retriever chosen by
// RetrievalModelComponent), preferences, impressions (to the store and the feedback collector, whose
// outcomes the experiments count), and proactive push (which experiments may withhold).
Status ServerApp::Impl::OpenRecommendations() {
  if (Status s = feedback.Open(config.data_dir, registry_); !s.ok()) return s;
  feedback.AddObserver(&experiment_set);
  RecommendationDeps deps{&catalog, listener_state(), recommend::Unowned(baselines.genre_popularity()), recommend::Unowned(baselines.popularity()),
                          recommend::Unowned(baselines.hour_popularity()),
                          [this](std::string_view user) { return history_store.Get(user); }, feedback.impressions()};
  if (node) {
    deps.route_impressions = [this](impressions::ImpressionSink* local) { return node->RouteImpressions(local); };
  }
  Result<std::unique_ptr<RecommendationComponent>> opened =
      RecommendationComponent::Open(config.recommend, config.data_dir, std::move(deps), registry_);
  if (!opened.ok()) return opened.status();
  recommendations = std::move(*opened);
  retrieval_model = std::make_unique<RetrievalModelComponent>(config.recommend, &catalog, &baselines,
                                                              &recommendations->recommender());
  if (Status s = retrieval_model->Start(); !s.ok()) return s;
  Result<std::unique_ptr<PushComponent>> created = PushComponent::Create(config.push, registry_);
  if (!created.ok()) return created.status();
  push = std::move(*created);
  if (node) push->service().SetRelay(&node->push_relay());
  Result<std::unique_ptr<ExperimentsComponent>> experiments_opened =
      ExperimentsComponent::Open(config.experiments, config.data_dir, &experiment_set);
  if (!experiments_opened.ok()) return experiments_opened.status();
  experiments = std::move(*experiments_opened);
  trigger_push = std::make_unique<TriggerPush>(
      &tracker, [this](std::string_view user) { return history_store.Get(user); }, &recommendations->recommender(),
      &push->service(), registry_, &experiment_set);
  return Status::Ok();
}

void ServerApp::Impl::RegisterComponents() {
  AppliedProgress applied{[this] { return pipeline->applied_offsets(); },
                          [this] { return pipeline->consumed_events(); }};
  sessions = std::make_unique<SessionsComponent>(&tracker, store.state, store.source, config.session_maintenance,
                                                 std::move(applied));
  // The experiments' statistics are saved beside each sessions snapshot and catch up on the tail a
  // restore replays (their per-listener seqs skip what they had already counted).
  sessions->AfterEachSnapshot([this] { experiments->SaveStatistics(); });
  sessions->ReplayTailTo(&experiment_set);
  sessions->ReplayTailTo(&feedback);  // it skips per listener what its stored state already covers
  if (store.embedded) {
    components.push_back(
        std::make_unique<LogComponent>(store.embedded.get(), config.log, config.retention_interval_s));
  }
  components.push_back(std::make_unique<EventsHandler>(store.appender, config.events, registry_, acked.get()));
  components.push_back(std::make_unique<SessionHandler>(listener_state()));
  components.push_back(
      std::make_unique<TracksHandler>(&catalog, store.state, TrackLimits{}, &retrieval_model->track_indexer()));
  components.push_back(std::make_unique<DashboardHandler>());
  sessions->Register(*this);
  scoring.Register(*this);
  recommendations->Register(*this);
  retrieval_model->Register(*this);
  push->Register(*this);
  experiments->Register(*this);
  auto reload = std::make_unique<ModelReloadHandler>(&scoring, retrieval_model.get());
  retrain = std::make_unique<RetrainComponent>(config.retrain, "/proc/self/exe", config.data_dir,
                                               config.scoring.models_dir, config.recommend.retrieval_models_dir,
                                               reload.get());
  components.push_back(std::move(reload));
  for (auto& c : components) c->Register(*this);
  retrain->Register(*this);

  registry_.AddCallbackGauge("segue_catalog_tracks", "Tracks in the catalog.",
                            [this] { return static_cast<double>(catalog.size()); });
  AddRoute(HttpMethod::kGet, "/healthz",
           [](HttpRequest, PathParams, ResponseCallback d) { d(JsonResponse(200, "{\"status\":\"ok\"}")); },
           RouteReadiness::kAlways);
  AddRoute(HttpMethod::kGet, "/readyz",
           [this](HttpRequest, PathParams, ResponseCallback d) {
             d(ReadinessResponse(restored.load(std::memory_order_acquire), *store.appender));
           },
           RouteReadiness::kAlways);
  AddRoute(HttpMethod::kGet, "/metrics",
           [this](HttpRequest, PathParams, ResponseCallback d) {
             HttpResponse r;
             r.content_type = "text/plain; version=0.0.4; charset=utf-8";
             r.body = registry_.RenderText() + metrics::DefaultRegistry().RenderText();
             d(std::move(r));
           },
           RouteReadiness::kAlways);
}

void ServerApp::Impl::AddRoute(HttpMethod method, const std::string& pattern, RouteHandler handler,
                               RouteReadiness readiness) {
  if (readiness == RouteReadiness::kAlways) return router.Add(method, pattern, std::move(handler));
  router.Add(method, pattern, [this, h = std::move(handler)](HttpRequest req, PathParams p, ResponseCallback done) {
    if (!restored.load(std::memory_order_acquire)) {
      HttpResponse r = JsonError(503, "the server is restoring sessions; retry shortly");
      r.headers.emplace_back("Retry-After", "1");
      return done(std::move(r));
    }
    h(std::move(req), std::move(p), std::move(done));
  });
}

RouteHandler ServerApp::Impl::AfterAcknowledgedApplied(RouteHandler handler) {
  // On a bus the events are applied by whichever node owns their partition: there is no local watermark
  // of what was acknowledged, so answers are as of the latest applied (or committed) state.
  if (!store.embedded) return handler;
  return [this, h = std::move(handler)](HttpRequest r, PathParams p, ResponseCallback d) {
    const uint32_t partition = PartitionOf(p.at(0), acked->partitions());
    pipeline->WhenApplied(partition, acked->Get(partition),
                          [h, r = std::move(r), p = std::move(p), d = std::move(d)]() mutable {
                            h(std::move(r), std::move(p), std::move(d));
                          });
  };
}

Status ServerApp::Impl::StartHttp(const std::function<void(const std::string&)>& on_listening) {
  Result<net::ip::tcp::endpoint> endpoint = ParseListenAddress(config.listen);
  if (!endpoint.ok()) return endpoint.status();
  server = std::make_unique<HttpServer>(
      ioc, config.http, [this](HttpRequest r, ResponseCallback d) { router.Handle(std::move(r), std::move(d)); },
      registry_);
  Result<net::ip::tcp::endpoint> bound = server->Listen(*endpoint);
  if (!bound.ok()) return bound.status();
  std::string bound_text = (bound->address().is_v6() ? "[" + bound->address().to_string() + "]"
                                                      : bound->address().to_string()) +
                           ":" + std::to_string(bound->port());
  signals.async_wait([this](boost::system::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("received signal {}; shutting down", signo);
    RequestStop();
  });
  for (int i = 0; i < config.threads; ++i) io_threads.emplace_back([this] { ioc.run(); });
  spdlog::info("listening on {} ({} I/O threads, data dir {})", bound_text, config.threads, config.data_dir);
  on_listening(bound_text);
  return Status::Ok();
}

Status ServerApp::Impl::RestoreAndStartPipeline() {
  Result<RestoreReport> report = sessions->Restore();
  if (!report.ok()) return report.status();
  pipeline = std::make_unique<Pipeline>(
      config.pipeline, [this](const std::vector<LoggedEvent>& events) { live_scoring.OnCommitted(events); },
      report->offsets, registry_);
  if (node) {
    if (Status s = node->Start(); !s.ok()) return s;
  }
  restored.store(true, std::memory_order_release);
  return Status::Ok();
}

void ServerApp::Impl::WaitForStop() {
  std::unique_lock lock(stop_mu);
  stop_cv.wait(lock, [this] { return stop_requested; });
}

void ServerApp::Impl::RequestStop() {
  std::lock_guard lock(stop_mu);
  stop_requested = true;
  stop_cv.notify_all();
}

void ServerApp::Impl::Shutdown() {
  server->Stop();
  const HttpServerStats& http_stats = server->stats();
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(config.shutdown_grace_ms);
  while (http_stats.open_connections.load() > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (int64_t left = http_stats.open_connections.load(); left > 0) {
    spdlog::warn("{} connections still open after the {} ms grace period; closing them", left, config.shutdown_grace_ms);
  }
  signals.cancel();
  ioc.stop();
  for (std::thread& t : io_threads) t.join();
  if (retrain) retrain->Stop();  // terminates a running training; before the maintenance thread it posts to
  maintenance.Stop();
  if (node) node->Stop();  // hands its partitions over: last commits, leases released
  // Every request was answered, so nothing is left in the log's queue: drain the pipeline, then persist.
  if (pipeline) {
    pipeline->Stop();
    feedback.Flush();  // the last events' outcomes reach the experiments before their statistics are saved
    sessions->FinalSnapshot();
  }
  // A trigger's recommendation may still be on the recommender's pool: stop it (writing the queued
  // impressions) before what its callbacks push to.
  retrieval_model.reset();
  recommendations.reset();
  trigger_push.reset();
  push.reset();
  feedback.Close();
  store.Close();
  spdlog::info("stopped");
}

ServerApp::ServerApp(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

ServerApp::~ServerApp() = default;

Status ServerApp::Run(const std::function<void(const std::string&)>& on_listening) {
  if (Status s = ValidateServerConfig(impl_->config); !s.ok()) return s;
  // Request bodies are large (up to body_limit each) and short-lived. glibc raises its mmap threshold
  // to the largest block freed so far, after which such buffers come from the heap arenas and stay in
  // the RSS after a burst of uploads; a fixed threshold keeps them mmapped, so freeing one returns its
  // memory to the system.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  return impl_->Run(on_listening);
}

void ServerApp::RequestStop() { impl_->RequestStop(); }

Status RunServer(const ServerConfig& config, const std::function<void(const std::string&)>& on_listening) {
  return ServerApp(config).Run(on_listening);
}

}  // namespace segue::serving
