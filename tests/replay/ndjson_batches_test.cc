#include "replay/ndjson_batches.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/hash.h"

namespace segue {
namespace {

// Every batch of one lane, bodies in order.
std::vector<std::string> Drain(const NdjsonBatches& b, size_t lane, std::vector<size_t>* first_lines = nullptr) {
  std::vector<std::string> out;
  NdjsonBatches::Cursor cursor;
  std::string body;
  size_t first = 0;
  while (b.NextBatch(lane, &cursor, &body, &first) > 0) {
    out.push_back(body);
    if (first_lines != nullptr) first_lines->push_back(first);
  }
  return out;
}

TEST(FindUserIdTest, FindsTheKeyNotTheText) {
  EXPECT_EQ(FindUserId(R"({"event_id":"e1","user_id":"u42","type":"play"})"), "u42");
  EXPECT_EQ(FindUserId(R"({"user_id" :	 "a b"})"), "a b");
  EXPECT_EQ(FindUserId(R"({"source":"user_id","user_id":"u7"})"), "u7");  // the first occurrence is a value
  EXPECT_EQ(FindUserId(R"({"user_id":"a\"b","x":1})"), R"(a\"b)");        // escapes kept raw
  EXPECT_EQ(FindUserId(R"({"note":"say \"user_id\": 1","user_id":"u"})"), "u");
  EXPECT_EQ(FindUserId(R"({"user_id":42})"), "");
  EXPECT_EQ(FindUserId(R"({"user_id":"unterminated)"), "");
  EXPECT_EQ(FindUserId(R"({"event_id":"e1"})"), "");
  EXPECT_EQ(FindUserId(""), "");
  // Another key: a longer name ending in it is not it.
  EXPECT_EQ(FindStringField(R"({"trigger_event_id":"t","event_id":"e1"})", "event_id"), "e1");
  EXPECT_EQ(FindStringField(R"({"event_ids":"x"})", "event_id"), "");
}

TEST(NdjsonBatchesTest, OneLaneIsTheFileInBatchesSkippingBlankLines) {
  const std::string text = "\n  \r\n{\"a\":1}\r\n{\"a\":2}\n\n{\"a\":3}\n\n{\"a\":4}\n \n{\"a\":5}";
  NdjsonBatches b = NdjsonBatches::FromText(text, 2, 1);
  EXPECT_EQ(b.total_lines(), 5u);
  EXPECT_EQ(b.lines_without_user_id(), 5u);
  std::vector<size_t> firsts;
  const std::vector<std::string> bodies = Drain(b, 0, &firsts);
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_EQ(bodies[0], "{\"a\":1}\r\n{\"a\":2}\n");
  EXPECT_EQ(bodies[1], "{\"a\":3}\n{\"a\":4}\n");
  EXPECT_EQ(bodies[2], "{\"a\":5}\n");  // the missing final newline is added
  EXPECT_EQ(firsts, (std::vector<size_t>{0, 2, 4}));

  EXPECT_EQ(Drain(NdjsonBatches::FromText(text, 100, 1), 0).size(), 1u);
  EXPECT_TRUE(Drain(NdjsonBatches::FromText("", 10, 3), 0).empty());
  EXPECT_EQ(NdjsonBatches::FromText("\n\r\n  ", 10, 3).total_lines(), 0u);
}

TEST(NdjsonBatchesTest, LanesPartitionTheFileByListenerInFileOrder) {
  std::string text;
  std::vector<std::string> lines;
  for (int i = 0; i < 300; ++i) {
    const std::string line = i % 50 == 7 ? "{\"i\":" + std::to_string(i) + "}"
                                         : R"({"user_id":"u)" + std::to_string(i % 13) + R"(","i":)" + std::to_string(i) + "}";
    lines.push_back(line);
    text += line + (i % 40 == 0 ? "\n\n" : "\n");
  }
  constexpr size_t kLanes = 4;
  NdjsonBatches b = NdjsonBatches::FromText(text, 7, kLanes);
  EXPECT_EQ(b.total_lines(), 300u);
  EXPECT_EQ(b.lines_without_user_id(), 6u);
  size_t seen = 0;
  for (size_t lane = 0; lane < kLanes; ++lane) {
    std::vector<size_t> firsts;
    std::string all;
    for (const std::string& body : Drain(b, lane, &firsts)) all += body;
    // The lane is exactly the file's lines that hash to it (or have no user_id, for lane 0), in file order.
    std::string expected;
    size_t count = 0;
    std::vector<size_t> expected_firsts;
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string_view user = FindUserId(lines[i]);
      if ((user.empty() ? 0 : Fnv1a64(user) % kLanes) != lane) continue;
      if (count++ % 7 == 0) expected_firsts.push_back(i);
      expected += lines[i] + "\n";
    }
    EXPECT_EQ(all, expected) << "lane " << lane;
    EXPECT_EQ(firsts, expected_firsts) << "lane " << lane;
    EXPECT_EQ(b.lane_lines(lane), count);
    seen += count;
  }
  EXPECT_EQ(seen, 300u);
}

TEST(NdjsonBatchesTest, MapsAFile) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("segue_ndjson_batches_" + std::to_string(::getpid()) + ".ndjson");
  {
    std::ofstream out(path);
    for (int i = 0; i < 7; ++i) out << "{\"user_id\":\"u\",\"i\":" << i << "}\n";
  }
  Result<NdjsonBatches> b = NdjsonBatches::Open(path.string(), 3, 2);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  NdjsonBatches moved = std::move(b).value();  // the mapping moves with the object
  const size_t lane = Fnv1a64("u") % 2;
  const std::vector<std::string> bodies = Drain(moved, lane);
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_EQ(bodies[2], "{\"user_id\":\"u\",\"i\":6}\n");
  EXPECT_TRUE(Drain(moved, 1 - lane).empty());
  std::filesystem::remove(path);

  Result<NdjsonBatches> missing = NdjsonBatches::Open("/nonexistent/segue.ndjson", 3, 2);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  EXPECT_NE(missing.status().message().find("/nonexistent/segue.ndjson"), std::string::npos);
}

}  // namespace
}  // namespace segue
