// The XGBoost re-ranker: its features (one function for training and serving), reordering by a tiny
// trained model, concurrent scoring, and the bundle's strict loading.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "models/bundle_files.h"
#include "models/recommendation_outcomes.h"
#include "recommend/ranked_retriever.h"
#include "recommend/ranker_bundle.h"
#include "recommend/ranker_features.h"
#include "recommend/ranker_training.h"
#include "recommend/xgboost_ranker.h"
#include "tests/recommend/test_events.h"

namespace segue::recommend {
namespace {

namespace fs = std::filesystem;
using testing::Listen;

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kNow = 1'790'000'000'000;

// NaN-aware equality of feature rows.
bool SameRow(std::span<const float> a, std::span<const float> b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) != std::isnan(b[i]) || (!std::isnan(a[i]) && a[i] != b[i])) return false;
  }
  return true;
}

class RankerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // a, b by artist "x" (pop); c by "y" (rock); d unknown to the catalog.
    for (auto [id, artist, genre, popularity] : {std::tuple{"a", "x", "pop", 80.f}, std::tuple{"b", "x", "pop", 40.f},
                                                 std::tuple{"c", "y", "rock", 10.f}}) {
      Track t;
      t.track_id = id;
      t.artist = artist;
      t.genres = {genre};
      t.popularity = popularity;
      catalog_.Upsert(t);
    }
    a_ = catalog_.FindTrack("a"), b_ = catalog_.FindTrack("b"), c_ = catalog_.FindTrack("c");
    d_ = catalog_.InternTrack("d");
  }

  // History: a played 4 times (1 skip, last 2 h ago), c once, skipped.
  RetrievalQuery Query() {
    history_.tracks = {{a_, 4, 3, 1, kNow - 2 * kHour}, {c_, 1, 0, 1, kNow - kHour}};
    session_.plays.clear();
    PlayRecord p;
    p.track = b_, p.end = PlayEnd::kCompleted;
    session_.plays.push_back(p);
    p.track = c_, p.end = PlayEnd::kSkipped;
    session_.plays.push_back(p);
    p.track = a_, p.end = PlayEnd::kOngoing;
    session_.plays.push_back(p);
    return {"u", &session_, &history_, kNow};
  }

  // A model that learned "the listener played it before" (track_plays > 0) means engaged.
  XgbBooster PlayedBeforeModel() {
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0, 1);
    std::vector<float> rows;
    std::vector<uint8_t> labels;
    for (int i = 0; i < 400; ++i) {
      for (int f = 0; f < kRankerFeatureCount; ++f) rows.push_back(u(rng));
      const bool played = i % 2 == 0;
      rows[rows.size() - kRankerFeatureCount + kRfTrackPlays] = played ? std::log1p(static_cast<float>(1 + i % 5)) : 0.f;
      labels.push_back(played ? 1 : 0);
    }
    XgbParams params;
    params.rounds = 10, params.max_depth = 2, params.balance = false;
    Result<XgbBooster> b = XgbBooster::Fit({rows.data(), labels.size(), kRankerFeatureCount}, labels, params);
    EXPECT_TRUE(b.ok()) << b.status().message();
    return std::move(*b);
  }

  Catalog catalog_;
  uint32_t a_ = 0, b_ = 0, c_ = 0, d_ = 0;
  ListenerHistory history_;
  SessionState session_;
};

TEST_F(RankerTest, FeaturesDescribeTheListenerTheSessionAndTheTrack) {
  const std::vector<Candidate> candidates = {{d_, 3.f}, {a_, 2.f}, {c_, 1.f}};
  std::vector<float> f;
  RankerFeatures(catalog_, Query(), candidates, &f);
  ASSERT_EQ(f.size(), 3u * kRankerFeatureCount);
  const float* d = f.data();
  const float* a = d + kRankerFeatureCount;
  const float* c = a + kRankerFeatureCount;
  EXPECT_FLOAT_EQ(d[kRfRetrieverScore], 1.f);
  EXPECT_FLOAT_EQ(a[kRfRetrieverScore], 0.5f);
  EXPECT_FLOAT_EQ(c[kRfRetrieverScore], 0.f);
  EXPECT_FLOAT_EQ(c[kRfRetrieverRank], std::log1p(2.f));
  // a: played 4 times, 1 skip, 3 engaged, 2 h ago; its artist x: 4 plays, 1 skip.
  EXPECT_FLOAT_EQ(a[kRfTrackPlays], std::log1p(4.f));
  EXPECT_FLOAT_EQ(a[kRfTrackSkipRate], 0.25f);
  EXPECT_FLOAT_EQ(a[kRfTrackEngagedRate], 0.75f);
  EXPECT_FLOAT_EQ(a[kRfHoursSinceLastPlay], std::log1p(2.f));
  EXPECT_FLOAT_EQ(a[kRfArtistPlays], std::log1p(4.f));
  EXPECT_FLOAT_EQ(a[kRfArtistSkipRate], 0.25f);
  // The session: b (x, pop), c (y, rock, skipped), a (x, pop, ongoing).
  EXPECT_FLOAT_EQ(a[kRfSessionTrackPlays], 1.f);
  EXPECT_FLOAT_EQ(a[kRfSameArtistAsLast], 1.f);
  EXPECT_FLOAT_EQ(c[kRfSameArtistAsLast], 0.f);
  EXPECT_FLOAT_EQ(a[kRfSessionArtistShare], 2.f / 3.f);
  EXPECT_FLOAT_EQ(a[kRfSessionGenreShare], 2.f / 3.f);
  EXPECT_FLOAT_EQ(c[kRfSessionGenreShare], 1.f / 3.f);
  EXPECT_FLOAT_EQ(a[kRfPopularity], 0.8f);
  EXPECT_FLOAT_EQ(a[kRfSessionSkipRate], 0.5f);  // 1 of the 2 ended plays
  EXPECT_FLOAT_EQ(a[kRfSessionPlays], std::log1p(3.f));
  EXPECT_FLOAT_EQ(a[kRfLastPlaySkipped], 1.f);
  // d: never played, unknown to the catalog: missing, not zero.
  EXPECT_FLOAT_EQ(d[kRfTrackPlays], 0.f);
  for (int missing : {kRfTrackSkipRate, kRfTrackEngagedRate, kRfHoursSinceLastPlay, kRfArtistSkipRate,
                      kRfSessionGenreShare, kRfPopularity}) {
    EXPECT_TRUE(std::isnan(d[missing])) << kRankerFeatureNames[missing];
  }
}

// A retriever proposing every track, a first.
class AllTracks : public Retriever {
 public:
  explicit AllTracks(std::vector<uint32_t> tracks) : tracks_(std::move(tracks)) {}
  std::string_view name() const override { return "all"; }
  Status Retrieve(const RetrievalQuery&, size_t n, std::vector<Candidate>* out) const override {
    out->clear();
    for (size_t i = 0; i < tracks_.size() && i < n; ++i) out->push_back({tracks_[i], static_cast<float>(10 - i)});
    return Status::Ok();
  }

 private:
  std::vector<uint32_t> tracks_;
};

// Six days of the same three plays by "u": a completed, b skipped at 10 s, c skipped after 40 s (engaged).
std::vector<Event> SixDaysOfThreePlays() {
  std::vector<Event> events;
  for (int d = 0; d < 6; ++d) {
    const int64_t day = kNow + d * 24 * kHour;
    Listen(&events, "u", "a", day, 3 * kMin, true);
    Listen(&events, "u", "b", day + 4 * kMin, 10'000, false);
    Listen(&events, "u", "c", day + 5 * kMin, 40'000, false);
  }
  return events;
}

// Examples from every play query after the first 30 % of the history: the played track only (no sampled
// negatives) and no held-out listeners.
RankerTrainingOptions PlaysOnlyOptions() {
  RankerTrainingOptions options;
  options.fit_fraction = 0.3;
  options.replay.train_fraction = 1.0;
  options.negatives = 0;
  options.holdout_modulus = 0;
  return options;
}

TEST_F(RankerTest, TrainingRowsAreTheServingFeaturesOfTheSameQuery) {
  const HistoryCorpus corpus(SixDaysOfThreePlays());
  const AllTracks served({a_, b_, c_});
  const RankerTrainingOptions options = PlaysOnlyOptions();
  const RankerExamples examples = BuildRankerExamples(corpus, &catalog_, served, options);
  ASSERT_GT(examples.size(), 6u);
  // Serving: the ranker's features for the same queries, the played track's row.
  std::vector<float> serving;
  std::vector<uint8_t> labels;
  ForEachPlayQuery(corpus, &catalog_, options.replay, options.fit_fraction, 1.0, [&](const PlayQuery& q) {
    std::vector<Candidate> candidates;
    ASSERT_TRUE(served.Retrieve(q.query, options.candidates, &candidates).ok());
    std::vector<float> f;
    RankerFeatures(catalog_, q.query, candidates, &f);
    const size_t i = static_cast<size_t>(
        std::find_if(candidates.begin(), candidates.end(), [&](const Candidate& c) { return c.track == q.play.track; }) -
        candidates.begin());
    serving.insert(serving.end(), f.begin() + static_cast<std::ptrdiff_t>(i * kRankerFeatureCount),
                   f.begin() + static_cast<std::ptrdiff_t>((i + 1) * kRankerFeatureCount));
    labels.push_back(q.play.track == b_ ? 0 : 1);
  });
  EXPECT_EQ(examples.labels, labels);
  EXPECT_TRUE(SameRow(examples.rows, serving));
}

feedback::Outcome OutcomeOf(const std::string& user, const std::string& track, feedback::OutcomeKind kind,
                            int64_t impression_ms, int64_t decided_ms) {
  feedback::Outcome o;
  o.rec_id = "r-" + track;
  o.user_id = user, o.track_id = track, o.kind = kind;
  o.impression_ts_ms = impression_ms, o.ts_ms = decided_ms;
  return o;
}

TEST_F(RankerTest, OutcomesCountTheirPlaysTwiceAndNothingElse) {
  using feedback::OutcomeKind;
  const HistoryCorpus corpus(SixDaysOfThreePlays());
  const AllTracks served({a_, b_, c_});
  RankerTrainingOptions options = PlaysOnlyOptions();
  const RankerExamples base = BuildRankerExamples(corpus, &catalog_, served, options);
  ASSERT_GT(base.size(), 6u);

  // Outcomes that match no example: another listener; a window that ends before the play; verdicts that
  // disagree with the play's (a skipped outcome of an engaged play, an engaged one of a skipped play).
  const int64_t day5 = kNow + 5 * 24 * kHour;
  RecommendationOutcomes outcomes;
  outcomes.Add(OutcomeOf("v", "a", OutcomeKind::kCompleted, day5 - kMin, day5 + 3 * kMin));
  outcomes.Add(OutcomeOf("u", "a", OutcomeKind::kCompleted, day5 - 2 * kMin, day5 - kMin));
  outcomes.Add(OutcomeOf("u", "c", OutcomeKind::kSkipped, day5 + 5 * kMin - 1, day5 + 6 * kMin));
  outcomes.Add(OutcomeOf("u", "b", OutcomeKind::kListened, day5 - 24 * kHour + 3 * kMin, day5 - 24 * kHour + 5 * kMin));
  options.outcomes = &outcomes;
  const RankerExamples unmatched = BuildRankerExamples(corpus, &catalog_, served, options);
  EXPECT_EQ(unmatched.labels, base.labels);
  EXPECT_TRUE(SameRow(unmatched.rows, base.rows));
  EXPECT_EQ(unmatched.outcome_positives + unmatched.outcome_negatives, 0u);

  // The last day's a (completed) and b (skipped) were recommendations the feedback confirms.
  outcomes.Add(OutcomeOf("u", "a", OutcomeKind::kCompleted, day5 - kMin, day5 + 3 * kMin));
  outcomes.Add(OutcomeOf("u", "b", OutcomeKind::kSkipped, day5 + 3 * kMin, day5 + 5 * kMin));
  const RankerExamples matched = BuildRankerExamples(corpus, &catalog_, served, options);
  const size_t n = base.size();  // the last three examples: the last day's a, b, c
  std::vector<uint8_t> labels(base.labels.begin(), base.labels.end() - 3);
  labels.insert(labels.end(), {1, 1, 0, 0, 1});
  EXPECT_EQ(matched.labels, labels);
  const auto row = [&](size_t i) { return std::span(base.rows).subspan(i * kRankerFeatureCount, kRankerFeatureCount); };
  std::vector<float> rows(base.rows.begin(), base.rows.end() - 3 * kRankerFeatureCount);
  for (size_t i : {n - 3, n - 3, n - 2, n - 2, n - 1}) rows.insert(rows.end(), row(i).begin(), row(i).end());
  EXPECT_TRUE(SameRow(matched.rows, rows));
  EXPECT_EQ(matched.outcome_positives, 1u);
  EXPECT_EQ(matched.outcome_negatives, 1u);
  Result<TrainedRanker> trained = TrainRanker(matched, options);
  ASSERT_TRUE(trained.ok()) << trained.status().message();
  EXPECT_EQ(trained->metrics["outcomes"]["play_outcomes"], 6);
  EXPECT_EQ(trained->metrics["outcomes"]["doubled_negatives"], 1);

  // Held-out examples count once, so the validation ROC-AUC counts each play once.
  options.holdout_modulus = 1;
  const RankerExamples held = BuildRankerExamples(corpus, &catalog_, served, options);
  EXPECT_EQ(held.labels, base.labels);
}

TEST_F(RankerTest, TheTrainedModelReordersTheCandidates) {
  const XgboostRanker ranker(&catalog_, PlayedBeforeModel());
  // The retriever prefers d and b, which the listener never played; a and c they did.
  std::vector<Candidate> candidates = {{d_, 4.f}, {b_, 3.f}, {a_, 2.f}, {c_, 1.f}};
  ASSERT_TRUE(Rerank(ranker, Query(), &candidates).ok());
  EXPECT_TRUE((candidates[0].track == a_ && candidates[1].track == c_) ||
              (candidates[0].track == c_ && candidates[1].track == a_));
  // RankedRetriever: the same stage as one retriever, cut to n.
  const AllTracks served({d_, b_, a_, c_});
  const RankedRetriever ranked(served, ranker, 200);
  EXPECT_EQ(ranked.name(), "all+xgboost");
  std::vector<Candidate> top;
  ASSERT_TRUE(ranked.Retrieve(Query(), 2, &top).ok());
  ASSERT_EQ(top.size(), 2u);
  EXPECT_NE(top[0].track, d_);
  EXPECT_NE(top[1].track, b_);
}

TEST_F(RankerTest, ConcurrentScoresEqualSequentialOnes) {
  const XgboostRanker ranker(&catalog_, PlayedBeforeModel());
  const RetrievalQuery query = Query();
  std::vector<Candidate> candidates;
  for (int i = 0; i < 200; ++i) candidates.push_back({i % 2 ? a_ : d_, static_cast<float>(i)});
  std::vector<float> expected;
  ASSERT_TRUE(ranker.Score(query, candidates, &expected).ok());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<float> scores;
      for (int i = 0; i < 50; ++i) {
        if (!ranker.Score(query, candidates, &scores).ok() || scores != expected) ++mismatches;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

class RankerBundleTest : public RankerTest {
 protected:
  void SetUp() override {
    RankerTest::SetUp();
    root_ = fs::path(::testing::TempDir()) / ("ranker_bundle_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    dir_ = (root_ / "v1").string();
    ASSERT_TRUE(WriteRankerBundle(dir_, PlayedBeforeModel(), 0.8, {{"examples", 400}}).ok());
  }
  void TearDown() override { fs::remove_all(root_); }

  Status Load() { return LoadRankerBundle(dir_).status(); }
  void Rewrite(const std::string& file, const std::string& bytes) {
    ASSERT_TRUE(WriteWholeFile(fs::path(dir_) / file, bytes).ok());
  }
  nlohmann::json Config() { return *ReadJsonObject(fs::path(dir_) / "config.json"); }

  fs::path root_;
  std::string dir_;
};

TEST_F(RankerBundleTest, ARoundTripScoresLikeTheTrainedModel) {
  Result<RankerModel> loaded = LoadRankerBundle(dir_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->version, "v1");
  EXPECT_DOUBLE_EQ(loaded->train_fraction, 0.8);
  const XgboostRanker fresh(&catalog_, PlayedBeforeModel()), read(&catalog_, std::move(loaded->booster));
  const std::vector<Candidate> candidates = {{d_, 4.f}, {a_, 2.f}};
  std::vector<float> x, y;
  ASSERT_TRUE(fresh.Score(Query(), candidates, &x).ok());
  ASSERT_TRUE(read.Score(Query(), candidates, &y).ok());
  EXPECT_EQ(x, y);
  EXPECT_EQ(WriteRankerBundle(dir_, PlayedBeforeModel(), 0.8, {}).code(), StatusCode::kAlreadyExists);
}

TEST_F(RankerBundleTest, ACorruptOrMismatchedBundleIsAClearError) {
  const std::string model = *ReadWholeFile(fs::path(dir_) / "model.ubj");
  std::string flipped = model;
  flipped[flipped.size() / 2] ^= 0x5a;
  Rewrite("model.ubj", flipped);
  EXPECT_EQ(Load().code(), StatusCode::kCorruption);
  EXPECT_NE(Load().message().find("model.ubj"), std::string::npos) << Load().message();
  Rewrite("model.ubj", model.substr(0, model.size() / 2));
  EXPECT_EQ(Load().code(), StatusCode::kCorruption);
  Rewrite("model.ubj", model);
  ASSERT_TRUE(Load().ok());

  const nlohmann::json good = Config();
  nlohmann::json c = good;
  c["feature_version"] = kRankerFeatureVersion + 1;
  Rewrite("config.json", c.dump());
  EXPECT_EQ(Load().code(), StatusCode::kCorruption);
  EXPECT_NE(Load().message().find("retrain"), std::string::npos) << Load().message();
  c = good;
  c["features"][0] = "something_else";
  Rewrite("config.json", c.dump());
  EXPECT_EQ(Load().code(), StatusCode::kCorruption);
  c = good;
  c["format"] = "segue-retrieval";
  Rewrite("config.json", c.dump());
  EXPECT_EQ(Load().code(), StatusCode::kCorruption);
  Rewrite("config.json", "{not json");
  EXPECT_EQ(Load().code(), StatusCode::kCorruption);
  Rewrite("config.json", good.dump());
  ASSERT_TRUE(Load().ok());

  fs::remove(fs::path(dir_) / "metrics.json");
  EXPECT_EQ(Load().code(), StatusCode::kNotFound);
  EXPECT_EQ(LoadRankerBundle((root_ / "v2").string()).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace segue::recommend
