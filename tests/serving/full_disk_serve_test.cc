// End-to-end full disk: `segue serve` with its data dir on a 16 MiB tmpfs in a private mount namespace
// (tests/testing/private_tmpfs.h), min_free_bytes = 0 so RocksDB itself meets ENOSPC. Ingest until
// refused: the server must not abort, must answer 507 + JSON error + Retry-After, report not ready with
// the reason, keep serving sessions and /metrics, and accept writes again by itself once space is freed,
// with every acknowledged event stored exactly once.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../log/test_util.h"
#include "common/time_util.h"
#include "log/event_log.h"
#include "tests/log/exactly_once.h"
#include "tests/serving/server_process.h"
#include "tests/testing/private_tmpfs.h"

namespace segue::serving {
namespace {

constexpr size_t kTmpfsBytes = 16u << 20;
constexpr size_t kFillerBytes = 4u << 20;
constexpr int kBatch = 500;

// One request on a fresh connection.
Reply Send(int port, http::verb verb, const std::string& target, const std::string& body = "") {
  return Client(port).Send(verb, target, body);
}

std::string BatchBody(int b, std::vector<std::string>* ids) {
  const int64_t now = NowMs();
  std::string body = "[";
  for (int i = 0; i < kBatch; ++i) {
    const std::string id = testing::Id(testing::Id("b", b) + "-", i);
    ids->push_back(id);
    if (i) body += ",";
    body += R"({"event_id":")" + id + R"(","user_id":")" + testing::Id("user", i % 20) +
            R"(","type":"play","ts":)" + std::to_string(now) + R"(,"track_id":"trk)" + std::to_string(i % 7) + "\"}";
  }
  return body + "]";
}

std::string FileText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void ServeOnFullDisk(const std::string& mnt) {
  const std::string data = mnt + "/data", filler = mnt + "/filler", config = mnt + "/segue.toml";
  const std::string server_log = mnt + ".server.log";  // beside the tmpfs, not on it; kept if the test fails
  {
    std::ofstream out(filler, std::ios::binary);
    const std::string mb(1u << 20, 'f');
    for (size_t i = 0; i < kFillerBytes; i += mb.size()) out.write(mb.data(), static_cast<std::streamsize>(mb.size()));
    ASSERT_TRUE(out.good());
  }
  std::ofstream(config) << "[log]\nmin_free_bytes = 0\n[sessions]\nsnapshot_interval_s = 1\n";

  std::vector<std::string> acked;
  ServerProcess server(data, config, server_log);
  ASSERT_GT(server.port(), 0) << FileText(server_log);
  ASSERT_EQ(server.WaitReadyz(200, std::chrono::seconds(30)).status, 200) << FileText(server_log);

  // Ingest until refused.
  Reply refusal;
  std::vector<std::string> refused_ids;
  int b = 0;
  for (; b < 10000; ++b) {
    std::vector<std::string> ids;
    Reply r = Send(server.port(), http::verb::post, "/v1/events", BatchBody(b, &ids));
    if (r.status != 202) {
      refusal = r;
      refused_ids = ids;
      break;
    }
    EXPECT_EQ(nlohmann::json::parse(r.body)["accepted"], kBatch);
    acked.insert(acked.end(), ids.begin(), ids.end());
  }
  ASSERT_TRUE(server.Alive()) << "the server died on the full disk (exit status " << server.exit_status() << ")\n"
                              << FileText(server_log);
  ASSERT_GT(acked.size(), 0u);
  EXPECT_EQ(refusal.status, 507) << refusal.body;
  ASSERT_FALSE(refusal.body.empty());
  EXPECT_NE(nlohmann::json::parse(refusal.body)["error"].get<std::string>().find("No space left"), std::string::npos)
      << refusal.body;
  EXPECT_EQ(refusal.retry_after, "5");

  // While full: further writes are refused the same way, readiness says why, everything else works.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a failed resume attempt or two
  std::vector<std::string> ignored;
  Reply again = Send(server.port(), http::verb::post, "/v1/events", BatchBody(b, &ignored));
  EXPECT_EQ(again.status, 507) << again.body;
  Reply tracks = Send(server.port(), http::verb::post, "/v1/tracks",
                      R"([{"id":"trk1","title":"One","artist":"A","duration_ms":200000}])");
  EXPECT_EQ(tracks.status, 507) << tracks.body;
  Reply ready = Send(server.port(), http::verb::get, "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("No space left"), std::string::npos) << ready.body;
  Reply metrics = Send(server.port(), http::verb::get, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("segue_log_writable 0\n"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("segue_event_batches_failed_total{reason=\"no_space\"} 2\n"), std::string::npos);
  Reply session = Send(server.port(), http::verb::get, "/v1/users/user3/session");
  EXPECT_EQ(session.status, 200) << session.body;
  ASSERT_TRUE(server.Alive()) << FileText(server_log);

  // Free space: the server becomes ready again by itself and accepts the refused batch in full.
  std::filesystem::remove(filler);
  Reply resumed = server.WaitReadyz(200, std::chrono::seconds(30));
  ASSERT_EQ(resumed.status, 200) << "not ready 30 s after space was freed: " << resumed.body << "\n"
                                 << FileText(server_log);
  std::vector<std::string> retry_ids;
  Reply retry = Send(server.port(), http::verb::post, "/v1/events", BatchBody(b, &retry_ids));
  ASSERT_EQ(retry.status, 202) << retry.body;
  EXPECT_EQ(nlohmann::json::parse(retry.body)["accepted"], kBatch);
  EXPECT_EQ(nlohmann::json::parse(retry.body)["duplicates"], 0);
  acked.insert(acked.end(), retry_ids.begin(), retry_ids.end());
  EXPECT_NE(Send(server.port(), http::verb::get, "/metrics").body.find("segue_log_writable 1\n"), std::string::npos);

  const std::string log_text = FileText(server_log);
  EXPECT_NE(log_text.find("event log refuses writes until this is resolved: "), std::string::npos) << log_text;
  EXPECT_NE(log_text.find("event log accepts writes again"), std::string::npos) << log_text;
  const int status = server.Signal(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status << "\n" << FileText(server_log);

  // Every acknowledged event exactly once.
  EventLogOptions o;
  o.dir = data;
  o.read_only = true;
  auto log = EventLog::Open(o);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  testing::ExpectExactlyOnce(**log, acked);
  if (!::testing::Test::HasFailure()) std::filesystem::remove(server_log);
}

TEST(ServeFullDisk, RefusesWith507StaysUpAndResumesWhenSpaceIsFreed) {
  if (const char* mnt = test_support::PrivateTmpfsDir()) return ServeOnFullDisk(mnt);
  test_support::TmpfsRun run = test_support::RerunInPrivateTmpfs(kTmpfsBytes);
  if (!run.skip_reason.empty()) GTEST_SKIP() << run.skip_reason;
  EXPECT_TRUE(run.passed) << run.outcome;
}

}  // namespace
}  // namespace segue::serving
