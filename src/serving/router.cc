#include "serving/router.h"

#include <chrono>
#include <optional>

#include "serving/query_string.h"

namespace segue::serving {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

bool IsCapture(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::string_view MethodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet: return "GET";
    case HttpMethod::kHead: return "HEAD";
    case HttpMethod::kPost: return "POST";
    case HttpMethod::kPut: return "PUT";
    case HttpMethod::kDelete: return "DELETE";
    case HttpMethod::kPatch: return "PATCH";
    case HttpMethod::kOptions: return "OPTIONS";
    case HttpMethod::kOther: return "OTHER";
  }
  return "OTHER";
}

Router::Router(metrics::Registry& registry)
    : requests_(registry.AddCounterFamily("segue_http_requests_total", "HTTP requests answered, by route and status.",
                                          {"route", "status"})),
      durations_(registry.AddHistogramFamily(
          "segue_http_request_duration_seconds", "Time from a request fully read to its response, by route.",
          {"route"}, metrics::ExponentialBuckets(0.0001, 2, 18))) {}

void Router::Add(HttpMethod method, const std::string& pattern, RouteHandler handler) {
  Route r{method, pattern, {}, std::move(handler)};
  for (std::string_view s : SplitPath(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

void Router::Handle(HttpRequest request, ResponseCallback done) const {
  std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string_view> parts = SplitPath(path);

  // HEAD is served by the GET route of the path (RFC 9110 §9.3.2) unless a HEAD route exists; the
  // server drops the body. The first route whose path matches names the metric of a 405.
  const Route* match = nullptr;
  const Route* get_for_head = nullptr;
  const Route* path_match = nullptr;
  std::string allow;
  PathParams params;
  for (const Route& r : routes_) {
    if (r.segments.size() != parts.size()) continue;
    bool same = true;
    for (size_t i = 0; i < parts.size() && same; ++i) same = IsCapture(r.segments[i]) || r.segments[i] == parts[i];
    if (!same) continue;
    if (!path_match) path_match = &r;
    if (r.method == request.method) {
      match = &r;
      break;
    }
    if (request.method == HttpMethod::kHead && r.method == HttpMethod::kGet && !get_for_head) get_for_head = &r;
    if (!allow.empty()) allow += ", ";
    allow += MethodName(r.method);
    if (r.method == HttpMethod::kGet) allow += ", HEAD";
  }
  if (!match) match = get_for_head;

  std::string route = match ? match->pattern : path_match ? path_match->pattern : "unmatched";
  auto received = request.received;
  ResponseCallback counted = [this, route, received, done = std::move(done)](HttpResponse response) {
    requests_.WithLabels({route, std::to_string(response.status)}).Inc();
    durations_.WithLabels({route}).Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count());
    done(std::move(response));
  };

  if (!match) {
    if (!allow.empty()) {
      HttpResponse r = JsonError(405, std::string(MethodName(request.method)) + " is not allowed on " +
                                          std::string(path) + "; allowed: " + allow);
      r.headers.emplace_back("Allow", allow);
      return counted(std::move(r));
    }
    return counted(JsonError(404, "no route for " + std::string(path)));
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!IsCapture(match->segments[i])) continue;
    std::optional<std::string> decoded = PercentDecode(parts[i]);
    if (!decoded) return counted(JsonError(400, "invalid percent-encoding in path segment '" + std::string(parts[i]) + "'"));
    params.push_back(std::move(*decoded));
  }
  match->handler(std::move(request), std::move(params), std::move(counted));
}

}  // namespace segue::serving
