// A ServerHost for component tests: routes go straight to a Router (every readiness served at once),
// the read-your-writes wrapper is the identity, periodic tasks are kept, not run.
#pragma once

#include <utility>
#include <vector>

#include "serving/server_host.h"

namespace segue::serving::testing {

class FakeServerHost : public ServerHost {
 public:
  metrics::Registry& registry() override { return registry_; }
  void AddRoute(HttpMethod method, const std::string& pattern, RouteHandler handler, RouteReadiness) override {
    router_.Add(method, pattern, std::move(handler));
  }
  RouteHandler AfterAcknowledgedApplied(RouteHandler handler) override { return handler; }
  void Every(std::chrono::milliseconds period, std::function<void()> task) override {
    tasks_.emplace_back(period, std::move(task));
  }

  Router& router() { return router_; }

 private:
  metrics::Registry registry_;
  Router router_{registry_};
  std::vector<std::pair<std::chrono::milliseconds, std::function<void()>>> tasks_;
};

}  // namespace segue::serving::testing
