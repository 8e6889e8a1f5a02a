// A ServerHost for component tests and benchmarks: routes go straight to a Router (every readiness served at once),
// the read-your-writes wrapper is the identity, periodic tasks are kept and run only by RunTasks; Call sends a request.
#pragma once

#include <future>
#include <string>
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

  const AdminAuth& admin() const override { return admin_; }
  void set_admin(AdminAuth admin) { admin_ = std::move(admin); }

  Router& router() { return router_; }
  // Runs every periodic task once, as the maintenance thread would.
  void RunTasks() {
    for (auto& [period, task] : tasks_) task();
  }

  // Routes one request and returns its response (handlers may answer from another thread).
  HttpResponse Call(HttpMethod method, std::string target, std::string body = "", std::string authorization = "") {
    HttpRequest r;
    r.method = method;
    r.target = std::move(target);
    r.body = std::move(body);
    r.authorization = std::move(authorization);
    std::promise<HttpResponse> p;
    router_.Handle(std::move(r), [&](HttpResponse resp) { p.set_value(std::move(resp)); });
    return p.get_future().get();
  }

 private:
  metrics::Registry registry_;
  AdminAuth admin_;
  Router router_{registry_};
  std::vector<std::pair<std::chrono::milliseconds, std::function<void()>>> tasks_;
};

}  // namespace segue::serving::testing
