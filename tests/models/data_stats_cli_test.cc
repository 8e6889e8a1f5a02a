// Runs the built `segue` binary: `segue data stats` on a small simulated stream (text and --json, several
// horizons, two files read as one population) and its input errors.
#include <filesystem>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/run_command.h"

namespace {

namespace fs = std::filesystem;

using segue::test_support::RunCommand;

class DataStatsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("segue_data_stats_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    int code = -1;
    RunCommand(std::string(SEGUE_BINARY) + " simulate --users 30 --days 3 --tracks 300 --seed 4 --quiet --out " +
                   path("events.ndjson"),
               &code);
    ASSERT_EQ(code, 0);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  nlohmann::json Stats(const std::string& args) const {
    int code = -1;
    const std::string out = RunCommand(std::string(SEGUE_BINARY) + " data stats " + args + " --json 2>/dev/null", &code);
    EXPECT_EQ(code, 0) << out;
    return nlohmann::json::parse(out);
  }
  fs::path dir_;
};

TEST_F(DataStatsCliTest, JsonHasEveryFigureAndEachHorizon) {
  const nlohmann::json j = Stats(path("events.ndjson") + " --horizons-min 30,5");
  EXPECT_GT(j.at("listeners").get<size_t>(), 20u);
  EXPECT_GT(j.at("sessions").get<size_t>(), 30u);
  EXPECT_GT(j.at("decision_points").get<size_t>(), 0u);
  for (const char* key : {"skip_rate", "searches_per_play", "pauses_per_play", "search_session_share",
                          "exit_session_share", "paused_end_session_share", "single_play_session_share"}) {
    const double v = j.at(key).get<double>();
    EXPECT_TRUE(v >= 0 && v <= 1) << key << " " << v;
  }
  for (const char* key : {"session_events", "session_plays", "session_minutes", "gap_hours"}) {
    const nlohmann::json& q = j.at(key);
    EXPECT_LE(q.at("p10").get<double>(), q.at("p50").get<double>()) << key;
    EXPECT_LE(q.at("p50").get<double>(), q.at("p90").get<double>()) << key;
  }
  const nlohmann::json& h = j.at("horizons");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].at("horizon_min").get<double>(), 30.0);
  EXPECT_EQ(h[1].at("horizon_min").get<double>(), 5.0);
  // A longer horizon can only add positives.
  EXPECT_GE(h[0].at("positive_rate").get<double>(), h[1].at("positive_rate").get<double>());
  EXPECT_GT(h[1].at("positive_rate").get<double>(), 0.0);
}

TEST_F(DataStatsCliTest, TwoFilesAreOnePopulationAndDuplicatesCountOnce) {
  fs::copy_file(path("events.ndjson"), path("copy.ndjson"));
  const nlohmann::json one = Stats(path("events.ndjson"));
  const nlohmann::json both = Stats(path("events.ndjson") + " " + path("copy.ndjson"));
  EXPECT_EQ(both.at("events"), one.at("events"));
  EXPECT_EQ(both.at("sessions"), one.at("sessions"));
  EXPECT_EQ(both.at("horizons"), one.at("horizons"));
}

TEST_F(DataStatsCliTest, TextNamesEachHorizon) {
  int code = -1;
  const std::string out = RunCommand(std::string(SEGUE_BINARY) + " data stats " + path("events.ndjson") + " 2>/dev/null", &code);
  ASSERT_EQ(code, 0) << out;
  for (const char* line : {"listeners", "skip rate", "session minutes:", "H = 30 min: positive", "H = 10 min: positive",
                           "H = 5 min: positive"}) {
    EXPECT_NE(out.find(line), std::string::npos) << line << "\n" << out;
  }
}

TEST_F(DataStatsCliTest, BadInputsFailWithAMessage) {
  int code = -1;
  std::string out = RunCommand(std::string(SEGUE_BINARY) + " data stats " + path("events.ndjson") +
                                   " --horizons-min 30,0 2>&1",
                               &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("horizon"), std::string::npos) << out;
  out = RunCommand(std::string(SEGUE_BINARY) + " data stats " + path("missing.ndjson") + " 2>&1", &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("missing.ndjson"), std::string::npos) << out;
}

}  // namespace
