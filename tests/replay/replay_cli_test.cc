// `segue replay` as a process: the --json contract (one object on stdout) and the exit statuses.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "fake_ingest_server.h"
#include "tests/testing/run_command.h"

namespace segue {
namespace {

using replay_testing::Answer;
using replay_testing::FakeIngestServer;
namespace http = boost::beast::http;

using ProcessResult = test_support::CommandResult;

ProcessResult RunSegue(const std::string& args) {
  return test_support::RunCommand(std::string(SEGUE_BINARY) + " " + args + " 2>/dev/null");
}

class ReplayCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(SEGUE_BINARY)) GTEST_SKIP() << "build the segue binary first";
    file_ = std::filesystem::temp_directory_path() / ("segue_replay_cli_" + std::to_string(::getpid()) + ".ndjson");
    std::ofstream out(file_);
    for (int i = 0; i < 250; ++i) out << R"({"event_id":"e)" << i << R"(","user_id":"u","type":"exit","ts":1})" << "\n";
  }
  void TearDown() override { std::filesystem::remove(file_); }

  std::filesystem::path file_;
};

TEST_F(ReplayCliTest, JsonReportAndExitZeroWhenAllAcknowledged) {
  FakeIngestServer server(FakeIngestServer::AcceptAll);
  const ProcessResult r = RunSegue("replay " + file_.string() + " --target " + server.target() + " --batch 100 --json");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);  // exactly one object (parse rejects trailing data)
  EXPECT_EQ(j["accepted"], 250);
  EXPECT_EQ(j["requests"], 3);
  EXPECT_EQ(j["batch"], 100);
  EXPECT_TRUE(j["errors"].empty());
}

TEST_F(ReplayCliTest, ExitOneWhenRequestsFailAndTwoWhenItCannotRun) {
  FakeIngestServer server([](size_t, const std::vector<std::string>&) {
    return Answer{http::status::service_unavailable, R"({"error":"not ready"})"};
  });
  ProcessResult r = RunSegue("replay " + file_.string() + " --target " + server.target() + " --json");
  EXPECT_EQ(r.exit_code, 1);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["errors"]["503"], 3);
  EXPECT_EQ(j["failed_events"], 250);

  r = RunSegue("replay " + file_.string() + " --target https://127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 2);
  r = RunSegue("replay /nonexistent/events.ndjson --target http://127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace segue
