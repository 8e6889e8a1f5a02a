#include "replay/read_load.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <simdjson.h>

#include "replay/latency_percentiles.h"
#include "replay/replay.h"

namespace segue {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kMaxResponseBytes = 16 << 20;

std::string PathFor(const std::string& path_template, const std::string& user) {
  std::string out;
  size_t from = 0;
  for (size_t at; (at = path_template.find("{user}", from)) != std::string::npos; from = at + 6) {
    out.append(path_template, from, at - from).append(user);
  }
  return out.append(path_template, from);
}

}  // namespace

namespace {
class GetConnection;
}  // namespace

// State shared by the connections; touched only on the load's io_context thread (Stop joins it first).
struct ReadLoadRun {
  explicit ReadLoadRun(const ReadLoadOptions& o) : options(o) {}

  Clock::time_point Due(uint64_t i) const {
    return start + std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(static_cast<double>(i) / options.rate));
  }
  void Record(Clock::time_point due, const http::response<http::string_body>* res, const std::string& error) {
    ++report.requests;
    latencies_us.push_back(LatencyMicros(Clock::now() - due));
    if (!res) {
      ++report.errors[error];
      return;
    }
    if (res->result_int() / 100 != 2) {
      ++report.errors[std::to_string(res->result_int())];
      return;
    }
    ++report.ok;
    simdjson::dom::element doc;
    std::string_view source;
    if (!json.parse(res->body()).get(doc) && !doc["source"].get(source)) ++report.sources[std::string(source)];
  }

  const ReadLoadOptions options;
  asio::io_context ioc;
  tcp::resolver::results_type endpoints;
  std::string host_header;
  Clock::time_point start;
  uint64_t next = 0;
  bool stopping = false;
  simdjson::dom::parser json;
  std::vector<uint32_t> latencies_us;
  ReadLoadReport report;
  std::vector<std::shared_ptr<GetConnection>> connections;
  std::thread thread;
};

namespace {

// One keep-alive connection: take the next due request, wait for its time, GET, record, repeat.
class GetConnection : public std::enable_shared_from_this<GetConnection> {
 public:
  GetConnection(ReadLoadRun& run, tcp::socket socket) : run_(run), stream_(std::move(socket)), pace_(run.ioc) {}

  void Next() {
    if (run_.stopping) return;
    index_ = run_.next++;
    due_ = run_.Due(index_);
    pace_.expires_at(due_);
    pace_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && !self->run_.stopping) self->Send();
    });
  }

  void CancelWait() { pace_.cancel(); }

 private:
  void Send() {
    if (!stream_.socket().is_open()) return Reconnect();
    const ReadLoadOptions& o = run_.options;
    request_ = {};
    request_.method(http::verb::get);
    request_.target(PathFor(o.path_template, o.users[index_ % o.users.size()]));
    request_.version(11);
    request_.set(http::field::host, run_.host_header);
    request_.set(http::field::user_agent, "segue-replay");
    request_.keep_alive(true);
    parser_.emplace();
    parser_->body_limit(kMaxResponseBytes);
    stream_.expires_after(std::chrono::milliseconds(o.timeout_ms));
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Fail(ec);
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self](beast::error_code ec2, size_t) { self->OnResponse(ec2); });
    });
  }

  void OnResponse(beast::error_code ec) {
    if (ec) return Fail(ec);
    stream_.expires_never();
    http::response<http::string_body> res = parser_->release();
    run_.Record(due_, &res, "");
    if (!res.keep_alive()) Close();
    Next();
  }

  void Fail(beast::error_code ec) {
    run_.Record(due_, nullptr, ec == beast::error::timeout ? "timeout" : "network");
    Close();
    Next();
  }

  void Reconnect() {
    stream_.expires_after(std::chrono::milliseconds(run_.options.timeout_ms));
    stream_.async_connect(run_.endpoints, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return self->Fail(ec);
      self->Send();
    });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
  }

  ReadLoadRun& run_;
  beast::tcp_stream stream_;
  asio::steady_timer pace_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  uint64_t index_ = 0;
  Clock::time_point due_;
};

}  // namespace

Result<std::unique_ptr<ReadLoad>> ReadLoad::Start(const ReadLoadOptions& options) {
  if (options.path_template.empty() || options.path_template[0] != '/') {
    return Status::InvalidArgument("--read: expected a path starting with '/', got \"" + options.path_template + "\"");
  }
  if (!(options.rate > 0)) return Status::InvalidArgument("--read-rate must be positive");
  if (options.connections == 0) return Status::InvalidArgument("--read-connections must be at least 1");
  if (options.users.empty()) return Status::InvalidArgument("--read: no listener ids to ask for (the file names none)");
  Result<HttpTarget> target = ParseHttpTarget(options.target);
  if (!target.ok()) return target.status();
  auto run = std::make_unique<ReadLoadRun>(options);
  run->host_header = target->host + ":" + target->port;
  try {
    beast::error_code ec;
    tcp::resolver resolver(run->ioc);
    run->endpoints = resolver.resolve(target->host, target->port, ec);
    if (ec) return Status::Unavailable("cannot resolve " + target->host + ": " + ec.message());
    for (size_t i = 0; i < options.connections; ++i) {
      tcp::socket socket(run->ioc);
      asio::connect(socket, run->endpoints, ec);
      if (ec) return Status::Unavailable("cannot connect to " + run->host_header + ": " + ec.message());
      socket.set_option(tcp::no_delay(true));
      run->connections.push_back(std::make_shared<GetConnection>(*run, std::move(socket)));
    }
  } catch (const std::exception& e) {
    return Status::Internal(std::string("read load: ") + e.what());
  }
  run->start = Clock::now();
  for (auto& c : run->connections) c->Next();
  ReadLoadRun* r = run.get();
  run->thread = std::thread([r] { r->ioc.run(); });
  return std::unique_ptr<ReadLoad>(new ReadLoad(std::move(run)));
}

ReadLoad::ReadLoad(std::unique_ptr<ReadLoadRun> run) : run_(std::move(run)) {}

ReadLoad::~ReadLoad() { Stop(); }

ReadLoadReport ReadLoad::Stop() {
  if (run_->thread.joinable()) {
    asio::post(run_->ioc, [r = run_.get()] {
      r->stopping = true;
      for (auto& c : r->connections) c->CancelWait();
      r->connections.clear();  // in-flight requests keep their connection alive until they end
    });
    run_->thread.join();
  }
  ReadLoadReport& report = run_->report;
  report.path_template = run_->options.path_template;
  report.rate = run_->options.rate;
  report.elapsed_s = std::chrono::duration<double>(Clock::now() - run_->start).count();
  report.latency = ComputeLatencyPercentiles(run_->latencies_us);
  return report;
}

std::string ReadLoadReportToText(const ReadLoadReport& r) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "reads %s at %.0f/s: %llu requests, %llu ok in %.2f s\nread latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
                r.path_template.c_str(), r.rate, static_cast<unsigned long long>(r.requests),
                static_cast<unsigned long long>(r.ok), r.elapsed_s, r.latency.p50_ms, r.latency.p90_ms, r.latency.p99_ms,
                r.latency.max_ms);
  std::string out = buf;
  for (const auto* m : {&r.errors, &r.sources}) {
    if (m->empty()) continue;
    out += m == &r.errors ? "read errors:" : "read sources:";
    for (const auto& [kind, count] : *m) out += " " + kind + "=" + std::to_string(count);
    out += "\n";
  }
  return out;
}

}  // namespace segue
