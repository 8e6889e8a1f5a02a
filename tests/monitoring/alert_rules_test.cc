// The shipped Prometheus files (deploy/prometheus/) pass promtool: the rules and the example config are
// valid, and the rules' unit tests (alerts_test.yml) hold. Skips when promtool is not installed.
#include <string>

#include <gtest/gtest.h>

#include "tests/testing/find_program.h"
#include "tests/testing/run_command.h"

namespace segue::monitoring {
namespace {

const std::string kDeploy = std::string(SEGUE_SOURCE_DIR) + "/deploy/prometheus/";

class AlertRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> found = test_support::FindProgram("promtool");
    if (!found) GTEST_SKIP() << "promtool not on PATH (Debian package prometheus)";
    promtool_ = *found;
  }
  test_support::CommandResult Promtool(const std::string& args) {
    return test_support::RunCommand(promtool_ + " " + args + " 2>&1");
  }
  std::string promtool_;
};

TEST_F(AlertRulesTest, RulesPassPromtoolCheck) {
  test_support::CommandResult r = Promtool("check rules " + kDeploy + "alerts.yml");
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(AlertRulesTest, ExampleConfigPassesPromtoolCheck) {
  test_support::CommandResult r = Promtool("check config " + kDeploy + "prometheus.yml");
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(AlertRulesTest, RuleUnitTestsPass) {
  test_support::CommandResult r = Promtool("test rules " + kDeploy + "alerts_test.yml");
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

}  // namespace
}  // namespace segue::monitoring
