// How a server component plugs itself into `segue serve`: the component implements ServerComponent,
// and in Register() adds its HTTP routes, metrics and periodic maintenance tasks through the ServerHost
// the application (server_app.h) hands it. The application owns the lifecycle (start-up order, restore,
// shutdown); components own what they serve. A new stage (recommendations, push, feedback) is one more
// component, not more lines in the application.
//
// Thread-safety: Register() and every ServerHost method are called during set-up, on one thread, before
// the server accepts requests. Route handlers then run concurrently on the HTTP threads and periodic
// tasks on the maintenance thread (maintenance.h).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/metrics.h"
#include "serving/admin_auth.h"
#include "serving/router.h"

namespace segue::serving {

// When a route may be served.
enum class RouteReadiness {
  kAlways,        // from start-up (probes, /metrics, catalog reads and writes)
  kAfterRestore,  // 503 + Retry-After until sessions are restored (anything that reads or feeds sessions:
                  // an event applied before the replayed ones would make the tracker skip those)
};

class ServerHost {
 public:
  virtual ~ServerHost() = default;

  virtual metrics::Registry& registry() = 0;

  virtual void AddRoute(HttpMethod method, const std::string& pattern, RouteHandler handler,
                        RouteReadiness readiness) = 0;

  // The admin gate (admin_auth.h); a host without one has admin routes off.
  virtual const AdminAuth& admin() const {
    static const AdminAuth kDisabled;
    return kDisabled;
  }

  // An admin route: registered only when an admin token is configured, and then served only to requests
  // that carry it. Admin routes are served from start-up (kAlways).
  void AddAdminRoute(HttpMethod method, const std::string& pattern, RouteHandler handler) {
    if (admin().enabled()) AddRoute(method, pattern, admin().Guard(std::move(handler)), RouteReadiness::kAlways);
  }

  // Wraps a handler so it runs only once everything acknowledged before the request in the listener's
  // partition was applied by the pipeline (read-your-writes for session-derived answers). The route's
  // first path parameter is the listener's user id.
  virtual RouteHandler AfterAcknowledgedApplied(RouteHandler handler) = 0;

  // Runs task every period on the maintenance thread, from when sessions are restored until shutdown.
  virtual void Every(std::chrono::milliseconds period, std::function<void()> task) = 0;

  // Runs task once on the maintenance thread (from any thread; one at a time with the periodic tasks, so
  // it never races them; not before sessions are restored; dropped at shutdown). A host without a
  // maintenance thread runs it at once, on the calling thread.
  virtual void RunOnMaintenance(std::function<void()> task) { task(); }
};

class ServerComponent {
 public:
  virtual ~ServerComponent() = default;
  virtual void Register(ServerHost& host) = 0;
};

}  // namespace segue::serving
