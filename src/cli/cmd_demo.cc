// PLACEHOLDER: replaced by the component that owns `segue demo`.
#include <iostream>

#include "cli/commands.h"

namespace segue::cli {

void AddDemoCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("demo", "(not implemented yet)");
  out.push_back({app, [] {
                   std::cerr << "segue demo: not implemented yet\n";
                   return 2;
                 }});
}

}  // namespace segue::cli
