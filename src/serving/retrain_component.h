// Periodic retraining while serving (`segue serve --retrain-interval 24h`, docs/operations.md): every
// interval, `segue train all` (cli/cmd_train_all.cc: both models from this server's log, read-only, with
// the promotion gate) runs as a child process, `/proc/self/exe train all ...`, at the lowest CPU priority
// (nice 19) with one LibTorch thread, so the server keeps serving; its progress goes to
// <data_dir>/retrain/last.log. When a candidate was promoted, the model folders are checked at once
// (ModelReloadHandler::CheckAll on the maintenance thread) instead of at their interval. Each run's
// outcome is logged (promoted / refused with the reason / failed) and counted in
// segue_retrain_runs_total{result="promoted"|"refused"|"failed"} (promoted: at least one model was).
// Off when the interval is 0. A run still going at shutdown is terminated (SIGTERM): its candidate is
// left under <models>/.candidates/, which the server never loads and the next run does not reuse.
// Thread-safety: one thread of its own runs the schedule and waits for the child; Stop (the destructor)
// from the owning thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

#include "serving/model_reload_handler.h"
#include "serving/retrain_options.h"
#include "serving/server_host.h"

namespace segue::serving {

// One run's verdict from the child's exit code and its --json output.
struct RetrainVerdict {
  std::string result;   // "promoted", "refused" or "failed"
  std::string summary;  // per model: "disengagement v0004 promoted (...)", or why the run failed
};
RetrainVerdict ClassifyRetrainRun(int exit_code, const std::string& json_stdout);

class RetrainComponent : public ServerComponent {
 public:
  // `reload` outlives this component. `binary` is the segue executable (/proc/self/exe when serving).
  RetrainComponent(RetrainOptions options, std::string binary, std::string data_dir, std::string models_dir,
                   std::string retrieval_models_dir, ModelReloadHandler* reload);
  ~RetrainComponent() override;
  RetrainComponent(const RetrainComponent&) = delete;
  RetrainComponent& operator=(const RetrainComponent&) = delete;

  // The metric; starts the schedule (the first run one interval after start-up).
  void Register(ServerHost& host) override;
  // Terminates a running training and joins the thread; idempotent.
  void Stop();

  // The child's argv (after the binary).
  std::vector<std::string> Arguments() const;

 private:
  void Loop();
  void RunOnce();
  // Runs the child to completion; its exit code (-1: could not start or was killed) and stdout.
  int RunChild(std::string* out);

  RetrainOptions options_;
  std::string binary_, data_dir_, models_dir_, retrieval_models_dir_;
  ModelReloadHandler* reload_;
  ServerHost* host_ = nullptr;
  metrics::CounterFamily* runs_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  pid_t child_ = -1;       // guarded by mu_; the running training
  std::thread thread_;
};

}  // namespace segue::serving
