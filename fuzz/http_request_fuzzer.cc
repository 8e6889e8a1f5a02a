// The HTTP request path as a whole, without sockets: the bytes are what a client sent on one
// connection. They go through Beast's request_parser with the server's default header and body limits
// (serving/http_server.h), then the server's own framing and coding decisions (http_framing.h: refused
// Transfer-Encodings end the connection; content_coding.h: gzip bodies are decoded), each complete
// request is converted the way the server's connection does it (HttpRequest: method, origin-form target,
// Content-Type, decoded body) and handed to a Router wired with the real handlers
// and routes of `segue serve` (serving/server_app.cc), which parse the bodies (event and track batches)
// and path captures. Requests follow each other on the connection while it stays keep-alive, as in the
// server (which reads the next request from the same buffer).
//
// The handlers run against real objects, arranged so a run is deterministic and leaves no state behind:
//  - the EventLog is a real RocksDB log in the process's scratch directory (fuzz_util.h), opened once
//    and closed at once, so appends and track writes fail inline ("event log: closed" → 503/500) after
//    the body was parsed and validated: every byte is exercised up to the durable write, and nothing
//    accumulates;
//  - the catalog holds track "t1" and the tracker a session of user "u1", so the GET routes also answer
//    200 for some paths.
// Checks besides crashes, sanitizer reports and leaks: every request gets exactly one response, with an
// HTTP status in 100..599, and every application/json response body is valid JSON (error messages
// quote client input).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "common/metrics.h"
#include "fuzz/fuzz_util.h"
#include "log/event_log.h"
#include "serving/content_coding.h"
#include "serving/events_handler.h"
#include "serving/http_framing.h"
#include "serving/http_server.h"
#include "serving/listener_state.h"
#include "serving/router.h"
#include "serving/server_host.h"
#include "serving/session_handler.h"
#include "serving/tracks_handler.h"
#include "session/session_tracker.h"

namespace segue::serving {
namespace {

namespace http = boost::beast::http;

std::unique_ptr<EventLog> OpenClosedLog() {
  EventLogOptions options;
  options.dir = (fuzz::ScratchDir() / "log").string();
  options.partitions = 2;
  options.sync = false;
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(options);
  SEGUE_FUZZ_CHECK(log.ok());
  (*log)->Close();
  return std::move(*log);
}

// The objects the server (serving/server_app.cc) wires, registering the same routes.
struct App {
  App() {
    Track t;
    t.track_id = "t1";
    t.title = "A \"quoted\" title";
    t.artist = "artist-1";
    t.duration_ms = 200000;
    catalog.Upsert(t);
    Event e;
    e.event_id = "e1";
    e.user_id = "u1";
    e.type = EventType::kPlay;
    e.ts_ms = 1'700'000'000'000;
    e.track_id = "t1";
    tracker.Apply(e, 1);

    events.Register(host);
    session.Register(host);
    tracks.Register(host);
    router.Add(HttpMethod::kGet, "/healthz", [](HttpRequest, PathParams, ResponseCallback d) {
      d(JsonResponse(200, "{\"status\":\"ok\"}"));
    });
    router.Add(HttpMethod::kGet, "/readyz", [](HttpRequest, PathParams, ResponseCallback d) {
      d(JsonResponse(200, "{\"status\":\"ready\"}"));
    });
    router.Add(HttpMethod::kGet, "/metrics", [this](HttpRequest, PathParams, ResponseCallback d) {
      HttpResponse r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = registry.RenderText();
      d(std::move(r));
    });
  }

  // The components register their routes as in the server; readiness and read-your-writes waits do not
  // apply (nothing is restoring, no pipeline runs), and periodic tasks never run here.
  struct Host : ServerHost {
    explicit Host(App& a) : app(a) {}
    metrics::Registry& registry() override { return app.registry; }
    void AddRoute(HttpMethod m, const std::string& pattern, RouteHandler h, RouteReadiness) override {
      app.router.Add(m, pattern, std::move(h));
    }
    RouteHandler AfterAcknowledgedApplied(RouteHandler h) override { return h; }
    void Every(std::chrono::milliseconds, std::function<void()>) override {}
    App& app;
  };

  metrics::Registry registry;
  std::unique_ptr<EventLog> log = OpenClosedLog();
  Catalog catalog;
  SessionTracker tracker{&catalog};
  EventsHandler events{log.get(), ParseLimits{}, registry};
  TrackerListenerState listener_state{&tracker, nullptr};
  SessionHandler session{&listener_state};
  TracksHandler tracks{&catalog, log.get(), TrackLimits{}};
  Router router{registry};
  Host host{*this};
};

void CheckResponse(const HttpResponse& r) {
  SEGUE_FUZZ_CHECK(r.status >= 100 && r.status <= 599);
  if (r.content_type == "application/json") SEGUE_FUZZ_CHECK(nlohmann::json::accept(r.body));
}

// Runs the requests in `bytes` until they end, one is incomplete or malformed, or one closes the
// connection.
void ServeConnection(std::string_view bytes) {
  static App* app = new App();  // lives for the process: the RocksDB directory is opened once
  static const HttpServerOptions limits;
  while (!bytes.empty()) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(limits.header_limit));
    parser.body_limit(limits.body_limit);
    parser.eager(true);
    boost::beast::error_code ec;
    while (!bytes.empty() && !parser.is_done()) {
      const size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
      bytes.remove_prefix(used);
      if (ec || used == 0) break;
    }
    // The server answers a parse error (400/413/431) or waits for more bytes; neither reaches a handler.
    if (!parser.is_done()) return;
    http::request<http::string_body> req = parser.release();
    const bool keep_alive = req.keep_alive();
    // What http_server.cc decides before a handler sees the request: framing it refuses (and closes the
    // connection on), the body's content coding, the origin-form target.
    std::vector<std::string_view> transfer_encodings;
    auto [first, last] = req.equal_range(http::field::transfer_encoding);
    for (auto it = first; it != last; ++it) transfer_encodings.emplace_back(it->value().data(), it->value().size());
    if (CheckTransferEncoding(transfer_encodings, req.count(http::field::content_length) > 0, req.version())) return;
    const auto coding = req[http::field::content_encoding];
    Result<std::string> body =
        DecodeContentEncoding(std::string_view(coding.data(), coding.size()), std::move(req.body()), limits.body_limit);
    if (!body.ok()) return;  // answered 400/413/415 and closed
    HttpRequest request;
    request.method = MethodOf(req.method());
    request.target = std::string(OriginFormTarget(std::string_view(req.target().data(), req.target().size())));
    request.content_type = std::string(req[http::field::content_type]);
    request.body = std::move(*body);
    int responses = 0;
    app->router.Handle(std::move(request), [&](HttpResponse r) {
      CheckResponse(r);
      ++responses;
    });
    SEGUE_FUZZ_CHECK(responses == 1);
    if (!keep_alive) return;
  }
}

}  // namespace
}  // namespace segue::serving

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  segue::serving::ServeConnection(segue::fuzz::AsText(data, size));
  return 0;
}
