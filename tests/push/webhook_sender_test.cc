#include "push/webhook_sender.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "serving/http_server.h"

namespace segue::push {
namespace {

// Built with append: GCC 12 warns (-Wrestrict, a false positive) on the chained operator+ form.
std::string Json(const std::string& rec_id) {
  std::string json = "{\"rec_id\":\"";
  json.append(rec_id).append("\"}");
  return json;
}

namespace net = boost::asio;
using serving::HttpRequest;
using serving::HttpResponse;
using serving::ResponseCallback;

// A webhook receiver on loopback: answers every POST with `status` and records the bodies.
class Receiver {
 public:
  explicit Receiver(int status) : status_(status) {
    server_ = std::make_unique<serving::HttpServer>(
        ioc_, serving::HttpServerOptions{},
        [this](HttpRequest r, ResponseCallback done) {
          {
            std::lock_guard lock(mu_);
            bodies_.push_back(r.body);
            targets_.push_back(r.target);
          }
          cv_.notify_all();
          if (hold_.load()) {  // the response is sent when Release() is called
            std::lock_guard lock(mu_);
            held_.push_back(std::move(done));
            return;
          }
          done(serving::JsonResponse(status_, "{}"));
        },
        registry_);
    auto ep = server_->Listen({net::ip::make_address("127.0.0.1"), 0});
    EXPECT_TRUE(ep.ok());
    url_ = "http://127.0.0.1:" + std::to_string(ep->port()) + "/hooks/push";
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~Receiver() {
    Release();
    server_->Stop();
    work_.reset();
    ioc_.stop();
    thread_.join();
  }
  void Hold() { hold_ = true; }
  void Release() {
    hold_ = false;
    std::vector<ResponseCallback> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (auto& done : held) done(serving::JsonResponse(status_, "{}"));
  }
  // Waits (at most 10 s) until n requests arrived; their bodies.
  std::vector<std::string> WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return bodies_.size() >= n; });
    return bodies_;
  }
  std::vector<std::string> targets() {
    std::lock_guard lock(mu_);
    return targets_;
  }
  const std::string& url() const { return url_; }

 private:
  const int status_;
  metrics::Registry registry_;
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(ioc_);
  std::unique_ptr<serving::HttpServer> server_;
  std::thread thread_;
  std::string url_;
  std::atomic<bool> hold_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> bodies_;
  std::vector<std::string> targets_;
  std::vector<ResponseCallback> held_;
};

PushMessagePtr Msg(const std::string& rec_id) {
  return std::make_shared<const PushMessage>(PushMessage{"u1", rec_id, Json(rec_id)});
}

WebhookOptions Options(const std::string& url) {
  WebhookOptions o;
  o.url = url;
  o.timeout = std::chrono::milliseconds(2'000);
  o.initial_backoff = std::chrono::milliseconds(5);
  o.max_backoff = std::chrono::milliseconds(20);
  return o;
}

// Polls the sender's counters until `done` holds (at most 10 s).
template <typename Pred>
WebhookStats WaitForStats(const WebhookSender& sender, Pred done) {
  for (int i = 0; i < 2000 && !done(sender.stats()); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return sender.stats();
}

TEST(WebhookSender, PostsThePayloadToTheUrl) {
  Receiver receiver(200);
  metrics::Registry registry;
  auto sender = WebhookSender::Start(Options(receiver.url()), registry);
  ASSERT_TRUE(sender.ok()) << sender.status().ToString();
  EXPECT_TRUE((*sender)->Enqueue(Msg("r1")));
  EXPECT_EQ(receiver.WaitFor(1), std::vector<std::string>{"{\"rec_id\":\"r1\"}"});
  EXPECT_EQ(receiver.targets().at(0), "/hooks/push");
  WebhookStats s = WaitForStats(**sender, [](const WebhookStats& st) { return st.sent == 1; });
  EXPECT_EQ(s.sent, 1u);
  EXPECT_EQ(s.retries, 0u);
  EXPECT_NE(registry.RenderText().find("segue_push_webhook_sent_total 1"), std::string::npos);
}

TEST(WebhookSender, ServerErrorsAreRetriedWithBackOffThenGivenUp) {
  Receiver receiver(503);
  metrics::Registry registry;
  WebhookOptions o = Options(receiver.url());
  o.max_attempts = 4;
  auto sender = WebhookSender::Start(o, registry);
  ASSERT_TRUE(sender.ok());
  (*sender)->Enqueue(Msg("r1"));
  WebhookStats s = WaitForStats(**sender, [](const WebhookStats& st) { return st.failed == 1; });
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.retries, 3u);
  EXPECT_EQ(s.sent, 0u);
  EXPECT_EQ(receiver.WaitFor(4).size(), 4u) << "every attempt reached the receiver";
  EXPECT_NE(registry.RenderText().find("segue_push_webhook_failed_total{reason=\"attempts_exhausted\"} 1"),
            std::string::npos);
}

TEST(WebhookSender, AnUnreachableReceiverIsRetriedThenGivenUp) {
  std::string url;
  {
    Receiver gone(200);  // a port that was just free, now closed
    url = gone.url();
  }
  metrics::Registry registry;
  WebhookOptions o = Options(url);
  o.max_attempts = 3;
  auto sender = WebhookSender::Start(o, registry);
  ASSERT_TRUE(sender.ok());
  (*sender)->Enqueue(Msg("r1"));
  WebhookStats s = WaitForStats(**sender, [](const WebhookStats& st) { return st.failed == 1; });
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.retries, 2u);
}

TEST(WebhookSender, AClientErrorIsNotRetried) {
  Receiver receiver(400);
  metrics::Registry registry;
  auto sender = WebhookSender::Start(Options(receiver.url()), registry);
  ASSERT_TRUE(sender.ok());
  (*sender)->Enqueue(Msg("r1"));
  WebhookStats s = WaitForStats(**sender, [](const WebhookStats& st) { return st.failed == 1; });
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.retries, 0u);
  EXPECT_NE(registry.RenderText().find("segue_push_webhook_failed_total{reason=\"rejected\"} 1"), std::string::npos);
}

TEST(WebhookSender, AFullQueueDropsAndCounts) {
  Receiver receiver(200);
  receiver.Hold();  // the one worker stays busy with the first message
  metrics::Registry registry;
  WebhookOptions o = Options(receiver.url());
  o.workers = 1;
  o.queue_messages = 3;
  o.timeout = std::chrono::milliseconds(10'000);
  auto sender = WebhookSender::Start(o, registry);
  ASSERT_TRUE(sender.ok());
  EXPECT_TRUE((*sender)->Enqueue(Msg("first")));
  ASSERT_EQ(receiver.WaitFor(1).size(), 1u);  // taken off the queue and in flight
  int accepted = 0;
  for (int i = 0; i < 10; ++i) accepted += (*sender)->Enqueue(Msg(std::string("m").append(std::to_string(i)))) ? 1 : 0;
  EXPECT_EQ(accepted, 3);
  EXPECT_EQ((*sender)->stats().dropped, 7u);
  EXPECT_NE(registry.RenderText().find("segue_push_webhook_dropped_total{reason=\"queue_full\"} 7"), std::string::npos);
  receiver.Release();
  WebhookStats s = WaitForStats(**sender, [](const WebhookStats& st) { return st.sent == 4; });
  EXPECT_EQ(s.sent, 4u);
}

TEST(WebhookSender, BadOptionsAreRefused) {
  metrics::Registry registry;
  EXPECT_EQ(WebhookSender::Start(Options("https://x/"), registry).status().code(), StatusCode::kInvalidArgument);
  WebhookOptions o = Options("http://127.0.0.1:9/");
  o.max_attempts = 0;
  EXPECT_EQ(WebhookSender::Start(o, registry).status().code(), StatusCode::kInvalidArgument);
}

TEST(BackoffDelay, DoublesUpToTheCapWithJitterInTheUpperHalf) {
  WebhookOptions o;
  o.initial_backoff = std::chrono::milliseconds(100);
  o.max_backoff = std::chrono::milliseconds(1'000);
  std::mt19937_64 rng(7);
  const int64_t steps[] = {100, 200, 400, 800, 1000, 1000};
  for (uint32_t attempt = 2; attempt < 8; ++attempt) {
    const int64_t step = steps[attempt - 2];
    int64_t lo = step, hi = 0;
    for (int i = 0; i < 200; ++i) {
      const int64_t d = BackoffDelay(o, attempt, rng).count();
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    EXPECT_GE(lo, step / 2) << attempt;
    EXPECT_LE(hi, step) << attempt;
    EXPECT_LT(lo, hi) << "jittered";
  }
}

}  // namespace
}  // namespace segue::push
