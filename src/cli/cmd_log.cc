// PLACEHOLDER: replaced by the component that owns `segue log`.
#include <iostream>

#include "cli/commands.h"

namespace segue::cli {

void AddLogCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("log", "(not implemented yet)");
  out.push_back({app, [] {
                   std::cerr << "segue log: not implemented yet\n";
                   return 2;
                 }});
}

}  // namespace segue::cli
