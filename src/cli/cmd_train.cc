// PLACEHOLDER: replaced by the component that owns `segue train`.
#include <iostream>

#include "cli/commands.h"

namespace segue::cli {

void AddTrainCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("train", "(not implemented yet)");
  out.push_back({app, [] {
                   std::cerr << "segue train: not implemented yet\n";
                   return 2;
                 }});
}

}  // namespace segue::cli
