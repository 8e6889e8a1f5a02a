// `segue log export|stats|retain` against a log written through the library: the NDJSON lines carry the
// stored events in seq order, filters apply, bad arguments exit 2 with a message.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "log/event_log.h"
#include "test_util.h"
#include "tests/testing/run_command.h"

namespace segue {
namespace {

using CliRun = test_support::CommandResult;

// Runs the segue binary with `args` (stderr discarded).
CliRun Segue(const std::string& args) {
  return test_support::RunCommand(std::string(SEGUE_BINARY) + " " + args + " 2>/dev/null");
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1) out.push_back(s.substr(start, nl - start));
  return out;
}

class LogCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(SEGUE_BINARY)) GTEST_SKIP() << "segue binary not built";
    EventLogOptions o;
    o.dir = dir_.path();
    o.sync = false;
    auto log = EventLog::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    std::vector<Event> batch;
    for (int i = 0; i < 30; ++i) batch.push_back(testing::MakeEvent(testing::Id("ev", i), testing::Id("u", i % 4), 1000 * i));
    ASSERT_TRUE((*log)->Append(batch).ok());
  }
  testing::TempDir dir_;
};

TEST_F(LogCli, ExportWritesEveryEventInSeqOrder) {
  const CliRun r = Segue("log export --data-dir " + dir_.path());
  ASSERT_EQ(r.exit_code, 0);
  const auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 30u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].rfind("{\"seq\":" + std::to_string(i + 1) + ",", 0), 0u) << lines[i];
    EXPECT_NE(lines[i].find("\"event_id\":\"ev" + std::to_string(i) + "\""), std::string::npos) << lines[i];
  }
}

TEST_F(LogCli, ExportFiltersBySeqTimeAndPartition) {
  CliRun r = Segue("log export --data-dir " + dir_.path() + " --from-seq 26");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(Lines(r.out).size(), 5u);
  // ts of event i is 1000*i ms: [5000, 8000) holds events 5, 6, 7.
  r = Segue("log export --data-dir " + dir_.path() + " --since 5000 --until 1970-01-01T00:00:08Z --order time");
  ASSERT_EQ(r.exit_code, 0);
  const auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("\"event_id\":\"ev5\""), std::string::npos);
  r = Segue("log export --data-dir " + dir_.path() + " --partition 999");
  EXPECT_NE(r.exit_code, 0);
}

TEST_F(LogCli, StatsJsonAndBadArguments) {
  CliRun r = Segue("log stats --json --data-dir " + dir_.path());
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("{\"events\":30,\"first_seq\":1,\"last_seq\":30,", 0), 0u) << r.out;
  EXPECT_EQ(Segue("log export --data-dir " + dir_.path() + " --since yesterday").exit_code, 2);
  EXPECT_EQ(Segue("log export --data-dir " + dir_.path() + "/missing").exit_code, 1);
  EXPECT_EQ(Segue("log retain --data-dir " + dir_.path()).exit_code, 2);
}

TEST_F(LogCli, RetainBySizeDropsTheOldest) {
  CliRun r = Segue("log retain --json --max-bytes 1K --data-dir " + dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"removed_events\":"), std::string::npos) << r.out;
  const auto lines = Lines(Segue("log export --data-dir " + dir_.path()).out);
  ASSERT_FALSE(lines.empty());
  EXPECT_LT(lines.size(), 30u);
  EXPECT_NE(lines.back().find("\"seq\":30,"), std::string::npos) << lines.back();
}

}  // namespace
}  // namespace segue
