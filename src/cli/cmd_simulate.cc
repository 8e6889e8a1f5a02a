// PLACEHOLDER: replaced by the component that owns `segue simulate`.
#include <iostream>

#include "cli/commands.h"

namespace segue::cli {

void AddSimulateCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("simulate", "(not implemented yet)");
  out.push_back({app, [] {
                   std::cerr << "segue simulate: not implemented yet\n";
                   return 2;
                 }});
}

}  // namespace segue::cli
