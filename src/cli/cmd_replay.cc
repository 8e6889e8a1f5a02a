// PLACEHOLDER: replaced by the component that owns `segue replay`.
#include <iostream>

#include "cli/commands.h"

namespace segue::cli {

void AddReplayCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("replay", "(not implemented yet)");
  out.push_back({app, [] {
                   std::cerr << "segue replay: not implemented yet\n";
                   return 2;
                 }});
}

}  // namespace segue::cli
