// Runs the built `segue import` binary: the output file and the --json summary are what scripts rely on.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "import_test_util.h"
#include "tests/testing/run_command.h"

namespace segue {
namespace {

using segue::test_support::RunCommand;

TEST(ImportCliTest, WritesNdjsonTheServerAcceptsAndAJsonSummary) {
  const std::string out = (std::filesystem::temp_directory_path() / "segue_cli_import.ndjson").string();
  int rc = 0;
  std::string summary = RunCommand(std::string(SEGUE_BINARY) + " import spotify-history " +
                                segue::testing::Fixture("extended_old") + " --out " + out + " --json 2>/dev/null",
                            &rc);
  ASSERT_EQ(rc, 0) << summary;
  EXPECT_NE(summary.find("\"events_by_type\":{\"complete\":2,\"exit\":2,\"pause\":1,\"play\":10,\"search\":2,"
                         "\"skip\":4}"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("\"skipped\":{\"no_track_uri\":1}"), std::string::npos) << summary;
  std::ifstream in(out);
  std::stringstream body;
  body << in.rdbuf();
  Result<ParsedBatch> parsed = ParseEventBatch(body.str(), BodyFormat::kNdjson, ParseLimits{}, NowMs());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->events.size(), 21u);
  EXPECT_TRUE(parsed->rejected.empty());
  std::filesystem::remove(out);
}

TEST(ImportCliTest, FailedImportLeavesNoOutputAndNamesTheProblem) {
  const auto dir = std::filesystem::temp_directory_path() / "segue_cli_bad";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "log.csv") << "session_id\nx\n";
  const std::string out = (dir / "out.ndjson").string();
  int rc = 0;
  std::string err = RunCommand(std::string(SEGUE_BINARY) + " import mssd " + (dir / "log.csv").string() + " --out " + out +
                            " 2>&1",
                        &rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(err.find("column 'session_position': required column is missing"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out + ".partial"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace segue
