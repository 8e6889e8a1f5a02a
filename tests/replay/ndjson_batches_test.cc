#include "replay/ndjson_batches.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace segue {
namespace {

TEST(NdjsonBatchesTest, CutsIntoContiguousSlicesSkippingBlankLines) {
  const std::string text = "\n  \r\n{\"a\":1}\r\n{\"a\":2}\n\n{\"a\":3}\n\n{\"a\":4}\n \n{\"a\":5}";
  NdjsonBatches b = NdjsonBatches::FromText(text, 2);
  EXPECT_EQ(b.total_lines(), 5u);
  ASSERT_EQ(b.batch_count(), 3u);
  EXPECT_EQ(b.body(0), "{\"a\":1}\r\n{\"a\":2}\n");
  EXPECT_EQ(b.lines(0), 2u);
  EXPECT_EQ(b.body(1), "{\"a\":3}\n\n{\"a\":4}\n");  // blank lines before a batch's first line are left out
  EXPECT_EQ(b.body(2), "{\"a\":5}");
  EXPECT_EQ(b.lines(2), 1u);

  NdjsonBatches one = NdjsonBatches::FromText(text, 100);
  ASSERT_EQ(one.batch_count(), 1u);
  EXPECT_EQ(one.lines(0), 5u);
  EXPECT_EQ(NdjsonBatches::FromText("", 10).batch_count(), 0u);
  EXPECT_EQ(NdjsonBatches::FromText("\n\r\n  ", 10).batch_count(), 0u);
}

TEST(NdjsonBatchesTest, MapsAFile) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("segue_ndjson_batches_" + std::to_string(::getpid()) + ".ndjson");
  {
    std::ofstream out(path);
    for (int i = 0; i < 7; ++i) out << "{\"i\":" << i << "}\n";
  }
  Result<NdjsonBatches> b = NdjsonBatches::Open(path.string(), 3);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  NdjsonBatches moved = std::move(b).value();  // the mapping moves with the object
  EXPECT_EQ(moved.batch_count(), 3u);
  EXPECT_EQ(moved.body(2), "{\"i\":6}\n");
  std::filesystem::remove(path);

  Result<NdjsonBatches> missing = NdjsonBatches::Open("/nonexistent/segue.ndjson", 3);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  EXPECT_NE(missing.status().message().find("/nonexistent/segue.ndjson"), std::string::npos);
}

}  // namespace
}  // namespace segue
