// The closed loop's reports: the server's experiment report (the shape of the contract, hand-written) and
// a ClosedLoopReport as text and JSON.
#include "replay/loop_report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace segue {
namespace {

constexpr const char* kServerReport = R"({"experiment":"demo","generated_at":"2026-11-30T15:00:00Z","horizon_ms":1800000,
 "arms":[{"name":"shadow","kind":"shadow","listeners":1000,"sessions":447,
          "metrics":{"exit_rate":{"value":0.479,"ci95":[0.432,0.525],"n":447},
                     "session_length_ms":{"value":1143600,"ci95":[1034400,1252800],"n":447},
                     "click_through":{"value":null,"ci95":null,"n":0}}},
         {"name":"treatment","kind":"treatment","listeners":1000,"sessions":431,
          "metrics":{"exit_rate":{"value":0.429,"ci95":[0.383,0.476],"n":431},
                     "trigger_precision":{"value":0.8,"ci95":null,"n":10},
                     "listening_ms_after_rec":{"value":150000,"ci95":[138000,162000],"n":398}}}],
 "differences":[{"arm":"treatment","baseline":"shadow",
                 "metrics":{"exit_rate":{"value":-0.05,"ci95":[-0.115,0.016]}}}]})";

TEST(LoopReportTest, ServerReportPrintsEveryArmAndDifferenceInTheirUnits) {
  Result<std::string> text = ExperimentReportToText(kServerReport);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text,
            "experiment demo (server report, horizon 30.00 min):\n"
            "  arm shadow (shadow): 1000 listeners, 447 sessions\n"
            "    click_through: n/a\n"
            "    exit_rate: 47.9% [43.2%, 52.5%]\n"
            "    session_length_ms: 19.06 min [17.24 min, 20.88 min]\n"
            "  arm treatment (treatment): 1000 listeners, 431 sessions\n"
            "    exit_rate: 42.9% [38.3%, 47.6%]\n"
            "    listening_ms_after_rec: 2.50 min [2.30 min, 2.70 min]\n"
            "    trigger_precision: 80.0%\n"
            "  treatment - shadow:\n"
            "    exit_rate: -5.0% [-11.5%, 1.6%]\n");
}

TEST(LoopReportTest, NotAReportIsRefused) {
  EXPECT_EQ(ExperimentReportToText("{\"error\":\"no such experiment\"}").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ExperimentReportToText("not json").status().code(), StatusCode::kInvalidArgument);
}

ClosedLoopReport TwoArms() {
  ClosedLoopReport r;
  r.arms.resize(2);
  r.arms[0].name = "shadow";
  r.arms[1].name = "treatment";
  // shadow: 2 listeners, 2 sessions each, one exit each, 10 min of sessions each;
  // treatment: 2 listeners, 1 session each, no exit, 5 and 7 minutes.
  for (int i = 0; i < 2; ++i) {
    r.arms[0].exits.Add(2, 1);
    r.arms[0].lengths.Add(2, 10 * 60'000.0);
  }
  r.arms[0].sessions = 4;
  r.arms[1].exits.Add(1, 0);
  r.arms[1].exits.Add(1, 0);
  r.arms[1].lengths.Add(1, 5 * 60'000.0);
  r.arms[1].lengths.Add(1, 7 * 60'000.0);
  r.arms[1].sessions = 2;
  r.pushes = 5;
  r.pushes_in_time = 4;
  r.pushes_late = 1;
  r.offers = 4;
  r.accepted = 1;
  return r;
}

TEST(LoopReportTest, ClosedLoopJsonHasArmsIntervalsAndDifferences) {
  const nlohmann::json j = nlohmann::json::parse(ClosedLoopReportToJson(TwoArms()));
  ASSERT_EQ(j["arms"].size(), 2u);
  const nlohmann::json& shadow = j["arms"][0]["metrics"];
  EXPECT_DOUBLE_EQ(shadow["exit_rate"]["value"].get<double>(), 0.5);
  EXPECT_EQ(shadow["exit_rate"]["n"], 2);  // listeners, the unit
  EXPECT_DOUBLE_EQ(shadow["session_length_ms"]["value"].get<double>(), 5 * 60'000);
  // Treatment's lengths 5 and 7 min (one session each): R = 6 min, Var = ((−1)² + 1²) / (2·1·1) min².
  const nlohmann::json& treatment = j["arms"][1]["metrics"];
  EXPECT_NEAR(treatment["session_length_ms"]["ci95"][0].get<double>(), (6 - 1.959964) * 60'000, 1);
  EXPECT_NEAR(treatment["session_length_ms"]["ci95"][1].get<double>(), (6 + 1.959964) * 60'000, 1);
  const nlohmann::json& diff = j["differences"][0];
  EXPECT_EQ(diff["arm"], "treatment");
  EXPECT_EQ(diff["baseline"], "shadow");
  EXPECT_DOUBLE_EQ(diff["metrics"]["exit_rate"]["value"].get<double>(), -0.5);
  EXPECT_DOUBLE_EQ(diff["metrics"]["session_length_ms"]["value"].get<double>(), 1 * 60'000);
  // An arm without sessions has no estimate: null, not 0.
  ClosedLoopReport empty = TwoArms();
  empty.arms[1].exits = {};
  const nlohmann::json e = nlohmann::json::parse(ClosedLoopReportToJson(empty));
  EXPECT_TRUE(e["arms"][1]["metrics"]["exit_rate"]["value"].is_null());
  EXPECT_TRUE(e["differences"][0]["metrics"]["exit_rate"]["ci95"].is_null());
}

TEST(LoopReportTest, ClosedLoopTextHasArmsDifferencesAndClickThrough) {
  const std::string text = ClosedLoopReportToText(TwoArms());
  EXPECT_NE(text.find("  shadow: 0 listeners, 4 sessions, 0 pushes, 0 accepted\n    exit_rate: 50.0% [50.0%, 50.0%]"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  treatment - shadow:\n    exit_rate: -50.0% [-50.0%, -50.0%]"), std::string::npos) << text;
  EXPECT_NE(text.find("pushes: 5 (4 in time for the listener's next action, 1 late, 0 for events not sent live), "
                      "4 offered, 1 accepted (click-through 25.0%)"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace segue
