#include "experiments/experiment_set.h"

#include <algorithm>
#include <filesystem>

#include "experiments/assignment.h"
#include "common/durable_file.h"
#include "experiments/experiment_json.h"
#include "experiments/listener_stats_codec.h"
#include "models/bundle_files.h"

namespace segue::experiments {

struct ExperimentSet::Running {
  explicit Running(ExperimentSpec s) : spec(std::move(s)) {}
  const ExperimentSpec spec;
  mutable std::mutex mu;
  ListenerStatsMap listeners;
  // Replaced by SetExperiments: a caller still holding the old set counts nothing more into it.
  bool retired = false;
};

ExperimentSet::ExperimentSet(size_t max_listeners, metrics::Registry& registry)
    : max_listeners_(max_listeners),
      triggers_(registry.AddCounterFamily("segue_experiment_triggers_total",
                                          "Disengagement triggers by experiment, arm and what was done "
                                          "(pushed, shadow, below_threshold, withheld).",
                                          {"experiment", "arm", "action"})),
      untracked_(registry.AddCounter("segue_experiment_untracked_total",
                                     "Events, triggers and outcomes not counted in experiment statistics: "
                                     "the listener cap was reached.")) {
  registry.AddCallbackGauge("segue_experiment_listeners", "Listener entries held by experiment statistics.",
                            [this] { return static_cast<double>(listeners_.load(std::memory_order_relaxed)); });
}

ExperimentSet::~ExperimentSet() = default;

void ExperimentSet::SetExperiments(const std::vector<ExperimentSpec>& specs) {
  std::vector<std::shared_ptr<Running>> next;
  std::unique_lock lock(mu_);
  for (const auto& old : running_) {
    std::lock_guard old_lock(old->mu);
    old->retired = true;
    auto kept = std::find_if(specs.begin(), specs.end(), [&](const auto& s) { return s.id == old->spec.id; });
    if (kept != specs.end() && kept->arms == old->spec.arms) {
      next.push_back(std::make_shared<Running>(*kept));
      next.back()->listeners = std::move(old->listeners);
    } else {
      listeners_.fetch_sub(old->listeners.size(), std::memory_order_relaxed);
    }
    old->listeners.clear();
  }
  // In the order given; an experiment that kept its statistics is already in `next`.
  std::vector<std::shared_ptr<Running>> ordered;
  for (const ExperimentSpec& spec : specs) {
    auto kept = std::find_if(next.begin(), next.end(), [&](const auto& r) { return r && r->spec.id == spec.id; });
    ordered.push_back(kept != next.end() ? std::move(*kept) : std::make_shared<Running>(spec));
  }
  running_ = std::move(ordered);
}

std::vector<std::shared_ptr<ExperimentSet::Running>> ExperimentSet::Snapshot() const {
  std::shared_lock lock(mu_);
  return running_;
}

std::vector<ExperimentSpec> ExperimentSet::experiments() const {
  std::vector<ExperimentSpec> specs;
  for (const auto& r : Snapshot()) specs.push_back(r->spec);
  return specs;
}

std::optional<ExperimentSpec> ExperimentSet::Find(std::string_view id) const {
  for (const auto& r : Snapshot()) {
    if (r->spec.id == id) return r->spec;
  }
  return std::nullopt;
}

// Under r.mu. Null when the experiment was replaced meanwhile, or the listener is new and the cap reached.
ListenerStats* ExperimentSet::Listener(Running& r, const std::string& user_id) {
  if (r.retired) return nullptr;
  auto it = r.listeners.find(user_id);
  if (it != r.listeners.end()) return &it->second;
  if (listeners_.load(std::memory_order_relaxed) >= max_listeners_) {
    untracked_.Inc();
    return nullptr;
  }
  listeners_.fetch_add(1, std::memory_order_relaxed);
  ListenerStats& s = r.listeners[user_id];
  s.arm = static_cast<uint32_t>(AssignArm(r.spec, user_id));
  return &s;
}

bool ExperimentSet::OnTrigger(const std::string& user_id, int64_t ts_ms, float score) {
  struct Decision {
    Running* experiment;
    size_t arm;
    bool acts;
  };
  const std::vector<std::shared_ptr<Running>> running = Snapshot();
  std::vector<Decision> decisions;
  bool push = true;
  for (const auto& r : running) {
    if (!r->spec.enabled) continue;
    const size_t arm = AssignArm(r->spec, user_id);
    const ArmSpec& a = r->spec.arms[arm];
    const bool acts = a.kind == ArmKind::kTreatment || (a.kind == ArmKind::kThreshold && score >= a.threshold);
    push = push && acts;
    decisions.push_back({r.get(), arm, acts});
  }
  for (const Decision& d : decisions) {
    const ArmSpec& a = d.experiment->spec.arms[d.arm];
    const char* action = d.acts ? (push ? "pushed" : "withheld")
                                : (a.kind == ArmKind::kShadow ? "shadow" : "below_threshold");
    triggers_.WithLabels({d.experiment->spec.id, a.name, action}).Inc();
    std::lock_guard lock(d.experiment->mu);
    ListenerStats* s = Listener(*d.experiment, user_id);
    if (s && !s->replaying) CountTrigger(*s, ts_ms, push);
  }
  return push;
}

void ExperimentSet::OnEventApplied(const LoggedEvent& event, const ApplyOutcome& outcome) {
  for (const auto& r : Snapshot()) {
    if (!r->spec.enabled) continue;
    std::lock_guard lock(r->mu);
    if (ListenerStats* s = Listener(*r, event.event.user_id)) CountEvent(*s, event, outcome, r->spec.horizon_ms);
  }
}

void ExperimentSet::OnOutcome(const feedback::Outcome& outcome) {
  for (const auto& r : Snapshot()) {
    if (!r->spec.enabled) continue;
    std::lock_guard lock(r->mu);
    if (ListenerStats* s = Listener(*r, outcome.user_id)) CountOutcome(*s, outcome);
  }
}

std::optional<ExperimentReport> ExperimentSet::Report(std::string_view id) const {
  for (const auto& r : Snapshot()) {
    if (r->spec.id != id) continue;
    std::lock_guard lock(r->mu);
    return BuildReport(r->spec, r->listeners);
  }
  return std::nullopt;
}

Status ExperimentSet::Save(const std::string& path) const {
  nlohmann::json experiments = nlohmann::json::array();
  for (const auto& r : Snapshot()) {
    ListenerStatsMap copy;
    {
      // Copied under the lock and encoded outside it: the pipeline waits for the copy only.
      std::lock_guard lock(r->mu);
      copy = r->listeners;
    }
    nlohmann::json listeners = nlohmann::json::object();
    for (const auto& [user, s] : copy) listeners[user] = ListenerStatsToJson(s);
    experiments.push_back({{"id", r->spec.id},
                           {"arms", ExperimentToJson(r->spec)["arms"]},
                           {"listeners", std::move(listeners)}});
  }
  const nlohmann::json file = {{"version", 1}, {"experiments", std::move(experiments)}};
  return WriteFileDurably(path, file.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Status ExperimentSet::Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::Ok();
  Result<nlohmann::json> file = ReadJsonObject(path);
  if (!file.ok()) return file.status();
  auto list = file->find("experiments");
  if (file->value("version", 0) != 1 || list == file->end() || !list->is_array()) {
    return Status::Corruption(path + ": not a version 1 experiment statistics file");
  }
  for (const nlohmann::json& e : *list) {
    if (!e.is_object() || !e.contains("id") || !e.contains("listeners") || !e["listeners"].is_object()) {
      return Status::Corruption(path + ": an experiment entry without id or listeners");
    }
    for (const auto& r : Snapshot()) {
      if (e["id"] != r->spec.id || e.value("arms", nlohmann::json()) != ExperimentToJson(r->spec)["arms"]) continue;
      std::lock_guard lock(r->mu);
      for (const auto& [user, stats] : e["listeners"].items()) {
        ListenerStats s;
        if (!ListenerStatsFromJson(stats, &s) || s.arm >= r->spec.arms.size()) {
          return Status::Corruption(path + ": experiment " + r->spec.id + ", listener " + user + ": malformed entry");
        }
        if (r->listeners.emplace(user, s).second) listeners_.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
  return Status::Ok();
}

}  // namespace segue::experiments
