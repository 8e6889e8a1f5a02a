#include "recommend/recommender.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>

#include "tests/recommend/recommend_fakes.h"

namespace segue::recommend {
namespace {

using namespace std::chrono_literals;
using testing::AddTracks;
using testing::Descending;
using testing::FakeRetriever;

constexpr int64_t kNow = 1'790'000'000'000;

class ReversingRanker : public Ranker {
 public:
  std::string_view name() const override { return "reversing"; }
  Status Score(const RetrievalQuery&, std::span<const Candidate> c, std::vector<float>* scores) const override {
    scores->resize(c.size());
    for (size_t i = 0; i < c.size(); ++i) (*scores)[i] = -c[i].score;
    return Status::Ok();
  }
};

// Fails, or (short) answers too few scores: either way the recommender must keep the retriever's order.
class BrokenRanker : public Ranker {
 public:
  explicit BrokenRanker(bool short_answer) : short_(short_answer) {}
  std::string_view name() const override { return "broken"; }
  Status Score(const RetrievalQuery&, std::span<const Candidate> c, std::vector<float>* scores) const override {
    scores->assign(short_ ? c.size() - 1 : c.size(), 0.f);
    for (size_t i = 0; i < scores->size(); ++i) (*scores)[i] = static_cast<float>(i);  // would reverse
    return short_ ? Status::Ok() : Status::Internal("model missing");
  }

 private:
  bool short_;
};

// Blocks every Retrieve until Release(): the model stage is provably still running.
class GatedRetriever : public Retriever {
 public:
  explicit GatedRetriever(std::vector<Candidate> answer) : answer_(std::move(answer)) {}
  std::string_view name() const override { return "gated"; }
  Status Retrieve(const RetrievalQuery&, size_t, std::vector<Candidate>* out) const override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_; });
    *out = answer_;
    return Status::Ok();
  }
  void Release() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::vector<Candidate> answer_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool open_ = false;
};

class RecommenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 10; ++i) {
      std::string id = "t", artist = "artist";
      id += std::to_string(i);
      artist += std::to_string(i);
      specs_.push_back({id, artist, i == 2});
    }
    ids_ = AddTracks(catalog_, specs_);
    model_ = std::make_shared<FakeRetriever>("two_tower", Descending({ids_[0], ids_[1], ids_[2], ids_[3], ids_[4]}));
    genre_ = std::make_shared<FakeRetriever>("genre_popular", Descending({ids_[6], ids_[7]}));
    global_ = std::make_shared<FakeRetriever>("global_popular", Descending({ids_[8], ids_[9]}));
    hour_ = std::make_shared<FakeRetriever>("hour_popular", Descending({ids_[5]}));
    session_.user_id = "u1";
    session_.start_ms = kNow - 60'000;
    session_.last_seq = 10;
    PlayRecord p;
    p.track = ids_[0];
    p.end = PlayEnd::kCompleted;
    session_.plays = {p};
  }

  Recommender& Make(bool with_model = true) {
    RecommenderDeps deps{&catalog_, genre_, global_, hour_, &prefs_, &impressions_, &registry_};
    recommender_ = std::make_unique<Recommender>(config_, deps);
    if (with_model) recommender_->SetModel({model_, nullptr, nullptr, {{"retriever", "two_tower:v1"}}});
    return *recommender_;
  }

  RecommendRequest Request(size_t k = 3, bool with_session = true) {
    RecommendRequest r;
    r.user_id = "u1";
    r.session = with_session ? &session_ : nullptr;
    r.now_ms = kNow;
    r.k = k;
    return r;
  }

  std::vector<std::string> Ids(const Recommendation& r) { return r.track_ids; }
  std::string Counted(const std::string& source, const std::string& served_by) {
    return "segue_recommendations_total{source=\"" + source + "\",served_by=\"" + served_by + "\"}";
  }

  RecommendConfig config_;
  Catalog catalog_;
  std::vector<testing::TrackSpec> specs_;
  std::vector<uint32_t> ids_;
  std::shared_ptr<FakeRetriever> model_, genre_, global_, hour_;
  SessionState session_;
  testing::MemoryPreferences prefs_;
  testing::MemoryImpressions impressions_;
  metrics::Registry registry_;
  std::unique_ptr<Recommender> recommender_;
};

TEST_F(RecommenderTest, ModelPathRanksFiltersCutsToKAndRecordsAnImpression) {
  Recommendation r = Make().Recommend(Request(3));
  EXPECT_EQ(r.source, "model");
  EXPECT_EQ(r.served_by, "two_tower");
  // t0 was played in this session.
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"t1", "t2", "t3"}));
  EXPECT_EQ(r.rec_id.size(), 32u);
  EXPECT_EQ(r.model_versions,
            (std::vector<std::pair<std::string, std::string>>{{"retriever", "two_tower:v1"}, {"ranker", "pass_through"}}));
  EXPECT_TRUE(r.reasons.empty());  // explain=false

  std::vector<impressions::Impression> shown = impressions_.recorded();
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].rec_id, r.rec_id);
  EXPECT_EQ(shown[0].user_id, "u1");
  EXPECT_EQ(shown[0].source, "model");
  EXPECT_EQ(shown[0].track_ids, Ids(r));
  EXPECT_EQ(shown[0].scores.size(), 3u);
  EXPECT_FALSE(shown[0].trigger_score.has_value());
  EXPECT_NE(registry_.RenderText().find(Counted("model", "two_tower") + " 1"), std::string::npos);
}

TEST_F(RecommenderTest, AnImpressionIsStampedWithTheListenersEventTime) {
  session_.last_event_ms = kNow - 777;
  Recommender& rec = Make();
  rec.Recommend(Request(3));                              // a pull: the session's latest event
  rec.Recommend(Request(3, /*with_session=*/false));      // no session: the wall clock
  RecommendRequest push = Request(3);
  push.event_ts_ms = kNow - 5;                             // a push: the trigger's event time
  push.trigger_score = 0.8f;
  rec.Recommend(push);
  std::vector<impressions::Impression> shown = impressions_.recorded();
  ASSERT_EQ(shown.size(), 3u);
  EXPECT_EQ(shown[0].event_ts_ms, kNow - 777);
  EXPECT_EQ(shown[1].event_ts_ms, shown[1].ts_ms);
  EXPECT_EQ(shown[2].event_ts_ms, kNow - 5);
}

TEST_F(RecommenderTest, ExplainGivesEachItemItsReasons) {
  RecommendRequest req = Request(2);
  req.explain = true;
  Recommendation r = Make().Recommend(req);
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[0], (std::vector<std::string_view>{"matches what you are listening to"}));
}

TEST_F(RecommenderTest, TheSameSessionVersionIsServedFromTheCacheAndANewEventMisses) {
  Recommender& rec = Make();
  EXPECT_EQ(rec.Recommend(Request()).source, "model");
  Recommendation again = rec.Recommend(Request());
  EXPECT_EQ(again.source, "cache");
  EXPECT_EQ(Ids(again), (std::vector<std::string>{"t1", "t2", "t3"}));
  EXPECT_EQ(model_->calls(), 1);
  session_.last_seq = 11;
  EXPECT_EQ(rec.Recommend(Request()).source, "model");
  EXPECT_EQ(model_->calls(), 2);
}

TEST_F(RecommenderTest, EachModelStageIsTimedAndTheCacheSkipsThem) {
  Recommender& rec = Make();
  rec.Recommend(Request());
  rec.Recommend(Request());  // cache: no model stage
  const std::string text = registry_.RenderText();
  EXPECT_NE(text.find("segue_recommendation_stage_seconds_count{stage=\"retrieval\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("segue_recommendation_stage_seconds_count{stage=\"ranking\"} 1\n"), std::string::npos) << text;
}

TEST_F(RecommenderTest, TheRankerReordersAndItsFailureKeepsTheRetrieversOrder) {
  Recommender& rec = Make();
  rec.SetModel({model_, std::make_shared<ReversingRanker>(), nullptr, {}});
  Recommendation r = rec.Recommend(Request(3));
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"t4", "t3", "t2"}));
  EXPECT_EQ(r.model_versions.back(), (std::pair<std::string, std::string>{"ranker", "reversing"}));
}

TEST_F(RecommenderTest, AFailingRankerKeepsTheRetrieversOrder) {
  for (bool short_answer : {false, true}) {
    Recommender& rec = Make();
    rec.SetModel({model_, std::make_shared<BrokenRanker>(short_answer), nullptr, {}});
    Recommendation r = rec.Recommend(Request(3));
    EXPECT_EQ(r.source, "model");
    EXPECT_EQ(Ids(r), (std::vector<std::string>{"t1", "t2", "t3"})) << "short answer: " << short_answer;
  }
}

TEST_F(RecommenderTest, NoModelFallsBackToGenrePopularThenGlobal) {
  Recommender& rec = Make(/*with_model=*/false);
  Recommendation r = rec.Recommend(Request());
  EXPECT_EQ(r.source, "fallback:no_model");
  EXPECT_EQ(r.served_by, "genre_popular");
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"t6", "t7"}));
  genre_->set_error(Status::Unavailable("no genre statistics"));
  r = rec.Recommend(Request());
  EXPECT_EQ(r.source, "fallback:no_model");
  EXPECT_EQ(r.served_by, "global_popular");
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"t8", "t9"}));
  EXPECT_NE(registry_.RenderText().find(Counted("fallback:no_model", "global_popular") + " 1"), std::string::npos);
}

TEST_F(RecommenderTest, RetrieverFailureFallsBack) {
  model_->set_error(Status::Internal("index not loaded"));
  Recommendation r = Make().Recommend(Request());
  EXPECT_EQ(r.source, "fallback:retriever_error");
  EXPECT_EQ(r.served_by, "genre_popular");
}

TEST_F(RecommenderTest, ASlowRetrieverMissesTheDeadlineAndItsLateResultFillsTheCache) {
  config_.deadline_ms = 20;
  model_->set_delay(400ms);
  Recommender& rec = Make();
  Recommendation r = rec.Recommend(Request());
  EXPECT_EQ(r.source, "fallback:timeout");
  EXPECT_EQ(r.served_by, "genre_popular");
  EXPECT_LT(r.took_ms, 400);
  // The model stage finishes in the background and caches its list for this session version.
  for (int i = 0; i < 500 && !rec.cache().GetStale("u1"); ++i) std::this_thread::sleep_for(10ms);
  Recommendation later = rec.Recommend(Request());
  EXPECT_EQ(later.source, "cache");
  EXPECT_EQ(Ids(later), (std::vector<std::string>{"t1", "t2", "t3"}));
}

TEST_F(RecommenderTest, RecommendAsyncReturnsWithoutWaitingForTheModelStage) {
  config_.deadline_ms = 60'000;
  auto gated = std::make_shared<GatedRetriever>(Descending({ids_[3], ids_[4]}));
  Recommender& rec = Make();
  rec.SetModel({gated, nullptr, nullptr, {}});
  std::promise<Recommendation> answer;
  rec.RecommendAsync(Request(), [&](Recommendation r) { answer.set_value(std::move(r)); });
  std::future<Recommendation> result = answer.get_future();
  // Returned while the retriever is still blocked: nobody has answered yet.
  EXPECT_EQ(result.wait_for(0s), std::future_status::timeout);
  gated->Release();
  Recommendation r = result.get();
  EXPECT_EQ(r.source, "model");
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"t3", "t4"}));
}

TEST_F(RecommenderTest, ARequestIsAnsweredOnceEvenWhenTheModelFinishesAfterTheDeadline) {
  config_.deadline_ms = 10;
  config_.model_workers = 1;
  auto gated = std::make_shared<GatedRetriever>(Descending({ids_[3], ids_[4]}));
  Recommender& rec = Make();
  rec.SetModel({gated, nullptr, nullptr, {}});
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto first = std::make_shared<std::promise<std::string>>();
  rec.RecommendAsync(Request(), [calls, first](Recommendation r) {
    if (calls->fetch_add(1) == 0) first->set_value(r.source);
  });
  EXPECT_EQ(first->get_future().get(), "fallback:timeout");
  gated->Release();
  // One worker, FIFO: once a later request's model stage has answered, the first one has finished too.
  session_.last_seq = 11;
  EXPECT_EQ(rec.Recommend(Request()).source, "model");
  EXPECT_EQ(calls->load(), 1);
}

TEST_F(RecommenderTest, AfterATimeoutTheStaleCachedListServesFilteredByTheNewSession) {
  Recommender& rec = Make();
  ASSERT_EQ(rec.Recommend(Request()).source, "model");
  config_.deadline_ms = 20;
  model_->set_delay(300ms);
  session_.last_seq = 11;
  PlayRecord p;
  p.track = ids_[1];
  session_.plays.push_back(p);  // t1 is playing now
  Recommendation r = rec.Recommend(Request());
  EXPECT_EQ(r.source, "fallback:timeout");
  EXPECT_EQ(r.served_by, "cache");
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"t2", "t3", "t4"}));
}

TEST_F(RecommenderTest, AFullModelPoolFallsBackAtOnce) {
  config_.deadline_ms = 5;
  config_.model_workers = 1;
  config_.model_queue = 1;
  model_->set_delay(300ms);
  Recommender& rec = Make();
  std::vector<std::string> sources;
  for (int i = 0; i < 3; ++i) {
    session_.last_seq = 100 + static_cast<uint64_t>(i);
    sources.push_back(rec.Recommend(Request()).source);
  }
  // One task runs, one waits; the third finds the queue full.
  EXPECT_EQ(sources.back(), "fallback:overloaded");
}

TEST_F(RecommenderTest, AListenerWithNoHistoryGetsTheColdStartPathNeverAnError) {
  Recommender& rec = Make();
  RecommendRequest cold = Request(10, /*with_session=*/false);
  cold.explain = true;
  Recommendation r = rec.Recommend(cold);
  EXPECT_EQ(r.source, "fallback:cold_start");
  EXPECT_EQ(r.served_by, "hour_popular");  // not the session's genres: there is no session
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"t5"}));
  EXPECT_EQ(r.reasons[0], (std::vector<std::string_view>{"popular at this time of day"}));
  hour_->set_error(Status::NotFound("no plays at this hour yet"));
  r = rec.Recommend(Request(10, false));
  EXPECT_EQ(r.served_by, "global_popular");
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"t8", "t9"}));
  EXPECT_EQ(model_->calls(), 0);
  global_->set_error(Status::Unavailable("nothing"));
  r = rec.Recommend(Request(10, false));
  EXPECT_EQ(r.source, "fallback:cold_start");
  EXPECT_EQ(r.served_by, "none");
  EXPECT_TRUE(r.items.empty());
}

TEST_F(RecommenderTest, TheListenersExplicitPreferenceIsHonoured) {
  ASSERT_TRUE(prefs_.Put("u1", preferences::Preferences{false}).ok());
  Recommendation r = Make().Recommend(Request(3));
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"t1", "t3", "t4"}));  // t2 is explicit
}

class UnreadablePreferences : public preferences::PreferenceStore {
 public:
  Result<preferences::Preferences> Get(std::string_view) const override { return Status::IoError("disk gone"); }
  Status Put(std::string_view, const preferences::Preferences&) override { return Status::IoError("disk gone"); }
};

TEST_F(RecommenderTest, UnreadablePreferencesKeepExplicitTracksOut) {
  UnreadablePreferences store;
  Recommender rec(config_, RecommenderDeps{&catalog_, genre_, global_, hour_, &store, nullptr, &registry_});
  rec.SetModel({model_, nullptr, nullptr, {}});
  EXPECT_EQ(Ids(rec.Recommend(Request(3))), (std::vector<std::string>{"t1", "t3", "t4"}));  // t2 is explicit
}

TEST_F(RecommenderTest, PrefetchFillsTheCacheAheadOfTheRequest) {
  Recommender& rec = Make();
  ASSERT_TRUE(rec.Prefetch("u1", session_, nullptr, kNow));
  for (int i = 0; i < 500 && !rec.cache().GetStale("u1"); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(rec.Recommend(Request()).source, "cache");
  EXPECT_EQ(model_->calls(), 1);
}

}  // namespace
}  // namespace segue::recommend
