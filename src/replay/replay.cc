#include "replay/replay.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <simdjson.h>

#include "replay/latency_percentiles.h"
#include "replay/ndjson_batches.h"

namespace segue {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kMaxResponseBytes = 16 << 20;  // a 10,000-event batch with every event rejected fits
constexpr std::chrono::milliseconds kPushQuiet{1000};  // after the ingest: pushes still arriving are waited for

// Shared state of one run. Everything runs on one io_context thread, so nothing here is locked.
class ReplayRun {
 public:
  ReplayRun(const ReplayOptions& options, const NdjsonBatches& batches, tcp::resolver::results_type endpoints)
      : options_(options), batches_(batches), endpoints_(std::move(endpoints)), progress_timer_(ioc_) {}

  // Keeps the send time of the events of `users` (whose push streams `listeners` holds) from now on.
  void TrackPushes(const std::vector<std::string>& users, const PushListeners* listeners) {
    tracked_users_.insert(users.begin(), users.end());
    listeners_ = listeners;
  }
  void RecordSentEvents(std::string_view body, Clock::time_point at) {
    if (tracked_users_.empty()) return;
    for (size_t pos = 0; pos < body.size();) {
      const size_t nl = body.find('\n', pos);
      const std::string_view line = body.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      pos = nl == std::string_view::npos ? body.size() : nl + 1;
      if (tracked_users_.find(FindUserId(line)) == tracked_users_.end()) continue;
      sent_at_.emplace(std::string(FindStringField(line, "event_id")), at);
    }
  }
  const std::map<std::string, Clock::time_point, std::less<>>& sent_at() const { return sent_at_; }

  asio::io_context& ioc() { return ioc_; }
  const ReplayOptions& options() const { return options_; }
  const NdjsonBatches& batches() const { return batches_; }
  const tcp::resolver::results_type& endpoints() const { return endpoints_; }
  simdjson::dom::parser& json() { return json_; }
  ReplayReport& report() { return report_; }

  // When a batch whose first line is line `first_line` of the file is due: the file is paced as a whole, so
  // the lanes together follow the rate and each lane keeps its place in the file's timeline.
  Clock::time_point Due(size_t first_line) const {
    if (options_.rate <= 0) return start_;
    const double at_s = static_cast<double>(first_line) / options_.rate;
    return start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(at_s));
  }

  void RecordAck(size_t lines, Clock::duration latency, uint64_t accepted, uint64_t duplicates, uint64_t rejected) {
    latencies_us_.push_back(LatencyMicros(latency));
    report_.accepted += accepted;
    report_.duplicates += duplicates;
    report_.rejected += rejected;
    acked_events_ += lines;
    last_ack_ = Clock::now();
  }

  void RecordFailure(size_t lines, const std::string& kind) {
    report_.failed_events += lines;
    ++report_.errors[kind];
  }

  void RecordSent(size_t lines) {
    ++report_.requests;
    report_.events_sent += lines;
  }

  void Start(size_t connections) {
    start_ = last_ack_ = Clock::now();
    active_ = connections;
    if (options_.progress) ScheduleProgress();
  }

  void ConnectionDone() {
    if (--active_ == 0) progress_timer_.cancel();
  }

  ReplayReport Finish() {
    if (progress_tty_line_) std::fputc('\n', stderr);  // end the line the \r updates kept rewriting
    report_.events_in_file = batches_.total_lines();
    report_.events_without_user_id = batches_.lines_without_user_id();
    report_.elapsed_s = std::chrono::duration<double>(last_ack_ - start_).count();
    report_.events_per_s = report_.elapsed_s > 0 ? static_cast<double>(acked_events_) / report_.elapsed_s : 0;
    report_.latency = ComputeLatencyPercentiles(latencies_us_);
    return report_;
  }

 private:
  void ScheduleProgress() {
    progress_timer_.expires_after(std::chrono::seconds(1));
    progress_timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      PrintProgress();
      ScheduleProgress();
    });
  }

  void PrintProgress() {
    std::vector<uint32_t> recent(latencies_us_.begin() + static_cast<ptrdiff_t>(progress_mark_), latencies_us_.end());
    progress_mark_ = latencies_us_.size();
    std::sort(recent.begin(), recent.end());
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const uint64_t total = batches_.total_lines();
    std::fprintf(stderr, "%sreplay: %.0fs  %llu/%llu events sent (%.0f%%)  %llu ev/s last second  p99 %.2f ms  errors %llu%s%s",
                 isatty(STDERR_FILENO) ? "\r" : "", elapsed, static_cast<unsigned long long>(report_.events_sent),
                 static_cast<unsigned long long>(total),
                 total ? 100.0 * static_cast<double>(report_.events_sent) / static_cast<double>(total) : 100.0,
                 static_cast<unsigned long long>(acked_events_ - progress_acked_), PercentileMs(recent, 0.99),
                 static_cast<unsigned long long>(report_.error_requests()), PushesProgress().c_str(),
                 isatty(STDERR_FILENO) ? "" : "\n");
    progress_acked_ = acked_events_;
    progress_tty_line_ = isatty(STDERR_FILENO);
  }

  std::string PushesProgress() const {
    return listeners_ ? "  pushes " + std::to_string(listeners_->received()) : "";
  }

  const ReplayOptions& options_;
  const NdjsonBatches& batches_;
  const tcp::resolver::results_type endpoints_;
  asio::io_context ioc_;
  asio::steady_timer progress_timer_;
  simdjson::dom::parser json_;
  ReplayReport report_;
  std::vector<uint32_t> latencies_us_;
  size_t active_ = 0;
  uint64_t acked_events_ = 0;
  uint64_t progress_acked_ = 0;
  size_t progress_mark_ = 0;
  bool progress_tty_line_ = false;
  Clock::time_point start_, last_ack_;
  std::set<std::string, std::less<>> tracked_users_;
  const PushListeners* listeners_ = nullptr;
  std::map<std::string, Clock::time_point, std::less<>> sent_at_;  // tracked listeners' event_id → first send
};

// One keep-alive connection, the only sender of one lane: take the lane's next batch, wait until it is due,
// POST it, read the answer, repeat. One request in flight keeps the lane's order on the wire.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ReplayRun& run, size_t lane, tcp::socket socket, std::string host_header)
      : run_(run), lane_(lane), host_header_(std::move(host_header)), stream_(std::move(socket)), pace_(run.ioc()) {
    body_.reserve(4096);
  }

  void Next() {
    size_t first_line = 0;
    lines_ = run_.batches().NextBatch(lane_, &cursor_, &body_, &first_line);
    if (lines_ == 0) return Close();
    const Clock::time_point due = run_.Due(first_line);
    if (due > Clock::now()) {
      pace_.expires_at(due);
      pace_.async_wait([self = shared_from_this()](beast::error_code) { self->Send(); });
    } else {
      Send();
    }
  }

 private:
  void Send() {
    if (!stream_.socket().is_open()) return Reconnect();
    const ReplayOptions& o = run_.options();
    request_ = {};
    request_.method(http::verb::post);
    request_.target(o.path);
    request_.version(11);
    request_.set(http::field::host, host_header_);
    request_.set(http::field::content_type, "application/x-ndjson");
    request_.set(http::field::user_agent, "segue-replay");
    request_.keep_alive(true);
    request_.body() = http::span_body<const char>::value_type(body_.data(), body_.size());
    request_.prepare_payload();
    parser_.emplace();
    parser_->body_limit(kMaxResponseBytes);
    stream_.expires_after(std::chrono::milliseconds(o.timeout_ms));
    run_.RecordSent(lines_);
    sent_ = Clock::now();
    run_.RecordSentEvents(body_, sent_);
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Fail(ec);
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self](beast::error_code ec2, size_t) { self->OnResponse(ec2); });
    });
  }

  void OnResponse(beast::error_code ec) {
    if (ec) return Fail(ec);
    const Clock::duration latency = Clock::now() - sent_;
    stream_.expires_never();
    http::response<http::string_body> res = parser_->release();
    if (res.result() != http::status::accepted) {
      run_.RecordFailure(lines_, std::to_string(res.result_int()));
    } else if (!ParseAck(res.body(), latency)) {
      run_.RecordFailure(lines_, "bad_response");
    }
    if (!res.keep_alive()) Shutdown();
    Next();
  }

  bool ParseAck(const std::string& body, Clock::duration latency) {
    simdjson::dom::element doc;
    if (run_.json().parse(body).get(doc)) return false;
    uint64_t accepted = 0, duplicates = 0;
    simdjson::dom::array rejected;
    if (doc["accepted"].get(accepted) || doc["duplicates"].get(duplicates) || doc["rejected"].get(rejected)) {
      return false;
    }
    run_.RecordAck(lines_, latency, accepted, duplicates, rejected.size());
    return true;
  }

  void Fail(beast::error_code ec) {
    run_.RecordFailure(lines_, ec == beast::error::timeout ? "timeout" : "network");
    Shutdown();
    Next();
  }

  void Shutdown() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
  }

  // The connection broke: open a new one for the pending batch. If that fails, no other connection may
  // carry this lane (its order would be lost), so the pending batch and the rest of the lane are counted
  // as failed ("connect", one per batch, unsent) and this connection stops (the other lanes carry on).
  void Reconnect() {
    stream_.expires_after(std::chrono::milliseconds(run_.options().timeout_ms));
    stream_.async_connect(run_.endpoints(), [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return self->AbandonLane();
      self->Send();
    });
  }

  void AbandonLane() {
    size_t first_line = 0;
    do {
      run_.RecordFailure(lines_, "connect");
    } while ((lines_ = run_.batches().NextBatch(lane_, &cursor_, &body_, &first_line)) > 0);
    Close();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    Shutdown();
    run_.ConnectionDone();
  }

  ReplayRun& run_;
  const size_t lane_;
  const std::string host_header_;
  beast::tcp_stream stream_;
  asio::steady_timer pace_;
  beast::flat_buffer buffer_;
  http::request<http::span_body<const char>> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  NdjsonBatches::Cursor cursor_;
  std::string body_;  // the pending batch's lines, copied from the mapping (its lines are not contiguous)
  size_t lines_ = 0;  // lines in body_
  Clock::time_point sent_;
  bool closed_ = false;
};

// `n` of `users` spread evenly over them (every (size/n)-th, from the first), in their order.
std::vector<std::string> SpreadSample(std::vector<std::string> users, size_t n) {
  if (n == 0 || users.empty()) return {};
  if (n >= users.size()) return users;
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(std::move(users[i * users.size() / n]));
  return out;
}

}  // namespace

uint64_t ReplayReport::error_requests() const {
  uint64_t n = 0;
  for (const auto& [kind, count] : errors) n += count;
  return n;
}

Result<HttpTarget> ParseHttpTarget(std::string_view target) {
  std::string_view rest = target;
  if (rest.substr(0, 8) == "https://") return Status::InvalidArgument("--target: https is not supported, use http://");
  if (rest.substr(0, 7) == "http://") rest.remove_prefix(7);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const size_t colon = rest.rfind(':');
  if (rest.find('/') != std::string_view::npos || colon == std::string_view::npos || colon == 0 ||
      colon + 1 == rest.size()) {
    return Status::InvalidArgument("--target: expected http://HOST:PORT, got \"" + std::string(target) + "\"");
  }
  HttpTarget out{std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
  if (out.port.find_first_not_of("0123456789") != std::string::npos || out.port.size() > 5 ||
      std::stoi(out.port) == 0 || std::stoi(out.port) > 65535) {
    return Status::InvalidArgument("--target: bad port \"" + out.port + "\"");
  }
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') out.host = out.host.substr(1, out.host.size() - 2);
  return out;
}

Result<ReplayReport> RunReplay(const ReplayOptions& options) {
  if (options.batch == 0) return Status::InvalidArgument("--batch must be at least 1");
  if (options.connections == 0 || options.connections > NdjsonBatches::kMaxLanes) {
    return Status::InvalidArgument("--connections must be between 1 and " + std::to_string(NdjsonBatches::kMaxLanes));
  }
  if (!(options.rate >= 0)) return Status::InvalidArgument("--rate must be 0 (unpaced) or positive");
  if (options.timeout_ms <= 0) return Status::InvalidArgument("timeout must be positive");
  Result<HttpTarget> target = ParseHttpTarget(options.target);
  if (!target.ok()) return target.status();

  std::optional<NdjsonBatches> batches;
  if (!options.text.empty()) {
    batches.emplace(NdjsonBatches::FromText(options.text, options.batch, options.connections));
  } else {
    Result<NdjsonBatches> opened = NdjsonBatches::Open(options.file, options.batch, options.connections);
    if (!opened.ok()) return opened.status();
    batches.emplace(std::move(opened).value());
  }

  try {
    asio::io_context resolve_ioc;
    tcp::resolver resolver(resolve_ioc);
    beast::error_code ec;
    tcp::resolver::results_type endpoints = resolver.resolve(target->host, target->port, ec);
    if (ec) return Status::Unavailable("cannot resolve " + target->host + ": " + ec.message());

    ReplayRun run(options, *batches, endpoints);
    // Connect every connection up front so an unreachable target is one clear error, not N failures.
    std::vector<std::shared_ptr<Connection>> connections;
    for (size_t i = 0; i < options.connections; ++i) {
      tcp::socket socket(run.ioc());
      asio::connect(socket, endpoints, ec);
      if (ec) {
        return Status::Unavailable("cannot connect to " + target->host + ":" + target->port + ": " + ec.message());
      }
      socket.set_option(tcp::no_delay(true));
      connections.push_back(std::make_shared<Connection>(run, i, std::move(socket), target->host + ":" + target->port));
    }
    std::unique_ptr<ReadLoad> reads;
    if (!options.read_path.empty()) {
      ReadLoadOptions read_options{options.target, options.read_path, batches->UserIds(options.read_users),
                                   options.read_rate, options.read_connections, options.timeout_ms};
      Result<std::unique_ptr<ReadLoad>> started = ReadLoad::Start(read_options);
      if (!started.ok()) return started.status();
      reads = std::move(*started);
    }
    std::unique_ptr<PushListeners> listeners;
    const std::vector<std::string> push_users = SpreadSample(batches->UserIds(SIZE_MAX), options.subscribe);
    if (!push_users.empty()) {
      Result<std::unique_ptr<PushListeners>> started = PushListeners::Start(target->host, target->port, push_users);
      if (!started.ok()) return started.status();
      listeners = std::move(*started);
      run.TrackPushes(push_users, listeners.get());
    }
    run.Start(connections.size());
    for (auto& c : connections) c->Next();
    connections.clear();  // the handlers own them now
    run.ioc().run();
    ReplayReport report = run.Finish();
    if (reads) report.reads = reads->Stop();
    if (listeners) {
      report.pushes = MeasurePushLatency(listeners->Stop(kPushQuiet), push_users.size(), run.sent_at());
    }
    report.target = options.target;
    report.rate = options.rate;
    report.batch = options.batch;
    report.connections = options.connections;
    return report;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("replay: ") + e.what());
  }
}

}  // namespace segue
