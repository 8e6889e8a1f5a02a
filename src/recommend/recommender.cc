#include "recommend/recommender.h"

#include <condition_variable>
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

// The model stage's outcome, handed from the pool's thread to the waiting request.
struct Recommender::PendingStage {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  Status status;
  std::shared_ptr<const CachedList> list;

  void Complete(Result<std::shared_ptr<const CachedList>> result) {
    {
      std::lock_guard lock(mu);
      done = true;
      status = result.status();
      if (result.ok()) list = std::move(*result);
    }
    cv.notify_one();
  }
  bool WaitUntil(Clock::time_point deadline) {
    std::unique_lock lock(mu);
    return cv.wait_until(lock, deadline, [&] { return done; });
  }
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

// Retriever, then ranker (its failure keeps the retriever's order), sorted best first.
Result<std::shared_ptr<const CachedList>> RunModelStage(const ModelSet& model, const RetrievalQuery& query, size_t n) {
  std::vector<Candidate> candidates;
  if (Status s = model.retriever->Retrieve(query, n, &candidates); !s.ok()) return s;
  static const PassThroughRanker kPassThrough;
  const Ranker& ranker = model.ranker ? *model.ranker : kPassThrough;
  std::vector<float> scores;
  if (ranker.Score(query, candidates, &scores).ok() && scores.size() == candidates.size()) {
    for (size_t i = 0; i < candidates.size(); ++i) candidates[i].score = scores[i];
  }
  auto list = std::make_shared<CachedList>();
  list->version = VersionOf(query.session);
  list->items = ToRanked(candidates, kReasonSessionMatch);
  SortByScore(&list->items);
  list->retriever = std::string(model.retriever->name());
  list->model_versions = model.versions;
  list->model_versions.emplace_back("ranker", std::string(ranker.name()));
  return std::shared_ptr<const CachedList>(std::move(list));
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
      served_((deps_.registry ? *deps_.registry : metrics::DefaultRegistry())
                  .AddCounterFamily("segue_recommendations_total",
                                    "Recommendations served, by path (source) and the list that served them.",
                                    {"source", "served_by"})),
      duration_((deps_.registry ? *deps_.registry : metrics::DefaultRegistry())
                    .AddHistogram("segue_recommendation_duration_seconds",
                                  "Time to compute a recommendation (pipeline only, no HTTP).",
                                  metrics::ExponentialBuckets(0.0001, 2, 16))),
      cache_(config_.cache_entries, config_.cache_bytes, deps_.registry ? *deps_.registry : metrics::DefaultRegistry()),
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
  return p.ok() ? *p : preferences::Preferences{};
}

Recommendation Recommender::Recommend(const RecommendRequest& request) {
  const Clock::time_point start = Clock::now();
  const ModelSet model = CurrentModel();
  const preferences::Preferences prefs = PreferencesOf(request.user_id);
  const RetrievalQuery query{request.user_id, request.session, request.history, request.now_ms};
  const FilterContext context{query, request.filters, prefs, model.embeddings.get(), request.k};
  std::optional<Served> served;
  std::string why = "cold_start";
  if (!IsColdStart(request)) {
    if (auto hit = cache_.Get(request.user_id, VersionOf(request.session))) {
      served = Served{Filtered(context, hit->items), "cache", hit->retriever, hit->model_versions};
      if (served->items.empty()) served.reset(), why = "empty";
    } else {
      served = FromModel(request, model, context, start + std::chrono::milliseconds(config_.deadline_ms), &why);
    }
  }
  Recommendation out;
  Finish(request, served ? std::move(*served) : FromFallbacks(why, context), start, &out);
  return out;
}

std::optional<Recommender::Served> Recommender::FromModel(const RecommendRequest& request, const ModelSet& model,
                                                          const FilterContext& context, Clock::time_point deadline,
                                                          std::string* why) {
  if (!model.retriever) return *why = "no_model", std::nullopt;
  auto pending = std::make_shared<PendingStage>();
  if (!SubmitModelStage(request, model, pending)) return *why = "overloaded", std::nullopt;
  if (!pending->WaitUntil(deadline)) return *why = "timeout", std::nullopt;
  if (!pending->status.ok()) return *why = "retriever_error", std::nullopt;
  Served s{Filtered(context, pending->list->items), "model", pending->list->retriever, pending->list->model_versions};
  if (s.items.empty()) return *why = "empty", std::nullopt;
  return s;
}

bool Recommender::SubmitModelStage(const RecommendRequest& request, const ModelSet& model,
                                   std::shared_ptr<PendingStage> pending) {
  // The task may outlive the request (that is the point of the deadline): it owns copies of its inputs.
  struct Inputs {
    std::string user_id;
    std::optional<SessionState> session;
    std::optional<ListenerHistory> history;
    int64_t now_ms;
  };
  auto in = std::make_shared<Inputs>(Inputs{request.user_id, std::nullopt, std::nullopt, request.now_ms});
  if (request.session) in->session = *request.session;
  if (request.history) in->history = *request.history;
  return pool_.TrySubmit([this, in, model, pending = std::move(pending)] {
    const RetrievalQuery query{in->user_id, in->session ? &*in->session : nullptr,
                               in->history ? &*in->history : nullptr, in->now_ms};
    Result<std::shared_ptr<const CachedList>> result = RunModelStage(model, query, config_.candidates);
    if (result.ok()) cache_.Put(in->user_id, *result);  // also when the request stopped waiting
    if (pending) pending->Complete(std::move(result));
  });
}

bool Recommender::Prefetch(const std::string& user_id, const SessionState& session, const ListenerHistory* history,
                           int64_t now_ms) {
  const ModelSet model = CurrentModel();
  if (!model.retriever) return false;
  RecommendRequest request;
  request.user_id = user_id;
  request.session = &session;
  request.history = history;
  request.now_ms = now_ms;
  return SubmitModelStage(request, model, nullptr);
}

Recommender::Served Recommender::FromFallbacks(std::string why, const FilterContext& context) {
  Served s{{}, "fallback:" + why, "none", {}};
  const std::string user_id(context.query.user_id);
  if (auto stale = cache_.GetStale(user_id)) {
    s.items = Filtered(context, stale->items);
    if (!s.items.empty()) return s.served_by = "cache", s.versions = stale->model_versions, s;
  }
  const std::pair<const Retriever*, Reason> popular[] = {{deps_.genre_popular.get(), kReasonGenrePopular},
                                                         {deps_.global_popular.get(), kReasonGlobalPopular}};
  for (const auto& [retriever, reason] : popular) {
    std::vector<Candidate> candidates;
    if (!retriever || !retriever->Retrieve(context.query, config_.candidates, &candidates).ok()) continue;
    s.items = Filtered(context, ToRanked(candidates, reason));
    if (s.items.empty()) continue;
    s.served_by = std::string(retriever->name());
    s.versions = {{"retriever", s.served_by}};
    return s;
  }
  return s;
}

std::vector<RankedTrack> Recommender::Filtered(const FilterContext& context, std::vector<RankedTrack> items) const {
  const Filter* filters[] = {&explicit_filter_, &freshness_filter_, &diversity_filter_};
  for (const Filter* f : filters) f->Apply(context, &items);
  return items;
}

void Recommender::Finish(const RecommendRequest& request, Served served, Clock::time_point start, Recommendation* out) {
  if (served.items.size() > request.k) served.items.resize(request.k);
  out->rec_id = NewRecId();
  out->items = std::move(served.items);
  for (const RankedTrack& t : out->items) {
    out->track_ids.push_back(deps_.catalog->TrackIdOf(t.track));
    if (request.explain) out->reasons.push_back(ReasonTexts(t.reasons));
  }
  out->source = std::move(served.source);
  out->served_by = std::move(served.served_by);
  out->model_versions = std::move(served.versions);
  served_.WithLabels({out->source, out->served_by}).Inc();
  if (deps_.impressions) {
    impressions::Impression m{out->rec_id, request.user_id, NowMs(), out->source, out->track_ids, {},
                              out->model_versions, request.trigger_score};
    for (const RankedTrack& t : out->items) m.scores.push_back(t.score);
    deps_.impressions->Record(std::move(m));
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  duration_.Observe(seconds);
  out->took_ms = seconds * 1000;
}

}  // namespace segue::recommend
