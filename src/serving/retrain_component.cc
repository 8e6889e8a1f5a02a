#include "serving/retrain_component.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace segue::serving {

RetrainVerdict ClassifyRetrainRun(int exit_code, const std::string& json_stdout) {
  if (exit_code != 0) return {"failed", "segue train all exited with status " + std::to_string(exit_code)};
  const nlohmann::json report = nlohmann::json::parse(json_stdout, nullptr, false);
  if (!report.is_object()) return {"failed", "segue train all printed no JSON report"};
  RetrainVerdict v{"refused", ""};
  for (const char* model : {"disengagement", "retrieval"}) {
    const auto it = report.find(model);
    if (it == report.end() || !it->is_object()) continue;
    const std::string result = it->value("result", "");
    if (result == "promoted") v.result = "promoted";
    if (!v.summary.empty()) v.summary += "; ";
    v.summary += std::string(model) + " " + it->value("version", "?") + " " + result + " (" + it->value("reason", "") + ")";
  }
  if (v.summary.empty()) return {"failed", "segue train all reported no model"};
  return v;
}

RetrainComponent::RetrainComponent(RetrainOptions options, std::string binary, std::string data_dir,
                                   std::string models_dir, std::string retrieval_models_dir, ModelReloadHandler* reload)
    : options_(std::move(options)), binary_(std::move(binary)), data_dir_(std::move(data_dir)),
      models_dir_(std::move(models_dir)), retrieval_models_dir_(std::move(retrieval_models_dir)), reload_(reload) {}

RetrainComponent::~RetrainComponent() { Stop(); }

std::vector<std::string> RetrainComponent::Arguments() const {
  std::vector<std::string> args = {"train", "all", "--data-dir", data_dir_, "--threads", "1", "--json"};
  if (!models_dir_.empty()) args.insert(args.end(), {"--models", models_dir_});
  if (!retrieval_models_dir_.empty()) args.insert(args.end(), {"--retrieval-models", retrieval_models_dir_});
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  return args;
}

void RetrainComponent::Register(ServerHost& host) {
  if (options_.interval_ms <= 0) return;
  host_ = &host;
  runs_ = &host.registry().AddCounterFamily("segue_retrain_runs_total",
                                            "Periodic retraining runs by result (promoted, refused, failed).",
                                            {"result"});
  for (const char* result : {"promoted", "refused", "failed"}) runs_->WithLabels({result});
  thread_ = std::thread([this] { Loop(); });
}

void RetrainComponent::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (child_ > 0) ::kill(child_, SIGTERM);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetrainComponent::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (cv_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms), [this] { return stopping_; })) return;
    lock.unlock();
    RunOnce();
    lock.lock();
  }
}

void RetrainComponent::RunOnce() {
  spdlog::info("retraining: {} {}", binary_, nlohmann::json(Arguments()).dump());
  std::string out;
  const int code = RunChild(&out);
  if (std::lock_guard lock(mu_); stopping_) return;  // terminated by the shutdown: no verdict
  const RetrainVerdict v = ClassifyRetrainRun(code, out);
  runs_->WithLabels({v.result}).Inc();
  if (v.result == "failed") {
    spdlog::error("retraining failed: {} (see {}/retrain/last.log)", v.summary, data_dir_);
    return;
  }
  spdlog::info("retraining {}: {}", v.result, v.summary);
  if (v.result != "promoted") return;
  host_->RunOnMaintenance([reload = reload_] { spdlog::info("models after retraining: {}", reload->CheckAll().dump()); });
}

int RetrainComponent::RunChild(std::string* out) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir_ + "/retrain", ec);
  const std::string log_path = data_dir_ + "/retrain/last.log";
  std::vector<std::string> args = Arguments();
  args.insert(args.begin(), binary_);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return -1;
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pid_t pid;
  {
    std::lock_guard lock(mu_);
    pid = stopping_ ? -1 : ::fork();
    if (pid == 0) {  // the child: only async-signal-safe calls until exec
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // this thread ends (the server stops or dies): the training too
      ::setpriority(PRIO_PROCESS, 0, 19);
      ::dup2(pipe_fds[1], STDOUT_FILENO);
      if (log_fd >= 0) ::dup2(log_fd, STDERR_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    child_ = pid;
  }
  ::close(pipe_fds[1]);
  if (log_fd >= 0) ::close(log_fd);
  if (pid < 0) {
    ::close(pipe_fds[0]);
    return -1;
  }
  char buf[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) != 0;) {
    if (n > 0) out->append(buf, static_cast<size_t>(n));
    else if (errno != EINTR) break;
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::lock_guard lock(mu_);
  child_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace segue::serving
