#include "push/webhook_sender.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "push/http_url.h"

namespace segue::push {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// A receiver's answer is only read for its status; a larger body is cut off (the attempt still counts).
constexpr size_t kMaxResponseBytes = 64u << 10;

bool Retryable(unsigned status) { return status == 0 || status == 408 || status == 429 || status >= 500; }

}  // namespace

struct WebhookSender::State {
  State(WebhookOptions o, HttpUrl u, metrics::Registry& registry)
      : options(std::move(o)),
        url(std::move(u)),
        sent(registry.AddCounter("segue_push_webhook_sent_total", "Pushes the webhook receiver accepted (2xx).")),
        retries(registry.AddCounter("segue_push_webhook_retries_total", "Webhook attempts after a message's first.")) {
    metrics::CounterFamily& failed = registry.AddCounterFamily(
        "segue_push_webhook_failed_total",
        "Pushes given up, by reason (attempts_exhausted: network errors, timeouts, 408/429/5xx on every "
        "attempt; rejected: another non-2xx).",
        {"reason"});
    metrics::CounterFamily& dropped = registry.AddCounterFamily(
        "segue_push_webhook_dropped_total", "Pushes never sent, by reason (queue_full, shutdown).", {"reason"});
    failed_exhausted = &failed.WithLabels({"attempts_exhausted"});
    failed_rejected = &failed.WithLabels({"rejected"});
    dropped_full = &dropped.WithLabels({"queue_full"});
    dropped_shutdown = &dropped.WithLabels({"shutdown"});
  }

  // Blocks until a message is queued or the sender stops (then nullopt).
  std::optional<PushMessagePtr> Pop() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return stopping || !queue.empty(); });
    if (stopping) return std::nullopt;
    PushMessagePtr m = std::move(queue.front());
    queue.pop_front();
    return m;
  }
  // False when the sender stopped during the wait.
  bool SleepUnlessStopping(std::chrono::milliseconds delay) {
    std::unique_lock lock(mu);
    return !cv.wait_for(lock, delay, [&] { return stopping; });
  }
  bool Stopping() {
    std::lock_guard lock(mu);
    return stopping;
  }

  const WebhookOptions options;
  const HttpUrl url;
  metrics::Counter& sent;
  metrics::Counter& retries;
  metrics::Counter* failed_exhausted;
  metrics::Counter* failed_rejected;
  metrics::Counter* dropped_full;
  metrics::Counter* dropped_shutdown;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<PushMessagePtr> queue;
  bool stopping = false;
  std::vector<std::thread> workers;
};

std::chrono::milliseconds BackoffDelay(const WebhookOptions& options, uint32_t attempt, std::mt19937_64& rng) {
  const int doublings = static_cast<int>(std::min<uint32_t>(attempt < 2 ? 0 : attempt - 2, 30));
  const int64_t step = std::min<int64_t>(options.max_backoff.count(), options.initial_backoff.count() << doublings);
  std::uniform_int_distribution<int64_t> jitter(step / 2, step);
  return std::chrono::milliseconds(jitter(rng));
}

namespace {

// One POST within options.timeout; the response status, or 0 on a network error or timeout.
unsigned PostOnce(net::io_context& ioc, const WebhookSender::State& st, const std::string& body) {
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  const auto endpoints = resolver.resolve(st.url.host, std::to_string(st.url.port), ec);
  if (ec) return 0;
  beast::tcp_stream stream(ioc);
  http::request<http::string_body> req(http::verb::post, st.url.target, 11);
  req.set(http::field::host, st.url.host_header);
  req.set(http::field::user_agent, "segue-push");
  req.set(http::field::content_type, "application/json");
  req.keep_alive(false);
  req.body() = body;
  req.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  beast::flat_buffer buffer;
  unsigned status = 0;
  stream.expires_after(st.options.timeout);  // an absolute deadline for the whole exchange
  stream.async_connect(endpoints, [&](beast::error_code cec, const tcp::endpoint&) {
    if (cec) return;
    http::async_write(stream, req, [&](beast::error_code wec, size_t) {
      if (wec) return;
      http::async_read(stream, buffer, parser, [&](beast::error_code rec, size_t) {
        if (!rec || rec == http::error::body_limit) status = parser.get().result_int();
      });
    });
  });
  ioc.restart();
  ioc.run();
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return status;
}

void Deliver(WebhookSender::State& st, net::io_context& ioc, std::mt19937_64& rng, const PushMessage& message) {
  for (uint32_t attempt = 1;; ++attempt) {
    if (attempt > 1) {
      if (!st.SleepUnlessStopping(BackoffDelay(st.options, attempt, rng))) {
        st.dropped_shutdown->Inc();
        return;
      }
      st.retries.Inc();
    }
    const unsigned status = PostOnce(ioc, st, message.json);
    if (status >= 200 && status < 300) {
      st.sent.Inc();
      return;
    }
    if (!Retryable(status)) {
      st.failed_rejected->Inc();
      return;
    }
    if (attempt >= st.options.max_attempts) {
      st.failed_exhausted->Inc();
      return;
    }
  }
}

void Work(WebhookSender::State& st) {
  net::io_context ioc;
  std::mt19937_64 rng(std::random_device{}());
  while (std::optional<PushMessagePtr> message = st.Pop()) Deliver(st, ioc, rng, **message);
}

Status CheckOptions(const WebhookOptions& o) {
  if (o.timeout.count() < 1) return Status::InvalidArgument("push.webhook_timeout_ms: must be >= 1");
  if (o.max_attempts < 1) return Status::InvalidArgument("push.webhook_max_attempts: must be >= 1");
  if (o.initial_backoff.count() < 1) return Status::InvalidArgument("push.webhook_initial_backoff_ms: must be >= 1");
  if (o.max_backoff < o.initial_backoff) {
    return Status::InvalidArgument("push.webhook_max_backoff_ms: must be >= push.webhook_initial_backoff_ms");
  }
  if (o.queue_messages < 1) return Status::InvalidArgument("push.webhook_queue_messages: must be >= 1");
  if (o.workers < 1) return Status::InvalidArgument("push.webhook_workers: must be >= 1");
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<WebhookSender>> WebhookSender::Start(WebhookOptions options, metrics::Registry& registry) {
  if (Status s = CheckOptions(options); !s.ok()) return s;
  Result<HttpUrl> url = ParseHttpUrl(options.url);
  if (!url.ok()) return Status::InvalidArgument("push.webhook_url: " + url.status().message());
  auto state = std::make_unique<State>(std::move(options), std::move(*url), registry);
  State* st = state.get();
  registry.AddCallbackGauge("segue_push_webhook_queued", "Pushes waiting for a webhook worker.", [st] {
    std::lock_guard lock(st->mu);
    return static_cast<double>(st->queue.size());
  });
  for (uint32_t i = 0; i < st->options.workers; ++i) st->workers.emplace_back([st] { Work(*st); });
  return std::unique_ptr<WebhookSender>(new WebhookSender(std::move(state)));
}

WebhookSender::WebhookSender(std::unique_ptr<State> state) : state_(std::move(state)) {}

WebhookSender::~WebhookSender() { Stop(); }

bool WebhookSender::Enqueue(PushMessagePtr message) {
  {
    std::lock_guard lock(state_->mu);
    if (!state_->stopping && state_->queue.size() < state_->options.queue_messages) {
      state_->queue.push_back(std::move(message));
      state_->cv.notify_one();
      return true;
    }
  }
  (state_->Stopping() ? state_->dropped_shutdown : state_->dropped_full)->Inc();
  return false;
}

void WebhookSender::Stop() {
  size_t abandoned = 0;
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping) return;
    state_->stopping = true;
    abandoned = state_->queue.size();
    state_->queue.clear();
  }
  state_->cv.notify_all();
  state_->dropped_shutdown->Inc(abandoned);
  for (std::thread& t : state_->workers) t.join();
}

WebhookStats WebhookSender::stats() const {
  WebhookStats s;
  s.sent = state_->sent.value();
  s.retries = state_->retries.value();
  s.failed = state_->failed_exhausted->value() + state_->failed_rejected->value();
  s.dropped = state_->dropped_full->value() + state_->dropped_shutdown->value();
  return s;
}

}  // namespace segue::push
