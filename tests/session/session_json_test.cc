#include "session/session_json.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "session/session_test_util.h"
#include "session/session_tracker.h"

namespace segue {
namespace {

using testing::Ev;
using testing::kSec;

TEST(SessionJson, RendersCurrentTrackPlaysAndCounters) {
  Catalog catalog;
  Track t;
  t.track_id = "spotify:track:1";
  t.duration_ms = 200'000;
  catalog.Upsert(t);
  SessionTracker tracker(&catalog);
  tracker.Apply(Ev(EventType::kPlay, 0, "spotify:track:1", 0));
  tracker.Apply(Ev(EventType::kSkip, 7 * kSec, "spotify:track:1", 7000));
  tracker.Apply(Ev(EventType::kSearch, 8 * kSec));
  tracker.Apply(Ev(EventType::kPlay, 9 * kSec, "other", 0));
  tracker.Apply(Ev(EventType::kPause, 10 * kSec, "", 1000));

  nlohmann::json j;
  ASSERT_TRUE(tracker.Visit("u1", [&](const SessionState& s) { j = SessionJson(s, catalog); }));
  EXPECT_EQ(j["user_id"], "u1");
  EXPECT_EQ(j["session_number"], 1);
  EXPECT_EQ(j["session_start"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(j["last_event"], "2023-11-14T22:13:30.000Z");
  EXPECT_EQ(j["play_state"], "paused");
  EXPECT_EQ(j["current_track"], "other");
  EXPECT_EQ(j["position_ms"], 1000);
  EXPECT_EQ(j["ended"], false);
  EXPECT_EQ(j["counters"]["skips"], 1);
  EXPECT_EQ(j["counters"]["consecutive_skips"], 1);
  EXPECT_EQ(j["counters"]["pauses"], 1);
  EXPECT_EQ(j["counters"]["searches"], 1);
  EXPECT_EQ(j["counters"]["plays"], 2);
  ASSERT_EQ(j["recent_plays"].size(), 2u);
  const auto& first = j["recent_plays"][0];
  EXPECT_EQ(first["track_id"], "spotify:track:1");
  EXPECT_EQ(first["dwell_ms"], 7000);
  EXPECT_EQ(first["duration_ms"], 200000);
  EXPECT_EQ(first["end"], "skipped");
  EXPECT_EQ(first["skipped"], true);
  EXPECT_EQ(first["gap_ms"], 0);
  const auto& second = j["recent_plays"][1];
  EXPECT_EQ(second["end"], "ongoing");
  EXPECT_EQ(second["gap_ms"], 2000);
  EXPECT_EQ(second["after_search"], true);
  EXPECT_TRUE(second["duration_ms"].is_null());
  EXPECT_EQ(second["started_at"], "2023-11-14T22:13:29.000Z");

  // The server adds issue #3 fields to the same object.
  j["disengagement_score"] = 0.25;
  EXPECT_NE(j.dump().find("\"disengagement_score\":0.25"), std::string::npos);
  auto state = tracker.Get("u1");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(nlohmann::json::parse(SessionToJson(*state, catalog)), SessionJson(*state, catalog));
}

TEST(SessionJson, EndNamesAreStable) {
  EXPECT_EQ(PlayEndName(PlayEnd::kTimedOut), "timed_out");
  EXPECT_EQ(PlayEndName(PlayEnd::kReplaced), "replaced");
  EXPECT_EQ(PlayStateName(PlayState::kIdle), "idle");
}

}  // namespace
}  // namespace segue
