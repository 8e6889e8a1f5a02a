// PLACEHOLDER: replaced by the component that owns `segue import`.
#include <iostream>

#include "cli/commands.h"

namespace segue::cli {

void AddImportCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("import", "(not implemented yet)");
  out.push_back({app, [] {
                   std::cerr << "segue import: not implemented yet\n";
                   return 2;
                 }});
}

}  // namespace segue::cli
