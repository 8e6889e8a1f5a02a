// Test helper: run the current GoogleTest test again, in a child process that sees a small, private tmpfs,
// so a test can fill a disk for real (ENOSPC) without touching the machine's file systems.
//
// Usage, inside a TEST body:
//   if (const char* mnt = test_support::PrivateTmpfsDir()) { RunScenario(mnt); return; }  // the child
//   test_support::TmpfsRun run = test_support::RerunInPrivateTmpfs(16 << 20);               // the parent
//   if (!run.skip_reason.empty()) GTEST_SKIP() << run.skip_reason;
//   EXPECT_TRUE(run.passed) << run.outcome;
//
// The parent forks; the child unshares its mount namespace (CLONE_NEWNS), makes every mount private so
// nothing propagates back to the host, mounts a tmpfs of `bytes` on a fresh directory and re-executes this
// test binary filtered to the current test, with SEGUE_PRIVATE_TMPFS naming the mount. Re-executing (not
// just forking) gives the scenario a clean process: RocksDB's background thread pools do not survive a
// fork. The mount disappears with the child's namespace. Needs root (CAP_SYS_ADMIN); where unshare or
// mount is refused, the run reports a skip reason instead. Not thread-safe (fork/exec, environment).
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

namespace segue::test_support {

inline constexpr char kPrivateTmpfsEnv[] = "SEGUE_PRIVATE_TMPFS";

// The tmpfs mount point when running as the re-executed child; nullptr in the parent.
inline const char* PrivateTmpfsDir() { return std::getenv(kPrivateTmpfsEnv); }

struct TmpfsRun {
  std::string skip_reason;  // non-empty: the environment cannot run the test (not root, unshare refused, ...)
  bool passed = false;      // the child test exited 0
  std::string outcome;      // "exited with code N" / "killed by signal N (...)" / "timed out ..."
};

inline TmpfsRun RerunInPrivateTmpfs(size_t bytes, std::chrono::seconds timeout = std::chrono::seconds(180)) {
  TmpfsRun run;
  if (geteuid() != 0) {
    run.skip_reason = "needs root to mount a private tmpfs (unshare(CLONE_NEWNS) + mount)";
    return run;
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "segue-tmpfs-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    run.skip_reason = std::string("mkdtemp failed: ") + std::strerror(errno);
    return run;
  }
  const std::string dir = tmpl;
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string filter = std::string("--gtest_filter=") + info->test_suite_name() + "." + info->name();
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    run.skip_reason = std::string("pipe failed: ") + std::strerror(errno);
    return run;
  }
  const std::string options = "size=" + std::to_string(bytes);  // built before fork: no allocation in the child
  const pid_t pid = fork();
  if (pid == 0) {
    // Child: only async-signal-safe work until exec. A setup failure is reported through the pipe and
    // exit code 77; the pipe closes on exec, so the parent reads nothing when exec succeeds.
    auto fail = [&](const char* what) {
      const int e = errno;
      (void)!write(err_pipe[1], what, std::strlen(what));
      const char* msg = std::strerror(e);
      (void)!write(err_pipe[1], msg, std::strlen(msg));
      _exit(77);
    };
    if (unshare(CLONE_NEWNS) != 0) fail("unshare(CLONE_NEWNS): ");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail("making / private: ");
    if (mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) fail("mount tmpfs: ");
    setenv(kPrivateTmpfsEnv, dir.c_str(), 1);
    execl("/proc/self/exe", "/proc/self/exe", filter.c_str(), "--gtest_color=no", static_cast<char*>(nullptr));
    fail("exec /proc/self/exe: ");
  }
  close(err_pipe[1]);
  if (pid < 0) {
    close(err_pipe[0]);
    run.skip_reason = std::string("fork failed: ") + std::strerror(errno);
    return run;
  }
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      run.outcome = "timed out after " + std::to_string(timeout.count()) + " s (killed)";
      close(err_pipe[0]);
      std::filesystem::remove(dir);
      return run;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string setup_error;
  char buf[256];
  ssize_t n;
  while ((n = read(err_pipe[0], buf, sizeof buf)) > 0) setup_error.append(buf, static_cast<size_t>(n));
  close(err_pipe[0]);
  std::error_code ec;
  std::filesystem::remove(dir, ec);  // empty: the tmpfs lived in the child's namespace only
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77 && !setup_error.empty()) {
    run.skip_reason = "cannot mount a private tmpfs here: " + setup_error;
  } else if (WIFEXITED(status)) {
    run.passed = WEXITSTATUS(status) == 0;
    run.outcome = "child test exited with code " + std::to_string(WEXITSTATUS(status)) + " (its output is above)";
  } else if (WIFSIGNALED(status)) {
    run.outcome = "child test was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                  strsignal(WTERMSIG(status)) + "); its output is above";
  }
  return run;
}

}  // namespace segue::test_support
