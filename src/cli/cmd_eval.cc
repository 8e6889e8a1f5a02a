// PLACEHOLDER: replaced by the component that owns `segue eval`.
#include <iostream>

#include "cli/commands.h"

namespace segue::cli {

void AddEvalCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("eval", "(not implemented yet)");
  out.push_back({app, [] {
                   std::cerr << "segue eval: not implemented yet\n";
                   return 2;
                 }});
}

}  // namespace segue::cli
