#include "impressions/impression_store.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/log/test_util.h"

namespace segue::impressions {
namespace {

Impression Make(std::string user, int64_t ts, std::string rec_id) {
  Impression m;
  m.rec_id = std::move(rec_id);
  m.user_id = std::move(user);
  m.ts_ms = ts;
  m.event_ts_ms = ts - 500;
  m.source = "model";
  m.track_ids = {"t1", "t2"};
  m.scores = {0.9f, 0.5f};
  m.model_versions = {{"retriever", "two_tower:v1"}};
  return m;
}

std::vector<nlohmann::json> Of(const ImpressionStore& store, std::string_view user) {
  std::vector<nlohmann::json> out;
  Status s = store.ForEachOfListener(user, [&](std::string_view json) {
    out.push_back(nlohmann::json::parse(json));
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(ImpressionStoreTest, ImpressionsSurviveAReopenAndAreFoundPerListenerInTimeOrder) {
  segue::testing::TempDir dir;
  metrics::Registry registry;
  {
    auto store = ImpressionStore::Open({dir.path()}, registry);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    (*store)->Record(Make("u1", 3000, "r3"));
    (*store)->Record(Make("u1", 1000, "r1"));
    Impression pushed = Make("u12", 2000, "r2");  // u1 is a prefix of u12: must not mix
    pushed.trigger_score = 0.75f;
    (*store)->Record(pushed);
  }  // closing writes what is queued
  auto store = ImpressionStore::Open({dir.path()}, registry);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<nlohmann::json> u1 = Of(**store, "u1");
  ASSERT_EQ(u1.size(), 2u);
  EXPECT_EQ(u1[0]["rec_id"], "r1");
  EXPECT_EQ(u1[1]["rec_id"], "r3");
  EXPECT_EQ(u1[0]["items"][1]["track_id"], "t2");
  EXPECT_FLOAT_EQ(u1[0]["items"][0]["score"].get<float>(), 0.9f);
  EXPECT_EQ(u1[0]["model_versions"]["retriever"], "two_tower:v1");
  EXPECT_TRUE(u1[0]["trigger_score"].is_null());
  EXPECT_EQ(u1[0]["ts"], "1970-01-01T00:00:01.000Z");
  EXPECT_EQ(u1[0]["event_ts"], "1970-01-01T00:00:00.500Z");
  std::vector<nlohmann::json> u12 = Of(**store, "u12");
  ASSERT_EQ(u12.size(), 1u);
  EXPECT_FLOAT_EQ(u12[0]["trigger_score"].get<float>(), 0.75f);
  EXPECT_NE(registry.RenderText().find("segue_impressions_written_total 3"), std::string::npos);
}

TEST(ImpressionStoreTest, FlushMakesRecordedImpressionsReadable) {
  segue::testing::TempDir dir;
  metrics::Registry registry;
  auto store = ImpressionStore::Open({dir.path()}, registry);
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 50; ++i) (*store)->Record(Make("u1", 1000 + i, segue::testing::Id("r", i)));
  (*store)->Flush();
  EXPECT_EQ(Of(**store, "u1").size(), 50u);
}

TEST(ImpressionStoreTest, AFullQueueDropsAndCountsInsteadOfBlocking) {
  segue::testing::TempDir dir;
  metrics::Registry registry;
  ImpressionStoreOptions o{dir.path()};
  o.queue_capacity = 1;
  o.max_batch = 1;
  auto store = ImpressionStore::Open(o, registry);
  ASSERT_TRUE(store.ok());
  constexpr int kRecorded = 2000;  // each batch is one fsync: the writer cannot keep up
  for (int i = 0; i < kRecorded; ++i) (*store)->Record(Make("u1", i, segue::testing::Id("r", i)));
  (*store)->Flush();
  const uint64_t dropped = (*store)->dropped();
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(Of(**store, "u1").size() + dropped, static_cast<size_t>(kRecorded));
  EXPECT_NE(registry.RenderText().find("segue_impressions_dropped_total " + std::to_string(dropped)), std::string::npos);
}

TEST(ImpressionStoreTest, CreatesMissingParentDirectories) {
  segue::testing::TempDir dir;
  metrics::Registry registry;
  auto store = ImpressionStore::Open({dir.path() + "/not/yet/there"}, registry);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
}

TEST(ImpressionKeyTest, AListenersKeysAreOneRangeInTimeOrder) {
  EXPECT_LT(ImpressionKey("u1", 1, "b"), ImpressionKey("u1", 2, "a"));
  EXPECT_LT(ImpressionKey("u1", 255, "z"), ImpressionKey("u1", 256, "a"));
  // Length-prefixed: "u1"'s range does not contain "u12"'s keys.
  const std::string u1 = ImpressionKey("u1", 0, ""), u12 = ImpressionKey("u12", 0, "");
  EXPECT_NE(u12.rfind(u1.substr(0, 4), 0), 0u);
}

}  // namespace
}  // namespace segue::impressions
