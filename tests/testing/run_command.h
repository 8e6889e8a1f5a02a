// Test helper: run a shell command and capture its stdout. Used by the tests that drive the `segue`
// binary end to end. Not thread-safe with respect to the process environment (popen).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace segue::test_support {

struct CommandResult {
  int exit_code = -1;  // -1 when the command could not be started or did not exit normally
  std::string out;     // everything the command wrote to stdout
};

inline CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The same, in the (stdout, &exit code) form most call sites want.
inline std::string RunCommand(const std::string& command, int* exit_code) {
  CommandResult r = RunCommand(command);
  *exit_code = r.exit_code;
  return std::move(r.out);
}

}  // namespace segue::test_support
