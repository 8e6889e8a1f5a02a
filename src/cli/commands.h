// The `segue` command line: each subcommand registers itself on the root CLI11 app and returns a runner.
// The command line is a contract other tools and scripts rely on (`segue help CMD` documents each
// command): change flags additively.
#pragma once

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

namespace segue::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  // process exit code
};
using CommandList = std::vector<Command>;

void AddServeCommand(CLI::App& root, CommandList& out);
void AddSimulateCommand(CLI::App& root, CommandList& out);
void AddImportCommand(CLI::App& root, CommandList& out);
void AddTrainCommand(CLI::App& root, CommandList& out);
// `segue train retrieval` (cmd_train_retrieval.cc), registered by AddTrainCommand under `train`.
void AddTrainRetrievalCommand(CLI::App* train, CommandList& out);
// `segue train ranker` (cmd_train_ranker.cc), registered by AddTrainCommand under `train`.
void AddTrainRankerCommand(CLI::App* train, CommandList& out);
// `segue train all` (cmd_train_all.cc): retraining with the promotion gate, registered under `train`.
void AddTrainAllCommand(CLI::App* train, CommandList& out);
void AddEvalCommand(CLI::App& root, CommandList& out);
// `segue eval retrieval`, a subcommand of `eval` (cmd_eval_retrieval.cc).
void AddEvalRetrievalCommand(CLI::App* eval, CommandList& out);
void AddReplayCommand(CLI::App& root, CommandList& out);
void AddDemoCommand(CLI::App& root, CommandList& out);
void AddLogCommand(CLI::App& root, CommandList& out);
// `segue data stats` (cmd_data.cc): label-relevant statistics of events files.
void AddDataCommand(CLI::App& root, CommandList& out);

}  // namespace segue::cli
