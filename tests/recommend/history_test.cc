#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "recommend/history_builder.h"
#include "recommend/history_store.h"
#include "tests/recommend/test_events.h"

namespace segue::recommend {
namespace {

using testing::Ev;
using testing::Listen;

const HistoryEntry* Find(const ListenerHistory& h, uint32_t track) {
  auto it = std::find_if(h.tracks.begin(), h.tracks.end(), [&](const HistoryEntry& e) { return e.track == track; });
  return it == h.tracks.end() ? nullptr : &*it;
}

PlayRecord Played(uint32_t track, PlayEnd end, uint32_t dwell_ms) {
  PlayRecord p;
  p.track = track;
  p.end = end;
  p.dwell_ms = dwell_ms;
  return p;
}

TEST(HistoryBuilderTest, CountsPlaysEngagementSkipsAndLastPlay) {
  ListenerHistory h;
  AddPlayToHistory(Played(7, PlayEnd::kCompleted, 200'000), 1'000, 10, &h);
  AddPlayToHistory(Played(7, PlayEnd::kSkipped, 5'000), 5'000, 10, &h);
  AddPlayToHistory(Played(8, PlayEnd::kReplaced, 45'000), 3'000, 10, &h);
  ASSERT_EQ(h.tracks.size(), 2u);
  EXPECT_EQ(*Find(h, 7), (HistoryEntry{7, 2, 1, 1, 5'000}));
  EXPECT_EQ(*Find(h, 8), (HistoryEntry{8, 1, 1, 0, 3'000}));
}

TEST(HistoryBuilderTest, FullHistoryDropsTheLeastValuableNotTheOftenPlayed) {
  ListenerHistory h;
  const int64_t day = 24LL * 3600 * 1000;
  // Track 1: engaged 5 times long ago; tracks 2..8 once each, more recently.
  for (int i = 0; i < 5; ++i) AddPlayToHistory(Played(1, PlayEnd::kCompleted, 200'000), i, 8, &h);
  for (uint32_t t = 2; t <= 8; ++t) AddPlayToHistory(Played(t, PlayEnd::kCompleted, 200'000), t * day, 8, &h);
  AddPlayToHistory(Played(9, PlayEnd::kCompleted, 200'000), 10 * day, 8, &h);  // full: one eighth (1) goes
  EXPECT_EQ(h.tracks.size(), 8u);
  EXPECT_NE(Find(h, 1), nullptr);   // 5 engaged plays are worth 5 weeks
  EXPECT_EQ(Find(h, 2), nullptr);   // the oldest single play
  EXPECT_NE(Find(h, 9), nullptr);
}

TEST(HistoryBuilderTest, BuildsFromEventsThroughTheSessionTracker) {
  Catalog catalog;
  std::vector<Event> ev;
  Listen(&ev, "u", "a", 0, 200'000, true);          // completed
  Listen(&ev, "u", "b", 300'000, 10'000, false);    // skipped at 10 s
  ev.push_back(Ev("u", EventType::kPlay, 400'000, "c", 0));
  ev.push_back(Ev("u", EventType::kPlay, 440'000, "d", 0));  // c replaced after 40 s: engaged
  Listen(&ev, "u", "a", 500'000, 200'000, true);
  const ListenerHistory h = BuildListenerHistory(ev, &catalog, 100);
  const uint32_t a = catalog.FindTrack("a"), b = catalog.FindTrack("b"), c = catalog.FindTrack("c");
  EXPECT_EQ(*Find(h, a), (HistoryEntry{a, 2, 2, 0, 500'000}));
  EXPECT_EQ(*Find(h, b), (HistoryEntry{b, 1, 0, 1, 300'000}));
  EXPECT_EQ(*Find(h, c), (HistoryEntry{c, 1, 1, 0, 400'000}));
  // d was replaced by the replayed "a" after 60 s: engaged too.
  EXPECT_EQ(Find(h, catalog.FindTrack("d"))->engaged, 1u);
}

TEST(HistoryStoreTest, KeepsBoundedHistoriesPerListenerWithLru) {
  HistoryStoreOptions options;
  options.shards = 1;
  options.max_listeners = 2;
  options.max_tracks_per_listener = 4;
  HistoryStore store(options);
  store.Observe("a", Played(1, PlayEnd::kCompleted, 1), 10);
  store.Observe("b", Played(2, PlayEnd::kCompleted, 1), 20);
  store.Observe("a", Played(3, PlayEnd::kSkipped, 1), 30);  // a is now the most recent
  store.Observe("c", Played(4, PlayEnd::kCompleted, 1), 40);  // evicts b
  EXPECT_EQ(store.listeners(), 2u);
  EXPECT_FALSE(store.Get("b").has_value());
  ASSERT_TRUE(store.Get("a").has_value());
  EXPECT_EQ(store.Get("a")->tracks.size(), 2u);
  for (uint32_t t = 10; t < 20; ++t) store.Observe("c", Played(t, PlayEnd::kCompleted, 1), t);
  EXPECT_LE(store.Get("c")->tracks.size(), 4u);
}

TEST(HistoryStoreTest, ObserveOutcomeFoldsThePlayTheTrackerEnded) {
  Catalog catalog;
  SessionTracker tracker(&catalog);
  HistoryStore store;
  std::vector<Event> ev;
  Listen(&ev, "u", "x", 1'000, 200'000, true);
  for (const Event& e : ev) {
    const ApplyOutcome outcome = tracker.Apply(e);
    tracker.Visit("u", [&](const SessionState& s) { store.ObserveOutcome("u", s, outcome); });
  }
  const std::optional<ListenerHistory> h = store.Get("u");
  ASSERT_TRUE(h.has_value());
  ASSERT_EQ(h->tracks.size(), 1u);
  EXPECT_EQ(h->tracks[0], (HistoryEntry{catalog.FindTrack("x"), 1, 1, 0, 1'000}));
}

TEST(HistoryStoreTest, ConcurrentPartitionsDoNotLoseUpdates) {
  HistoryStore store;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&store, w] {
      for (int i = 0; i < 2000; ++i) {
        const std::string user = "user" + std::to_string(w * 10 + i % 10);
        store.Observe(user, Played(1 + static_cast<uint32_t>(i % 7), PlayEnd::kCompleted, 1), i);
      }
    });
  }
  for (std::thread& t : workers) t.join();
  EXPECT_EQ(store.listeners(), 40u);
  uint32_t plays = 0;
  for (int u = 0; u < 40; ++u) {
    const std::string user = "user" + std::to_string(u);
    const std::optional<ListenerHistory> h = store.Get(user);
    ASSERT_TRUE(h.has_value()) << user;
    for (const HistoryEntry& e : h->tracks) plays += e.plays;
  }
  EXPECT_EQ(plays, 8000u);
}

}  // namespace
}  // namespace segue::recommend
