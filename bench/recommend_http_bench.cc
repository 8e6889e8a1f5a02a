// GET /v1/users/{id}/recommendations over loopback HTTP (docs/benchmarks.md "Recommendation path"): the
// real HttpServer (2 I/O threads), Router and RecommendationComponent (stores in a scratch directory,
// impressions written), a stand-in retriever copying 200 precomputed candidates from a 100,000-track
// catalog, one keep-alive client connection sending requests back to back. Each iteration is one
// request; p50/p99/max of the client-side latency are reported as counters (µs).
//  - BM_HttpGet/0: a new session version every request (model path: pool hand-off, deadline armed);
//  - BM_HttpGet/1: the same session version (cache hits).
// No ingest runs beside it, so this is the route's own cost, not the figure under 20k events/s.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <unistd.h>

#include "serving/http_server.h"
#include "serving/listener_state.h"
#include "serving/recommendation_component.h"
#include "session/session_tracker.h"
#include "tests/serving/fake_server_host.h"

namespace segue::serving {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

class CopyingRetriever : public recommend::Retriever {
 public:
  explicit CopyingRetriever(std::vector<recommend::Candidate> list) : list_(std::move(list)) {}
  std::string_view name() const override { return "stand_in"; }
  Status Retrieve(const recommend::RetrievalQuery&, size_t n, std::vector<recommend::Candidate>* out) const override {
    out->assign(list_.begin(), list_.begin() + static_cast<std::ptrdiff_t>(std::min(n, list_.size())));
    return Status::Ok();
  }

 private:
  std::vector<recommend::Candidate> list_;
};

void BM_HttpGet(benchmark::State& state) {
  const bool same_version = state.range(0) == 1;
  const std::string dir = std::filesystem::temp_directory_path() / ("segue-recbench-" + std::to_string(getpid()));
  Catalog catalog;
  std::vector<recommend::Candidate> list;
  for (int i = 0; i < 100'000; ++i) {
    Track t;
    t.track_id = "track" + std::to_string(i);
    t.artist = "artist" + std::to_string(i % 10'000);
    catalog.Upsert(t);
    if (i % 500 == 0) list.push_back({catalog.FindTrack(t.track_id), static_cast<float>(100'000 - i)});
  }
  SessionTracker tracker(&catalog);
  SessionState session;
  session.user_id = "u1";
  session.last_seq = 1;
  tracker.RestoreSession(session);
  TrackerListenerState listener_state(&tracker, nullptr);

  testing::FakeServerHost host;  // every route served at once, no read-your-writes wait (no pipeline)
  auto component = RecommendationComponent::Open(recommend::RecommendConfig{}, dir,
                                                 RecommendationDeps{&catalog, &listener_state, nullptr, nullptr, nullptr, {}},
                                                 host.registry());
  if (!component.ok()) return state.SkipWithError(component.status().message().c_str());
  (*component)->recommender().SetModel({std::make_shared<CopyingRetriever>(list), nullptr, nullptr, {}});
  (*component)->Register(host);

  net::io_context ioc;
  auto work = net::make_work_guard(ioc);
  HttpServer server(ioc, HttpServerOptions{}, [&](HttpRequest r, ResponseCallback d) { host.router().Handle(std::move(r), std::move(d)); },
                    host.registry());
  auto bound = server.Listen(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  if (!bound.ok()) return state.SkipWithError(bound.status().message().c_str());
  std::vector<std::thread> io;
  for (int i = 0; i < 2; ++i) io.emplace_back([&] { ioc.run(); });

  net::io_context client_ioc;
  beast::tcp_stream stream(client_ioc);
  stream.connect(*bound);
  http::request<http::empty_body> req{http::verb::get, "/v1/users/u1/recommendations?k=10", 11};
  req.set(http::field::host, "127.0.0.1");
  beast::flat_buffer buffer;
  std::vector<double> micros;
  uint64_t version = 1;
  for (auto _ : state) {
    if (!same_version) {
      session.last_seq = ++version;
      tracker.RestoreSession(session);
    }
    const auto start = Clock::now();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (res.result_int() != 200) return state.SkipWithError("non-200 response");
  }
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) { return micros[std::min(micros.size() - 1, static_cast<size_t>(q * micros.size()))]; };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["max_us"] = micros.back();

  beast::error_code ec;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  server.Stop();
  work.reset();
  ioc.stop();
  for (std::thread& t : io) t.join();
  component->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_HttpGet)->Arg(0)->Arg(1)->UseRealTime()->Iterations(20'000);

}  // namespace
}  // namespace segue::serving

BENCHMARK_MAIN();
