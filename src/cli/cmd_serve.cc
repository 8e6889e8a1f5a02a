// PLACEHOLDER: replaced by the component that owns `segue serve`.
#include <iostream>

#include "cli/commands.h"

namespace segue::cli {

void AddServeCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("serve", "(not implemented yet)");
  out.push_back({app, [] {
                   std::cerr << "segue serve: not implemented yet\n";
                   return 2;
                 }});
}

}  // namespace segue::cli
