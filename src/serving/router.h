// Routes requests by method and path pattern to handlers, and counts them for /metrics.
//
// Patterns are literal segments and "{name}" captures ("/v1/users/{id}/session"); captures are
// percent-decoded and handed to the handler in order. The query string is ignored for matching.
// A path no pattern matches → 404; a path that matches with another method → 405 with an Allow header.
// HEAD is answered by the path's GET route when it has no HEAD route (the server omits the body).
// Every response is counted in segue_http_requests_total{route,status} (route = the pattern of the
// path's route, also for a 405, or "unmatched" for a 404) and timed in
// segue_http_request_duration_seconds{route}.
//
// Thread-safety: Add() only during setup; Handle() concurrently from any thread afterwards.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "serving/http_message.h"

namespace segue::serving {

using PathParams = std::vector<std::string>;
using RouteHandler = std::function<void(HttpRequest, PathParams, ResponseCallback)>;

class Router {
 public:
  explicit Router(metrics::Registry& registry);

  void Add(HttpMethod method, const std::string& pattern, RouteHandler handler);

  // The server's HttpHandler.
  void Handle(HttpRequest request, ResponseCallback done) const;

 private:
  struct Route {
    HttpMethod method;
    std::string pattern;
    std::vector<std::string> segments;  // "{...}" marks a capture
    RouteHandler handler;
  };

  metrics::CounterFamily& requests_;
  metrics::HistogramFamily& durations_;
  std::vector<Route> routes_;
};

std::string_view MethodName(HttpMethod method);

}  // namespace segue::serving
