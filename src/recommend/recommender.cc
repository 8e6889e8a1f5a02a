#include "recommend/recommender.h"

#include <atomic>
#include <future>
#include <random>

#include "common/time_util.h"
#include "recommend/pass_through_ranker.h"

namespace segue::recommend {

using Clock = std::chrono::steady_clock;

struct Recommender::Served {
  std::vector<RankedTrack> items;
  std::string source;
  std::string served_by;
  std::vector<std::pair<std::string, std::string>> versions;
};

// One request in flight, owning copies of its inputs: the model stage and the deadline may both outlive
// the caller's frame. Exactly one of them answers (Claim).
struct Recommender::Job {
  RecommendRequest request;  // session and history point at the copies below
  std::optional<SessionState> session;
  std::optional<ListenerHistory> history;
  ModelSet model;
  preferences::Preferences prefs;
  Clock::time_point start;
  Callback done;  // null for Prefetch: nobody waits
  std::atomic<bool> answered{false};

  RetrievalQuery query() const { return {request.user_id, request.session, request.history, request.now_ms}; }
  bool Claim() { return !answered.exchange(true); }
};

namespace {

uint64_t VersionOf(const SessionState* session) { return session ? session->last_seq : 0; }

bool IsColdStart(const RecommendRequest& r) { return !r.session && (!r.history || r.history->tracks.empty()); }

std::vector<RankedTrack> ToRanked(const std::vector<Candidate>& candidates, uint32_t reason) {
  std::vector<RankedTrack> out;
  out.reserve(candidates.size());
  for (const Candidate& c : candidates) out.push_back({c.track, c.score, reason});
  return out;
}

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Retriever, then ranker (its failure keeps the retriever's order), sorted best first; each stage's time
// goes into its histogram.
Result<std::shared_ptr<const CachedList>> ComputeList(const ModelSet& model, const RetrievalQuery& query, size_t n,
                                                      metrics::Histogram& retrieval_seconds,
                                                      metrics::Histogram& ranking_seconds) {
  std::vector<Candidate> candidates;
  const Clock::time_point retrieval_start = Clock::now();
  const Status retrieved = model.retriever->Retrieve(query, n, &candidates);
  retrieval_seconds.Observe(SecondsSince(retrieval_start));
  if (!retrieved.ok()) return retrieved;
  static const PassThroughRanker kPassThrough;
  const Ranker& ranker = model.ranker ? *model.ranker : kPassThrough;
  // A failing ranker leaves the retriever's order: the recommendation is still served.
  const Clock::time_point ranking_start = Clock::now();
  (void)Rerank(ranker, query, &candidates);
  ranking_seconds.Observe(SecondsSince(ranking_start));
  auto list = std::make_shared<CachedList>();
  list->version = VersionOf(query.session);
  list->items = ToRanked(candidates, kReasonSessionMatch);
  SortByScore(&list->items);
  list->retriever = std::string(model.retriever->name());
  list->model_versions = model.versions;
  list->model_versions.emplace_back("ranker", std::string(ranker.name()));
  return std::shared_ptr<const CachedList>(std::move(list));
}

metrics::Registry& RegistryOf(const RecommenderDeps& deps) {
  return deps.registry ? *deps.registry : metrics::DefaultRegistry();
}

std::string NewRecId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (size_t i = 0; i < id.size(); i += 16) {
    uint64_t bits = rng();
    for (size_t j = 0; j < 16; ++j, bits >>= 4) id[i + j] = kHex[bits & 0xf];
  }
  return id;
}

}  // namespace

Recommender::Recommender(RecommendConfig config, RecommenderDeps deps)
    : config_(std::move(config)),
      deps_(std::move(deps)),
      explicit_filter_(*deps_.catalog),
      freshness_filter_(*deps_.catalog),
      diversity_filter_(*deps_.catalog),
      served_(RegistryOf(deps_).AddCounterFamily(
          "segue_recommendations_total", "Recommendations served, by path (source) and the list that served them.",
          {"source", "served_by"})),
      duration_(RegistryOf(deps_).AddHistogram("segue_recommendation_duration_seconds",
                                               "Time to compute a recommendation (pipeline only, no HTTP).",
                                               metrics::ExponentialBuckets(0.0001, 2, 16))),
      stage_seconds_(RegistryOf(deps_).AddHistogramFamily(
          "segue_recommendation_stage_seconds",
          "Time of one model stage of a recommendation (retrieval: the retriever's top-N; ranking: the re-ranker).",
          {"stage"}, metrics::ExponentialBuckets(0.00001, 2, 16))),
      retrieval_seconds_(stage_seconds_.WithLabels({"retrieval"})),
      ranking_seconds_(stage_seconds_.WithLabels({"ranking"})),
      cache_(config_.cache_entries, config_.cache_bytes, RegistryOf(deps_)),
      pool_(config_.model_workers, config_.model_queue) {}

void Recommender::SetModel(ModelSet model) {
  std::lock_guard lock(model_mu_);
  model_ = std::move(model);
}

ModelSet Recommender::CurrentModel() const {
  std::lock_guard lock(model_mu_);
  return model_;
}

preferences::Preferences Recommender::PreferencesOf(const std::string& user_id) const {
  if (!deps_.preferences) return {};
  Result<preferences::Preferences> p = deps_.preferences->Get(user_id);
  if (p.ok()) return *p;
  // Unreadable preferences: assume the strictest, so a listener who opted out never gets explicit tracks.
  preferences::Preferences strict;
  strict.explicit_content = false;
  return strict;
}

Recommendation Recommender::Recommend(const RecommendRequest& request) {
  std::promise<Recommendation> answer;
  std::future<Recommendation> result = answer.get_future();
  RecommendAsync(request, [&answer](Recommendation r) { answer.set_value(std::move(r)); });
  return result.get();
}

std::shared_ptr<Recommender::Job> Recommender::MakeJob(const RecommendRequest& request, Callback done) const {
  auto job = std::make_shared<Job>();
  job->request = request;
  if (request.session) job->session = *request.session;
  if (request.history) job->history = *request.history;
  job->request.session = job->session ? &*job->session : nullptr;
  job->request.history = job->history ? &*job->history : nullptr;
  job->model = CurrentModel();
  job->prefs = PreferencesOf(request.user_id);
  job->start = Clock::now();
  job->done = std::move(done);
  return job;
}

void Recommender::RecommendAsync(const RecommendRequest& request, Callback done) {
  std::shared_ptr<Job> job = MakeJob(request, std::move(done));
  if (IsColdStart(job->request)) return Answer(*job, FromFallbacks("cold_start", *job));
  if (auto hit = cache_.Get(job->request.user_id, VersionOf(job->request.session))) {
    Served s{Filtered(*job, hit->items), "cache", hit->retriever, hit->model_versions};
    return Answer(*job, s.items.empty() ? FromFallbacks("empty", *job) : std::move(s));
  }
  if (!job->model.retriever) return Answer(*job, FromFallbacks("no_model", *job));
  StartModelStage(job);
}

bool Recommender::StartModelStage(const std::shared_ptr<Job>& job) {
  if (!pool_.TrySubmit([this, job] { RunModelStage(*job); })) {
    if (job->done && job->Claim()) Answer(*job, FromFallbacks("overloaded", *job));
    return false;
  }
  if (!job->done) return true;
  // Weak: once the model stage answered and released the job, the timer has nothing to do.
  timer_.At(job->start + std::chrono::milliseconds(config_.deadline_ms), [this, weak = std::weak_ptr<Job>(job)] {
    std::shared_ptr<Job> j = weak.lock();
    if (j && j->Claim()) Answer(*j, FromFallbacks("timeout", *j));
  });
  return true;
}

void Recommender::RunModelStage(Job& job) {
  Result<std::shared_ptr<const CachedList>> result = ComputeList(job.model, job.query(), config_.candidates,
                                                                retrieval_seconds_, ranking_seconds_);
  if (result.ok()) cache_.Put(job.request.user_id, *result);  // also when the deadline already answered
  if (!job.done || !job.Claim()) return;
  if (!result.ok()) return Answer(job, FromFallbacks("retriever_error", job));
  const CachedList& list = **result;
  Served s{Filtered(job, list.items), "model", list.retriever, list.model_versions};
  Answer(job, s.items.empty() ? FromFallbacks("empty", job) : std::move(s));
}

bool Recommender::Prefetch(const std::string& user_id, const SessionState& session, const ListenerHistory* history,
                           int64_t now_ms) {
  RecommendRequest request;
  request.user_id = user_id;
  request.session = &session;
  request.history = history;
  request.now_ms = now_ms;
  std::shared_ptr<Job> job = MakeJob(request, nullptr);
  return job->model.retriever && StartModelStage(job);
}

Recommender::Served Recommender::FromFallbacks(std::string why, const Job& job) {
  Served s{{}, "fallback:" + why, "none", {}};
  if (auto stale = cache_.GetStale(job.request.user_id)) {
    s.items = Filtered(job, stale->items);
    if (!s.items.empty()) return s.served_by = "cache", s.versions = stale->model_versions, s;
  }
  // Without a session there are no genres to go by, but there is the time of day.
  const bool cold = why == "cold_start";
  const std::pair<const Retriever*, Reason> popular[] = {
      {cold ? deps_.hour_popular.get() : deps_.genre_popular.get(), cold ? kReasonHourPopular : kReasonGenrePopular},
      {deps_.global_popular.get(), kReasonGlobalPopular}};
  for (const auto& [retriever, reason] : popular) {
    std::vector<Candidate> candidates;
    if (!retriever || !retriever->Retrieve(job.query(), config_.candidates, &candidates).ok()) continue;
    s.items = Filtered(job, ToRanked(candidates, reason));
    if (s.items.empty()) continue;
    s.served_by = std::string(retriever->name());
    s.versions = {{"retriever", s.served_by}};
    return s;
  }
  return s;
}

std::vector<RankedTrack> Recommender::Filtered(const Job& job, std::vector<RankedTrack> items) const {
  const RetrievalQuery query = job.query();
  const FilterContext context{query, job.request.filters, job.prefs, job.model.embeddings.get(), job.request.k};
  const Filter* filters[] = {&explicit_filter_, &freshness_filter_, &diversity_filter_};
  for (const Filter* f : filters) f->Apply(context, &items);
  return items;
}

void Recommender::Answer(Job& job, Served served) {
  const RecommendRequest& request = job.request;
  if (served.items.size() > request.k) served.items.resize(request.k);
  Recommendation out;
  out.rec_id = NewRecId();
  out.items = std::move(served.items);
  for (const RankedTrack& t : out.items) {
    out.track_ids.push_back(deps_.catalog->TrackIdOf(t.track));
    if (request.explain) out.reasons.push_back(ReasonTexts(t.reasons));
  }
  out.source = std::move(served.source);
  out.served_by = std::move(served.served_by);
  out.model_versions = std::move(served.versions);
  served_.WithLabels({out.source, out.served_by}).Inc();
  if (deps_.impressions && request.record_impression) {
    impressions::Impression m{out.rec_id, request.user_id, NowMs(), out.source, out.track_ids, {},
                              out.model_versions, request.trigger_score};
    m.event_ts_ms = request.event_ts_ms.value_or(request.session ? request.session->last_event_ms : m.ts_ms);
    for (const RankedTrack& t : out.items) m.scores.push_back(t.score);
    deps_.impressions->Record(std::move(m));
  }
  const double seconds = SecondsSince(job.start);
  duration_.Observe(seconds);
  out.took_ms = seconds * 1000;
  job.done(std::move(out));
}

}  // namespace segue::recommend
