#include "replay/push_listeners.h"

#include <atomic>
#include <cstdio>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>

#include "replay/latency_percentiles.h"
#include "replay/ndjson_batches.h"
#include "replay/sse_wire.h"

namespace segue {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// One open stream: reads events until the server ends it or the run stops.
class Stream : public std::enable_shared_from_this<Stream> {
 public:
  Stream(PushListenersRun& run, size_t index, tcp::socket socket, std::string pending)
      : run_(run), index_(index), socket_(std::move(socket)), pending_(std::move(pending)) {}

  void Read();
  void Close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  PushListenersRun& run_;
  size_t index_;  // in the users given to Start
  tcp::socket socket_;
  std::string pending_;  // bytes read past the last complete event
};

}  // namespace

// Touched on the listeners' io_context thread only, except `received` (atomic) and what Stop reads after
// joining that thread.
struct PushListenersRun {
  net::io_context ioc;
  std::vector<std::shared_ptr<Stream>> streams;
  PushArrivals arrivals;
  std::atomic<uint64_t> received{0};
  std::atomic<Clock::rep> last_arrival{0};
  PushCallback on_push;
  std::thread thread;
  bool stopped = false;
};

namespace {

void Stream::Read() {
  net::async_read_until(socket_, net::dynamic_buffer(pending_), "\n\n",
                        [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                          const Clock::time_point now = Clock::now();
                          PushListenersRun& run = self->run_;
                          if (ec) {
                            if (ec != net::error::operation_aborted) ++run.arrivals.streams_ended;
                            return;
                          }
                          const SseEvent event = ParseSseEvent(std::string_view(self->pending_).substr(0, n));
                          self->pending_.erase(0, n);
                          if (!event.data.empty()) {
                            run.arrivals.pushes.push_back({std::string(FindStringField(event.data, "trigger_event_id")),
                                                            std::string(FindStringField(event.data, "source")), now});
                            run.received.fetch_add(1, std::memory_order_relaxed);
                            run.last_arrival.store(now.time_since_epoch().count(), std::memory_order_relaxed);
                            if (run.on_push) run.on_push(self->index_, event.data, now);
                          }
                          self->Read();
                        });
}

}  // namespace

Result<std::unique_ptr<PushListeners>> PushListeners::Start(const std::string& host, const std::string& port,
                                                            const std::vector<std::string>& users, PushCallback on_push) {
  auto run = std::make_unique<PushListenersRun>();
  run->on_push = std::move(on_push);
  boost::system::error_code ec;
  tcp::resolver resolver(run->ioc);
  const tcp::resolver::results_type endpoints = resolver.resolve(host, port, ec);
  if (ec) return Status::Unavailable("cannot resolve " + host + ": " + ec.message());
  for (const std::string& user : users) {
    tcp::socket socket(run->ioc);
    net::connect(socket, endpoints, ec);
    if (ec) return Status::Unavailable("push stream of " + user + ": connecting to " + host + ":" + port + ": " + ec.message());
    socket.set_option(tcp::no_delay(true));
    std::string pending;
    if (Status s = OpenEventStream(socket, host, "/v1/users/" + user + "/stream", &pending); !s.ok()) {
      return Status(s.code(), "push stream of " + user + ": " + s.message());
    }
    run->streams.push_back(std::make_shared<Stream>(*run, run->streams.size(), std::move(socket), std::move(pending)));
  }
  for (auto& s : run->streams) s->Read();
  run->last_arrival = Clock::now().time_since_epoch().count();
  run->thread = std::thread([r = run.get()] { r->ioc.run(); });
  return std::unique_ptr<PushListeners>(new PushListeners(std::move(run)));
}

PushListeners::PushListeners(std::unique_ptr<PushListenersRun> run) : run_(std::move(run)) {}

PushListeners::~PushListeners() {
  if (!run_->stopped) Stop(std::chrono::milliseconds(0));
}

uint64_t PushListeners::received() const { return run_->received.load(std::memory_order_relaxed); }

PushArrivals PushListeners::Stop(std::chrono::milliseconds quiet) {
  const Clock::time_point give_up = Clock::now() + 10 * quiet;
  while (Clock::now() < give_up) {
    const Clock::time_point last{Clock::duration(run_->last_arrival.load(std::memory_order_relaxed))};
    if (Clock::now() - last >= quiet) break;
    std::this_thread::sleep_for(quiet / 10 + std::chrono::milliseconds(1));
  }
  net::post(run_->ioc, [r = run_.get()] {
    for (auto& s : r->streams) s->Close();
  });
  run_->thread.join();
  run_->streams.clear();
  run_->stopped = true;
  return std::move(run_->arrivals);
}

PushLatencyReport MeasurePushLatency(const PushArrivals& arrivals, size_t streams,
                                     const std::map<std::string, Clock::time_point, std::less<>>& sent_at) {
  PushLatencyReport r;
  r.streams = streams;
  r.pushes = arrivals.pushes.size();
  r.streams_ended = arrivals.streams_ended;
  std::vector<uint32_t> latencies_us;
  for (const PushArrival& a : arrivals.pushes) {
    ++r.sources[a.source];
    auto it = sent_at.find(a.trigger_event_id);
    if (it == sent_at.end()) continue;
    latencies_us.push_back(LatencyMicros(a.at - it->second));
  }
  r.matched = latencies_us.size();
  r.latency = ComputeLatencyPercentiles(latencies_us);
  return r;
}

std::string PushLatencyReportToText(const PushLatencyReport& r) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "push streams %llu: %llu pushes, %llu naming an event sent here; %llu streams ended by the server\n"
                "event -> push latency ms (event's request written -> push read): p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
                static_cast<unsigned long long>(r.streams), static_cast<unsigned long long>(r.pushes),
                static_cast<unsigned long long>(r.matched), static_cast<unsigned long long>(r.streams_ended),
                r.latency.p50_ms, r.latency.p90_ms, r.latency.p99_ms, r.latency.max_ms);
  std::string out = buf;
  out += "pushes by source:";
  for (const auto& [source, n] : r.sources) out += " " + source + "=" + std::to_string(n);
  return out + "\n";
}

}  // namespace segue
