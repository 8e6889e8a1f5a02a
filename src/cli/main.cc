// segue: the single binary. Subcommands are registered from their own files (cmd_*.cc).
#include <iostream>
#include <string>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace segue::cli;
  CLI::App root{"Segue: real-time music recommendation that acts before listeners disengage."};
  root.require_subcommand(1);
  root.set_help_all_flag("--help-all", "Show help for every subcommand");

  CommandList commands;
  AddServeCommand(root, commands);
  AddSimulateCommand(root, commands);
  AddImportCommand(root, commands);
  AddTrainCommand(root, commands);
  AddEvalCommand(root, commands);
  AddReplayCommand(root, commands);
  AddDemoCommand(root, commands);
  AddLogCommand(root, commands);
  AddDataCommand(root, commands);

  // `segue help [CMD...]` prints the help of a (nested) subcommand.
  std::vector<std::string> help_path;
  CLI::App* help = root.add_subcommand("help", "Show help for a command: segue help CMD [SUBCMD]");
  help->add_option("command", help_path, "Command to describe");

  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return root.exit(e);
  }

  if (help->parsed()) {
    CLI::App* target = &root;
    for (const std::string& name : help_path) {
      try {
        target = target->get_subcommand(name);
      } catch (const CLI::OptionNotFound&) {
        std::cerr << "segue: no such command '" << name << "'\n";
        return 2;
      }
    }
    std::cout << target->help();
    return 0;
  }
  for (const Command& c : commands) {
    if (c.app->parsed()) return c.run();
  }
  std::cerr << root.help();
  return 2;
}
