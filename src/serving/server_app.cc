#include "serving/server_app.h"

#include <atomic>
#include <filesystem>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <malloc.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "catalog/catalog.h"
#include "common/metrics.h"
#include "common/time_util.h"
#include "log/event_log.h"
#include "models/disengagement_bundle.h"
#include "models/disengagement_scorer.h"
#include "models/live_scoring.h"
#include "pipeline/pipeline.h"
#include "serving/catalog_store.h"
#include "serving/events_handler.h"
#include "serving/http_server.h"
#include "serving/log_health.h"
#include "serving/router.h"
#include "serving/session_handler.h"
#include "serving/tracks_handler.h"
#include "session/session_snapshot.h"
#include "session/session_tracker.h"

namespace segue::serving {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

// A repeating task on the maintenance io_context; lives until RunServer returns.
struct Periodic {
  Periodic(net::io_context& ioc, std::chrono::seconds p, std::function<void()> t)
      : timer(ioc), period(p), task(std::move(t)) {}
  void Arm() {
    timer.expires_after(period);
    timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      task();
      Arm();
    });
  }
  net::steady_timer timer;
  std::chrono::seconds period;
  std::function<void()> task;
};

// Returns the seq the snapshot covers (0 when it failed).
// `covered_seq`: every event up to it has been applied (the pipeline's watermark).
uint64_t SaveSnapshotLogged(const SessionTracker& tracker, EventLog& log, uint64_t covered_seq) {
  Clock::time_point start = Clock::now();
  Result<SnapshotInfo> info = SaveSnapshot(tracker, log, covered_seq);
  if (!info.ok()) {
    spdlog::error("session snapshot failed: {}", info.status().message());
    return 0;
  }
  spdlog::info("session snapshot at seq {}: {} records, {} bytes in {} ms", info->seq, info->records, info->bytes,
               std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
  return info->seq;
}

}  // namespace

Status RunServer(const ServerConfig& config, const std::function<void(const std::string&)>& on_listening) {
  if (Status s = ValidateServerConfig(config); !s.ok()) return s;
  // Request bodies are large (up to body_limit each) and short-lived. glibc raises its mmap threshold
  // to the largest block freed so far, after which such buffers come from the heap arenas and stay in
  // the RSS after a burst of uploads; a fixed threshold keeps them mmapped, so freeing one returns its
  // memory to the system.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  Result<net::ip::tcp::endpoint> endpoint = ParseListenAddress(config.listen);
  if (!endpoint.ok()) return endpoint.status();

  metrics::Registry registry;
  Catalog catalog;
  SessionTrackerOptions tracker_options;
  tracker_options.max_plays = config.max_plays;
  tracker_options.session_timeout_ms = config.session_timeout_ms;
  tracker_options.max_sessions = config.max_sessions;
  SessionTracker tracker(&catalog, tracker_options);

  // Disengagement scoring is optional: without a usable bundle the server runs on without it. The scorer
  // is plain C++ (no LibTorch in the serving path, hence no intra-op thread pool to contend for the cores).
  std::unique_ptr<DisengagementScorer> scorer;
  if (!config.models_dir.empty()) {
    ScorerOptions scorer_options;
    scorer_options.registry = &registry;
    Result<std::unique_ptr<DisengagementScorer>> loaded = DisengagementScorer::Load(config.models_dir, scorer_options);
    if (loaded.ok()) {
      scorer = std::move(*loaded);
      spdlog::info("disengagement model {} loaded from {} (threshold {:.3f})", scorer->model_version(),
                   config.models_dir, scorer->threshold());
    } else {
      spdlog::error("disengagement model not loaded: {}; serving without disengagement scoring",
                    loaded.status().message());
    }
  }

  EventLogOptions log_options;
  log_options.dir = config.data_dir;
  log_options.partitions = config.partitions;
  log_options.sync = config.sync;
  log_options.max_pending_events = config.max_pending_events;
  log_options.dedup_capacity = config.dedup_capacity;
  log_options.dedup_window_ms = config.dedup_window_ms;
  log_options.retention_ms = config.retention_ms;
  log_options.retention_bytes = config.retention_bytes;
  log_options.min_free_bytes = config.min_free_bytes;
  log_options.on_health_change = [](const Status& health) {
    if (health.ok()) {
      spdlog::info("event log accepts writes again");
    } else {
      spdlog::error("event log refuses writes until this is resolved: {}", health.message());
    }
  };
  // Committed events go to the pipeline's workers; the committer only hands them off. The pipeline is
  // created once sessions are restored, before any append is accepted (appends wait for `ready`).
  LiveScoring live_scoring(&tracker, &catalog, scorer.get());
  std::unique_ptr<Pipeline> pipeline;
  log_options.on_committed = [&pipeline](const std::vector<LoggedEvent>& events) { pipeline->Dispatch(events); };
  Result<std::unique_ptr<EventLog>> opened = EventLog::Open(log_options);
  if (!opened.ok()) return Status(opened.status().code(), "opening the event log in " + config.data_dir + ": " + opened.status().message());
  std::unique_ptr<EventLog> log = std::move(*opened);

  Result<size_t> tracks = LoadCatalog(*log, catalog);
  if (!tracks.ok()) return tracks.status();
  spdlog::info("catalog: {} tracks loaded", *tracks);

  // Metrics owned by this process's components.
  registry.AddCallbackGauge("segue_sessions_active", "Sessions held in memory.",
                            [&tracker] { return static_cast<double>(tracker.active_sessions()); });
  registry.AddCallbackGauge("segue_catalog_tracks", "Tracks in the catalog.",
                            [&catalog] { return static_cast<double>(catalog.size()); });
  registry.AddCallbackGauge("segue_log_events", "Events stored in the log.",
                            [&log] { return static_cast<double>(log->stats().events); });
  registry.AddCallbackGauge("segue_log_logical_bytes", "Bytes of stored events (keys + values).",
                            [&log] { return static_cast<double>(log->stats().logical_bytes); });
  registry.AddCallbackGauge("segue_log_disk_bytes", "RocksDB's estimate of the log's size on disk.",
                            [&log] { return static_cast<double>(log->stats().disk_bytes); });
  registry.AddCallbackGauge("segue_log_last_seq", "Newest sequence number assigned.",
                            [&log] { return static_cast<double>(log->last_seq()); });
  registry.AddCallbackCounter("segue_log_group_commits_total", "Group commits (one synced write each) since start.",
                              [&log] { return static_cast<double>(log->stats().group_commits); });
  registry.AddCallbackCounter("segue_log_grouped_events_total", "Events that went through group commits since start.",
                              [&log] { return static_cast<double>(log->stats().grouped_events); });
  registry.AddCallbackGauge("segue_log_writable",
                            "1 while the log accepts appends; 0 while it refuses them (disk full, failed write).",
                            [&log] { return log->health().ok() ? 1.0 : 0.0; });
  registry.AddCallbackCounter("segue_log_failed_writes_total",
                              "Log writes that failed or were refused by min_free_bytes since start.",
                              [&log] { return static_cast<double>(log->stats().failed_writes); });

  ParseLimits parse_limits;
  parse_limits.max_events_per_batch = config.max_events_per_batch;
  parse_limits.max_future_skew_ms = config.max_future_skew_ms;
  EventsHandler events_handler(log.get(), parse_limits, registry);
  SessionHandler session_handler(&tracker, scorer.get());
  TracksHandler tracks_handler(&catalog, log.get(), TrackLimits{});

  std::atomic<bool> ready{false};
  // Event and session routes wait for the restore: applying a new event before the replayed ones would
  // make the tracker skip the replayed ones as already applied.
  auto when_ready = [&ready](RouteHandler h) -> RouteHandler {
    return [&ready, h = std::move(h)](HttpRequest req, PathParams p, ResponseCallback done) {
      if (!ready.load(std::memory_order_acquire)) {
        HttpResponse r = JsonError(503, "the server is restoring sessions; retry shortly");
        r.headers.emplace_back("Retry-After", "1");
        return done(std::move(r));
      }
      h(std::move(req), std::move(p), std::move(done));
    };
  };
  Router router(registry);
  router.Add(HttpMethod::kPost, "/v1/events", when_ready([&](HttpRequest r, PathParams p, ResponseCallback d) {
               events_handler.Handle(std::move(r), std::move(p), std::move(d));
             }));
  router.Add(HttpMethod::kGet, "/v1/users/{id}/session",
             when_ready([&](HttpRequest r, PathParams p, ResponseCallback d) {
               // Read-your-writes: the session reflects every event acknowledged before the request.
               pipeline->WhenApplied(log->last_seq(), [&session_handler, r = std::move(r), p = std::move(p),
                                                       d = std::move(d)]() mutable {
                 session_handler.Handle(std::move(r), std::move(p), std::move(d));
               });
             }));
  router.Add(HttpMethod::kPost, "/v1/tracks", [&](HttpRequest r, PathParams p, ResponseCallback d) {
    tracks_handler.HandlePost(std::move(r), std::move(p), std::move(d));
  });
  router.Add(HttpMethod::kGet, "/v1/tracks/{id}", [&](HttpRequest r, PathParams p, ResponseCallback d) {
    tracks_handler.HandleGet(std::move(r), std::move(p), std::move(d));
  });
  router.Add(HttpMethod::kGet, "/healthz", [](HttpRequest, PathParams, ResponseCallback d) {
    d(JsonResponse(200, "{\"status\":\"ok\"}"));
  });
  router.Add(HttpMethod::kGet, "/readyz", [&ready, &log](HttpRequest, PathParams, ResponseCallback d) {
    d(ReadinessResponse(ready.load(std::memory_order_acquire), *log));
  });
  router.Add(HttpMethod::kGet, "/metrics", [&registry](HttpRequest, PathParams, ResponseCallback d) {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = registry.RenderText() + metrics::DefaultRegistry().RenderText();
    d(std::move(r));
  });

  HttpServerOptions http_options;
  http_options.body_limit = config.body_limit_bytes;
  http_options.header_limit = config.header_limit_bytes;
  http_options.max_buffered_body_bytes = config.max_buffered_body_bytes;
  http_options.max_connections = config.max_connections;
  http_options.max_connections_per_client = config.max_connections_per_client;
  http_options.probe_reserve_connections = config.probe_reserve_connections;
  http_options.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  http_options.body_timeout = std::chrono::milliseconds(config.body_timeout_ms);
  http_options.write_timeout = std::chrono::milliseconds(config.write_timeout_ms);

  net::io_context ioc(config.threads);
  HttpServer server(
      ioc, http_options, [&router](HttpRequest r, ResponseCallback d) { router.Handle(std::move(r), std::move(d)); },
      registry);
  const HttpServerStats& http_stats = server.stats();

  Result<net::ip::tcp::endpoint> bound = server.Listen(*endpoint);
  if (!bound.ok()) return bound.status();
  std::string bound_text = (bound->address().is_v6() ? "[" + bound->address().to_string() + "]"
                                                      : bound->address().to_string()) +
                           ":" + std::to_string(bound->port());

  // SIGTERM/SIGINT stop the server; the signal_set runs on the HTTP io_context.
  std::atomic<bool> stop_requested{false};
  net::signal_set signals(ioc, SIGTERM, SIGINT);
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("received signal {}; shutting down", signo);
    std::lock_guard lock(stop_mu);
    stop_requested = true;
    stop_cv.notify_all();
  });

  std::vector<std::thread> io_threads;
  for (int i = 0; i < config.threads; ++i) io_threads.emplace_back([&ioc] { ioc.run(); });
  spdlog::info("listening on {} ({} I/O threads, data dir {})", bound_text, config.threads, config.data_dir);
  on_listening(bound_text);

  Clock::time_point restore_start = Clock::now();
  Result<RestoreReport> restored = RestoreSessions(tracker, *log);
  if (!restored.ok()) {
    spdlog::error("session restore failed: {}", restored.status().message());
  } else {
    spdlog::info("sessions restored: snapshot {} (seq {}), {} events replayed, {} active sessions, {} ms",
                 restored->snapshot_found ? "found" : "absent", restored->snapshot_seq, restored->replayed,
                 tracker.active_sessions(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - restore_start).count());
    if (restored->missing_from) {
      spdlog::warn("log events {}..{} were removed by retention before they were snapshotted", restored->missing_from,
                   restored->missing_to);
    }
  }
  Status result = restored.ok() ? Status::Ok() : restored.status();
  if (restored.ok()) {
    PipelineOptions pipeline_options;
    pipeline_options.workers = config.pipeline_workers;
    pipeline_options.queue_events = config.pipeline_queue_events;
    pipeline_options.worker_nice = config.pipeline_worker_nice;
    pipeline = std::make_unique<Pipeline>(
        pipeline_options, [&live_scoring](const std::vector<LoggedEvent>& events) { live_scoring.OnCommitted(events); },
        log->last_seq(), registry);
    ready.store(true, std::memory_order_release);
  }

  net::io_context maintenance;
  auto work = net::make_work_guard(maintenance);
  std::thread maintenance_thread;
  std::vector<std::unique_ptr<Periodic>> periodic;
  // Snapshots by time and by events applied: the second bounds what a restart replays (restart time
  // must not grow with the log), the first keeps a quiet server's snapshot fresh. Both run on the
  // maintenance thread, so they never overlap.
  uint64_t snapshot_seq = restored.ok() ? restored->snapshot_seq : 0;
  auto snapshot = [&] {
    if (uint64_t seq = SaveSnapshotLogged(tracker, *log, pipeline->applied_seq())) snapshot_seq = seq;
  };
  if (restored.ok()) {
    periodic.push_back(
        std::make_unique<Periodic>(maintenance, std::chrono::seconds(config.snapshot_interval_s), snapshot));
    if (config.snapshot_every_events > 0) {
      periodic.push_back(std::make_unique<Periodic>(maintenance, std::chrono::seconds(1), [&] {
        if (pipeline->applied_seq() >= snapshot_seq + config.snapshot_every_events) snapshot();
      }));
    }
    periodic.push_back(std::make_unique<Periodic>(maintenance, std::chrono::seconds(config.evict_interval_s), [&] {
      size_t evicted = tracker.EvictIdle(tracker.watermark_ms());
      if (evicted) spdlog::debug("evicted {} idle sessions", evicted);
    }));
    if (config.retention_ms > 0 || config.retention_bytes > 0) {
      periodic.push_back(
          std::make_unique<Periodic>(maintenance, std::chrono::seconds(config.retention_interval_s), [&] {
            if (Status s = log->ApplyRetention(NowMs()); !s.ok()) spdlog::error("log retention failed: {}", s.message());
          }));
    }
    if (scorer) {
      periodic.push_back(std::make_unique<Periodic>(maintenance, std::chrono::seconds(config.models_check_interval_s), [&] {
        Result<std::string> newest = FindNewestBundle(config.models_dir);
        if (!newest.ok() || std::filesystem::path(*newest).filename() == scorer->model_version()) return;
        if (Status s = scorer->Reload(); !s.ok()) {
          spdlog::error("disengagement model {} not swapped in: {}; still serving {}", *newest, s.message(),
                        scorer->model_version());
        } else {
          spdlog::info("disengagement model {} swapped in", scorer->model_version());
        }
      }));
    }
    for (auto& p : periodic) p->Arm();
    maintenance_thread = std::thread([&maintenance] { maintenance.run(); });
    std::unique_lock lock(stop_mu);
    stop_cv.wait(lock, [&] { return stop_requested.load(); });
  }

  // Shutdown: drain HTTP, then persist.
  server.Stop();
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
  work.reset();
  maintenance.stop();
  if (maintenance_thread.joinable()) maintenance_thread.join();
  // Every request was answered, so nothing is left in the log's queue: drain the pipeline, then persist.
  if (pipeline) {
    pipeline->Stop();
    SaveSnapshotLogged(tracker, *log, pipeline->applied_seq());
  }
  log->Close();
  spdlog::info("stopped");
  return result;
}

}  // namespace segue::serving
