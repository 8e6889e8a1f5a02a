#include "serving/server_config.h"

#include <chrono>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "push/http_url.h"

namespace segue::serving {
namespace {

// Reads one table's keys into fields, rejecting keys it does not know.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix) : table_(table), prefix_(std::move(prefix)) {}

  template <typename T>
  void Int(const char* key, T* out, int64_t min, int64_t max) {
    known_.insert(key);
    const toml::node* n = table_.get(key);
    if (!n || !error_.ok()) return;
    // is_integer() before value<int64_t>(): on a float node toml++ casts to int64 unchecked, undefined
    // behaviour beyond int64's range ("x = 6e21", found by fuzz/server_config).
    if (!n->is_integer()) return Error(key, "must be an integer");
    const int64_t v = *n->value<int64_t>();
    if (v < min || v > max) {
      return Error(key, "must be in " + std::to_string(min) + ".." + std::to_string(max) + ", got " + std::to_string(v));
    }
    *out = static_cast<T>(v);
  }
  void Millis(const char* key, std::chrono::milliseconds* out, int64_t min, int64_t max) {
    int64_t ms = out->count();
    Int(key, &ms, min, max);
    *out = std::chrono::milliseconds(ms);
  }
  void Float(const char* key, float* out, double min, double max) {
    known_.insert(key);
    const toml::node* n = table_.get(key);
    if (!n || !error_.ok()) return;
    if (!n->is_number()) return Error(key, "must be a number");
    const double v = *n->value<double>();
    if (!(v >= min && v <= max)) {
      return Error(key, "must be in " + std::to_string(min) + ".." + std::to_string(max) + ", got " + std::to_string(v));
    }
    *out = static_cast<float>(v);
  }
  void Bool(const char* key, bool* out) {
    known_.insert(key);
    const toml::node* n = table_.get(key);
    if (!n || !error_.ok()) return;
    if (!n->is_boolean()) return Error(key, "must be true or false");
    *out = *n->value<bool>();
  }
  void String(const char* key, std::string* out) {
    known_.insert(key);
    const toml::node* n = table_.get(key);
    if (!n || !error_.ok()) return;
    if (!n->is_string()) return Error(key, "must be a string");
    *out = *n->value<std::string>();
  }
  // An array of tables ([[key]]) read by its own readers; it only needs to be known here.
  void ArrayOfTables(const char* key) {
    known_.insert(key);
    const toml::node* n = table_.get(key);
    if (n && !n->is_array_of_tables() && error_.ok()) Error(key, "must be an array of tables ([[" + std::string(key) + "]])");
  }
  // Sub-tables are read by their own reader; they only need to be known here.
  void Table(const char* key) {
    known_.insert(key);
    const toml::node* n = table_.get(key);
    if (n && !n->is_table() && error_.ok()) Error(key, "must be a table ([" + std::string(key) + "])");
  }
  Status Finish() {
    if (!error_.ok()) return error_;
    for (const auto& [key, node] : table_) {
      if (!known_.count(std::string(key.str()))) {
        return Status::InvalidArgument(prefix_ + std::string(key.str()) + ": unknown key");
      }
    }
    return Status::Ok();
  }

 private:
  void Error(const char* key, const std::string& what) { error_ = Status::InvalidArgument(prefix_ + key + ": " + what); }

  const toml::table& table_;
  std::string prefix_;
  std::set<std::string> known_;
  Status error_;
};

const toml::table& SubTable(const toml::table& root, const char* name) {
  static const toml::table kEmpty;
  const toml::table* t = root.get_as<toml::table>(name);
  return t ? *t : kEmpty;
}

constexpr int64_t kMaxMs = 7LL * 24 * 3600 * 1000;
constexpr int64_t kBig = int64_t{1} << 50;

// [push] (push/push_options.h).
Status ReadPush(const toml::table& root, push::PushOptions* p) {
  TableReader t(SubTable(root, "push"), "push.");
  t.Int("buffer_messages", &p->hub.buffer_messages, 1, 1 << 20);
  t.Int("max_subscribers_per_listener", &p->hub.max_subscribers_per_listener, 1, 1 << 20);
  t.Int("max_subscribers", &p->hub.max_subscribers, 1, kBig);
  t.Int("disconnect_after_drops", &p->hub.disconnect_after_drops, 0, kBig);
  t.Millis("keepalive_interval_ms", &p->keepalive_interval, 100, kMaxMs);
  t.String("webhook_url", &p->webhook.url);
  t.Millis("webhook_timeout_ms", &p->webhook.timeout, 1, kMaxMs);
  t.Int("webhook_max_attempts", &p->webhook.max_attempts, 1, 100);
  t.Millis("webhook_initial_backoff_ms", &p->webhook.initial_backoff, 1, kMaxMs);
  t.Millis("webhook_max_backoff_ms", &p->webhook.max_backoff, 1, kMaxMs);
  t.Int("webhook_queue_messages", &p->webhook.queue_messages, 1, kBig);
  t.Int("webhook_workers", &p->webhook.workers, 1, 64);
  return t.Finish();
}

// [recommend]: the same names as the recommendation request's query parameters for the filter defaults.
Status ReadRecommendTable(const toml::table& table, recommend::RecommendConfig* c) {
  TableReader r(table, "recommend.");
  r.Int("candidates", &c->candidates, 1, 100'000);
  r.Int("default_k", &c->default_k, 1, 10'000);
  r.Int("max_k", &c->max_k, 1, 10'000);
  r.Int("deadline_ms", &c->deadline_ms, 1, 60'000);
  r.Int("model_workers", &c->model_workers, 1, 64);
  r.Int("model_queue", &c->model_queue, 1, 1'000'000);
  r.Int("cache_entries", &c->cache_entries, 0, kBig);
  r.Int("cache_bytes", &c->cache_bytes, 0, kBig);
  r.Int("impressions_queue", &c->impressions_queue, 1, 10'000'000);
  r.String("retriever", &c->retriever);
  r.String("retrieval_models_dir", &c->retrieval_models_dir);
  r.Int("retrieval_models_check_interval_s", &c->retrieval_models_check_interval_s, 1, 86'400);
  r.String("ranker", &c->ranker);
  r.String("ranker_dir", &c->ranker_dir);
  r.Int("history_max_listeners", &c->history.max_listeners, 1, kBig);
  r.Int("history_max_tracks", &c->history.max_tracks_per_listener, 1, 100'000);
  recommend::RetrievalBaselineOptions& b = c->baselines;
  r.Int("popularity_top_tracks", &b.popularity.top_tracks, 1, 1'000'000);
  r.Int("popularity_hour_tracks", &b.popularity.hour_tracks, 1, 1'000'000);
  r.Int("popularity_artist_tracks", &b.popularity.artist_tracks, 1, 1'000'000);
  r.Int("knn_neighbours", &b.session_knn.neighbours, 1, 100'000);
  r.Int("knn_window", &b.session_knn.window, 1, 1'000);
  r.Int("knn_context_plays", &b.session_knn.context_plays, 1, 1'000);
  r.Float("knn_decay", &b.session_knn.decay, 0, 1);
  r.Float("knn_shrink", &b.session_knn.shrink, 0, 1e6);
  r.Float("blend_session_knn", &b.blend_session_knn, 0, 1e6);
  r.Float("blend_own_history", &b.blend_own_history, 0, 1e6);
  r.Float("blend_popularity", &b.blend_popularity, 0, 1e6);
  recommend::FilterOptions& f = c->filters;
  r.Bool("explicit_filter", &f.explicit_filter);
  r.Bool("exclude_session", &f.exclude_session);
  r.Int("exclude_played_hours", &f.exclude_played_hours, 0, 8760);
  r.Bool("exclude_skipped_artist", &f.exclude_skipped_artist);
  r.Float("new_release_boost", &f.new_release_boost, 0, 1);
  r.Int("new_release_days", &f.new_release_days, 1, 3650);
  std::string diversity(recommend::DiversityModeName(f.diversity));
  r.String("diversity", &diversity);
  r.Int("max_per_artist", &f.max_per_artist, 1, 1000);
  r.Float("mmr_lambda", &f.mmr_lambda, 0, 1);
  if (Status s = r.Finish(); !s.ok()) return s;
  std::optional<recommend::DiversityMode> mode = recommend::DiversityModeFromName(diversity);
  if (!mode) return Status::InvalidArgument("recommend.diversity: must be \"none\", \"artist_cap\" or \"mmr\"");
  f.diversity = *mode;
  if (c->default_k > c->max_k) return Status::InvalidArgument("recommend.default_k: must be <= recommend.max_k");
  if (c->ranker != "auto" && c->ranker != "pass_through" && c->ranker != "xgboost") {
    return Status::InvalidArgument("recommend.ranker: must be \"auto\", \"pass_through\" or \"xgboost\", got \"" +
                                   c->ranker + "\"");
  }
  if (c->retriever != "blend" && c->retriever != "session_knn" && c->retriever != "two_tower") {
    return Status::InvalidArgument("recommend.retriever: must be \"blend\", \"session_knn\" or \"two_tower\", got \"" +
                                   c->retriever + "\"");
  }
  return Status::Ok();
}

// One [[experiments]] table and its [[experiments.arms]], validated as a PUT's body is.
Result<experiments::ExperimentSpec> ReadExperiment(const toml::table& table, const std::string& prefix) {
  TableReader t(table, prefix);
  experiments::ExperimentSpec spec;
  t.String("id", &spec.id);
  t.String("description", &spec.description);
  t.Bool("enabled", &spec.enabled);
  t.Int("horizon_ms", &spec.horizon_ms, 1000, kMaxMs);
  t.ArrayOfTables("arms");
  if (Status s = t.Finish(); !s.ok()) return s;
  const toml::array* arms = table.get_as<toml::array>("arms");
  for (size_t i = 0; arms && i < arms->size(); ++i) {
    const std::string arm_prefix = prefix + "arms[" + std::to_string(i) + "].";
    TableReader r(*arms->get(i)->as_table(), arm_prefix);
    experiments::ArmSpec arm;
    std::string kind(experiments::ArmKindName(arm.kind));
    r.String("name", &arm.name);
    r.String("kind", &kind);
    r.Int("weight", &arm.weight, 0, 1'000'000);
    r.Float("threshold", &arm.threshold, 0, 1);
    r.String("retriever", &arm.retriever);
    if (Status s = r.Finish(); !s.ok()) return s;
    std::optional<experiments::ArmKind> parsed = experiments::ParseArmKind(kind);
    if (!parsed) {
      return Status::InvalidArgument(arm_prefix + "kind: must be \"shadow\", \"treatment\", \"threshold\" or \"retriever\"");
    }
    arm.kind = *parsed;
    spec.arms.push_back(std::move(arm));
  }
  if (Status s = experiments::ValidateExperiment(spec); !s.ok()) return Status::InvalidArgument(prefix + s.message());
  return spec;
}

// [[experiments]] (experiments/experiment_store.h says how they combine with PUT ones).
Status ReadExperiments(const toml::table& root, std::vector<experiments::ExperimentSpec>* out) {
  const toml::array* list = root.get_as<toml::array>("experiments");
  for (size_t i = 0; list && i < list->size(); ++i) {
    const std::string prefix = "experiments[" + std::to_string(i) + "].";
    Result<experiments::ExperimentSpec> spec = ReadExperiment(*list->get(i)->as_table(), prefix);
    if (!spec.ok()) return spec.status();
    for (const experiments::ExperimentSpec& e : *out) {
      if (e.id == spec->id) return Status::InvalidArgument(prefix + "id: \"" + e.id + "\" is defined twice");
    }
    out->push_back(std::move(*spec));
  }
  return Status::Ok();
}

}  // namespace

Status LoadServerConfig(const std::string& path, ServerConfig* c) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    return Status::InvalidArgument(msg.str());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  auto prefixed = [&](Status s) { return s.ok() ? s : Status::InvalidArgument(path + ": " + s.message()); };

  TableReader top(root, "");
  top.String("data_dir", &c->data_dir);
  top.String("listen", &c->listen);
  top.Int("threads", &c->threads, 1, 64);
  top.String("models_dir", &c->scoring.models_dir);
  top.Int("models_check_interval_s", &c->scoring.models_check_interval_s, 1, 86'400);
  for (const char* table : {"http", "events", "log", "sessions", "pipeline", "scoring", "push", "recommend", "admin", "feedback",
                            "retrain", "bus"}) {
    top.Table(table);
  }
  top.ArrayOfTables("experiments");
  if (Status s = top.Finish(); !s.ok()) return prefixed(s);

  TableReader http(SubTable(root, "http"), "http.");
  HttpServerOptions& h = c->http;
  http.Int("body_limit_bytes", &h.body_limit, 1024, int64_t{1} << 30);
  http.Int("header_limit_bytes", &h.header_limit, 1024, 1 << 20);
  http.Int("max_buffered_body_bytes", &h.max_buffered_body_bytes, 1024, int64_t{1} << 40);
  http.Int("max_connections", &h.max_connections, 1, 1'000'000);
  http.Int("max_connections_per_client", &h.max_connections_per_client, 0, 1'000'000);
  http.Int("probe_reserve_connections", &h.probe_reserve_connections, 0, 10'000);
  http.Millis("idle_timeout_ms", &h.idle_timeout, 1, kMaxMs);
  http.Millis("body_timeout_ms", &h.body_timeout, 1, kMaxMs);
  http.Millis("write_timeout_ms", &h.write_timeout, 1, kMaxMs);
  http.Int("shutdown_grace_ms", &c->shutdown_grace_ms, 0, kMaxMs);
  if (Status s = http.Finish(); !s.ok()) return prefixed(s);

  TableReader events(SubTable(root, "events"), "events.");
  events.Int("max_events_per_batch", &c->events.max_events_per_batch, 1, 10'000'000);
  events.Int("max_future_skew_ms", &c->events.max_future_skew_ms, 0, kMaxMs);
  if (Status s = events.Finish(); !s.ok()) return prefixed(s);

  TableReader log(SubTable(root, "log"), "log.");
  EventLogOptions& l = c->log;
  log.Int("partitions", &l.partitions, 1, 4096);
  log.Bool("sync", &l.sync);
  log.Int("max_pending_events", &l.max_pending_events, 1, kBig);
  log.Int("dedup_capacity", &l.dedup_capacity, 1, kBig);
  log.Int("dedup_window_ms", &l.dedup_window_ms, 0, 365LL * 24 * 3600 * 1000);
  log.Int("retention_ms", &l.retention_ms, 0, kBig);
  log.Int("retention_bytes", &l.retention_bytes, 0, kBig);
  log.Int("retention_interval_s", &c->retention_interval_s, 1, 86'400);
  log.Int("min_free_bytes", &l.min_free_bytes, 0, kBig);
  if (Status s = log.Finish(); !s.ok()) return prefixed(s);

  TableReader pipeline(SubTable(root, "pipeline"), "pipeline.");
  pipeline.Int("workers", &c->pipeline.workers, 1, 64);
  pipeline.Int("queue_events", &c->pipeline.queue_events, 1, kBig);
  pipeline.Int("worker_nice", &c->pipeline.worker_nice, 0, 19);
  if (Status s = pipeline.Finish(); !s.ok()) return prefixed(s);

  TableReader sessions(SubTable(root, "sessions"), "sessions.");
  sessions.Int("timeout_ms", &c->sessions.session_timeout_ms, 1000, kMaxMs);
  sessions.Int("max_plays", &c->sessions.max_plays, 1, 4096);
  sessions.Int("max_sessions", &c->sessions.max_sessions, 1, kBig);
  sessions.Int("snapshot_interval_s", &c->session_maintenance.snapshot_interval_s, 1, 86'400);
  sessions.Int("snapshot_every_events", &c->session_maintenance.snapshot_every_events, 0, kBig);
  sessions.Int("evict_interval_s", &c->session_maintenance.evict_interval_s, 1, 86'400);
  if (Status s = sessions.Finish(); !s.ok()) return prefixed(s);

  TableReader scoring(SubTable(root, "scoring"), "scoring.");
  scoring.Int("max_listeners", &c->scoring.scorer.max_listeners, 1, kBig);
  scoring.Float("hysteresis", &c->scoring.scorer.hysteresis, 0, 1);
  scoring.Int("cooldown_ms", &c->scoring.scorer.cooldown_ms, 0, kMaxMs);
  if (Status s = scoring.Finish(); !s.ok()) return prefixed(s);

  TableReader admin(SubTable(root, "admin"), "admin.");
  admin.String("token_file", &c->admin_token_file);
  if (Status s = admin.Finish(); !s.ok()) return prefixed(s);

  TableReader fb(SubTable(root, "feedback"), "feedback.");
  fb.Int("window_ms", &c->feedback.attribution.window_ms, 1000, kMaxMs);
  fb.Int("max_pending_per_listener", &c->feedback.attribution.max_pending_per_listener, 1, 10'000);
  fb.Int("max_pending", &c->feedback.max_pending, 1, kBig);
  fb.Int("sweep_interval_ms", &c->feedback.sweep_interval_ms, 10, kMaxMs);
  if (Status s = fb.Finish(); !s.ok()) return prefixed(s);

  TableReader retrain(SubTable(root, "retrain"), "retrain.");
  std::string interval, args;
  retrain.String("interval", &interval);
  retrain.String("args", &args);
  if (Status s = retrain.Finish(); !s.ok()) return prefixed(s);
  if (Status s = ParseRetrainOptions("retrain.interval", interval, args, &c->retrain); !s.ok()) return prefixed(s);

  TableReader bus(SubTable(root, "bus"), "bus.");
  bus.String("url", &c->bus.redis.url);
  bus.String("node_id", &c->bus.node_id);
  bus.Int("lease_ms", &c->bus.lease_ms, 100, kMaxMs);
  bus.Int("retain_events", &c->bus.retain_events, 0, kBig);
  bus.Int("wait_replicas", &c->bus.redis.wait_replicas, 0, 16);
  bus.Int("dedup_window_ms", &c->bus.redis.dedup_window_ms, 1000, 365LL * 24 * 3600 * 1000);
  bus.Bool("accept_weak_durability", &c->bus.redis.accept_weak_durability);
  if (Status s = bus.Finish(); !s.ok()) return prefixed(s);

  if (Status s = ReadPush(root, &c->push); !s.ok()) return prefixed(s);
  if (Status s = ReadExperiments(root, &c->experiments); !s.ok()) return prefixed(s);
  return prefixed(ReadRecommendTable(SubTable(root, "recommend"), &c->recommend));
}

Status ValidateServerConfig(const ServerConfig& c) {
  if (c.data_dir.empty()) return Status::InvalidArgument("data_dir: required (--data-dir or data_dir in the config file)");
  if (c.threads < 1 || c.threads > 64) return Status::InvalidArgument("threads: must be in 1..64");
  if (c.listen.empty()) return Status::InvalidArgument("listen: required");
  if (c.http.max_buffered_body_bytes < c.http.body_limit) {
    return Status::InvalidArgument("http.max_buffered_body_bytes (" + std::to_string(c.http.max_buffered_body_bytes) +
                                   ") must be at least http.body_limit_bytes (" + std::to_string(c.http.body_limit) +
                                   "), or no body of the largest allowed size could ever be read");
  }
  if (!c.bus.redis.url.empty()) {
    if (Result<std::vector<bus::RedisEndpoint>> url = bus::ParseRedisUrl(c.bus.redis.url); !url.ok()) {
      return Status::InvalidArgument("bus.url: " + url.status().message());
    }
  }
  const push::WebhookOptions& webhook = c.push.webhook;
  if (!webhook.url.empty()) {
    if (Result<push::HttpUrl> url = push::ParseHttpUrl(webhook.url); !url.ok()) {
      return Status::InvalidArgument("push.webhook_url: " + url.status().message());
    }
  }
  if (webhook.max_backoff < webhook.initial_backoff) {
    return Status::InvalidArgument("push.webhook_max_backoff_ms must be at least push.webhook_initial_backoff_ms");
  }
  if (c.recommend.ranker == "xgboost" && c.recommend.ranker_dir.empty()) {
    return Status::InvalidArgument("recommend.ranker = \"xgboost\" needs recommend.ranker_dir (a segue train ranker bundle)");
  }
  if (c.recommend.retriever == "two_tower" && c.recommend.retrieval_models_dir.empty()) {
    return Status::InvalidArgument(
        "recommend.retriever = \"two_tower\" needs recommend.retrieval_models_dir (or --retrieval-models)");
  }
  if (c.retrain.interval_ms > 0 && c.scoring.models_dir.empty() && c.recommend.retrieval_models_dir.empty()) {
    return Status::InvalidArgument("--retrain-interval needs models to retrain: --models and/or --retrieval-models");
  }
  return Status::Ok();
}

}  // namespace segue::serving
