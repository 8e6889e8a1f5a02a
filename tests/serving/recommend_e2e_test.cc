// End to end through `segue serve` as a process, with a disengagement model loaded: a listener's skip
// burst fires the trigger, and the recommendations computed for it reach the listener's open SSE stream,
// with nothing they already played in the session.
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../log/test_util.h"
#include "../models/synthetic_features.h"
#include "common/time_util.h"
#include "features/feature_spec.h"
#include "models/disengagement_bundle.h"
#include "models/disengagement_trainer.h"
#include "server_process.h"

namespace segue::serving {
namespace {

// A model trained on the synthetic skip-burst signal (>= 3 skips among the last 5 plays): seconds to train.
void WriteSkipBurstBundle(const std::string& dir) {
  auto train = segue::testing::MakeSkipBurstSet(5000, 21);
  auto valid = segue::testing::MakeSkipBurstSet(1500, 22);
  TrainOptions options;
  options.max_epochs = 6;
  options.patience = 2;
  options.batch_size = 128;
  auto trained = TrainDisengagementTransformer(train.x, train.y, valid.x, valid.y, options);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  DisengagementBundle bundle;
  bundle.feature_spec_version = kFeatureSpecVersion;
  bundle.architecture = trained->architecture;
  bundle.weights = trained->weights;
  bundle.target_precision = 0.6;
  SummariseValidation(trained->valid_scores, valid.y, &bundle);
  ASSERT_TRUE(SaveBundle(bundle, dir).ok());
}

// Reads one SSE event (through the blank line ending it) from an open stream; "" when none came within
// `timeout` (the stream stays usable: bytes already read are kept in `pending`).
std::string ReadSseEvent(net::io_context& ioc, tcp::socket& socket, std::string& pending,
                         std::chrono::milliseconds timeout) {
  std::string event;
  bool done = false;
  net::async_read_until(socket, net::dynamic_buffer(pending), "\n\n", [&](beast::error_code ec, size_t n) {
    done = true;
    if (ec) return;
    event = pending.substr(0, n);
    pending.erase(0, n);
  });
  ioc.restart();
  ioc.run_for(timeout);
  if (!done) {
    socket.cancel();
    ioc.restart();
    ioc.run();
  }
  return event;
}

TEST(RecommendE2eTest, SkipBurstLeadsToAPushWithNothingPlayedInTheSession) {
  testing::TempDir dir;
  WriteSkipBurstBundle(dir.path() + "/models/v1");
  const std::string config = dir.path() + "/segue.toml";
  std::ofstream(config) << "models_dir = \"" << dir.path() << "/models\"\n[log]\nmin_free_bytes = 0\n";
  ServerProcess server(dir.path() + "/data", config, dir.path() + "/server.log");
  ASSERT_GT(server.port(), 0) << server.first_line();
  ASSERT_TRUE(server.WaitReady());
  Client client(server.port());

  std::string tracks = "[";
  for (int i = 0; i < 40; ++i) {
    tracks += std::string(i ? "," : "") + R"({"id":"t)" + std::to_string(i) + R"(","title":"T","artist":"a)" +
              std::to_string(i % 10) + R"(","genres":[")" + (i % 2 ? "rock" : "pop") + R"("],"duration_ms":200000})";
  }
  ASSERT_EQ(client.Send(http::verb::post, "/v1/tracks", tracks + "]").status, 200);

  // Other listeners complete plays of every track, so the retrievers have something to propose.
  const int64_t t0 = NowMs() - 3'600'000;
  std::string others = "[";
  for (int u = 0; u < 10; ++u) {
    for (int i = 0; i < 8; ++i) {
      const std::string user = "o" + std::to_string(u), track = "t" + std::to_string((u * 3 + i) % 40);
      const int64_t ts = t0 + i * 200'000;
      others += std::string(others.size() > 1 ? "," : "") + EventJson(user + "p" + std::to_string(i), user, "play", ts, track) +
                "," + EventJson(user + "c" + std::to_string(i), user, "complete", ts + 199'000, track);
    }
  }
  ASSERT_EQ(client.Send(http::verb::post, "/v1/events", others + "]").status, 202);

  net::io_context ioc;
  tcp::socket sse(ioc);
  sse.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server.port())));
  net::write(sse, net::buffer(std::string("GET /v1/users/burst/stream HTTP/1.1\r\nHost: t\r\n\r\n")));
  std::string pending;
  beast::error_code ec;
  net::read_until(sse, net::dynamic_buffer(pending), "\r\n\r\n", ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(pending.rfind("HTTP/1.1 200", 0), 0u) << pending;
  pending.erase(0, pending.find("\r\n\r\n") + 4);

  // One completed play, then skips, each posted on its own as a client would, until a push arrives: the
  // recommendation must leave out everything played before it (later plays may well be recommended).
  std::set<std::string> played;
  int64_t ts = NowMs() - 600'000;
  auto post = [&](const std::string& id, const std::string& type, const std::string& track) {
    return client.Send(http::verb::post, "/v1/events", "[" + EventJson(id, "burst", type, ts, track) + "]").status;
  };
  ASSERT_EQ(post("b-p0", "play", "t0"), 202);
  played.insert("t0");
  ts += 199'000;
  ASSERT_EQ(post("b-c0", "complete", "t0"), 202);
  std::string event;
  for (int i = 1; i <= 8 && event.empty(); ++i) {
    const std::string track = "t" + std::to_string(i * 2);
    ts += 1'000;
    ASSERT_EQ(post("b-p" + std::to_string(i), "play", track), 202);
    played.insert(track);
    ts += 4'000;
    ASSERT_EQ(post("b-s" + std::to_string(i), "skip", track), 202);
    event = ReadSseEvent(ioc, sse, pending, std::chrono::seconds(3));
  }
  ASSERT_FALSE(event.empty()) << "no push after 8 skips";
  ASSERT_EQ(event.rfind("event: recommendations\n", 0), 0u) << event;
  const size_t data = event.find("data: ");
  ASSERT_NE(data, std::string::npos) << event;
  const nlohmann::json push = nlohmann::json::parse(event.substr(data + 6, event.find('\n', data) - data - 6));
  EXPECT_EQ(push["user_id"], "burst");
  EXPECT_GT(push["trigger_score"].get<double>(), 0.0);
  EXPECT_FALSE(push["rec_id"].get<std::string>().empty());
  EXPECT_NE(event.find("id: " + push["rec_id"].get<std::string>() + "\n"), std::string::npos);
  ASSERT_FALSE(push["items"].empty()) << push.dump();
  for (const auto& item : push["items"]) {
    EXPECT_EQ(played.count(item["track_id"].get<std::string>()), 0u) << item["track_id"] << " was played in the session";
  }
  const Reply metrics = client.Send(http::verb::get, "/metrics");
  EXPECT_NE(metrics.body.find("segue_trigger_pushes_total 1"), std::string::npos);
}

}  // namespace
}  // namespace segue::serving
