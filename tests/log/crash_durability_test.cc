// An acknowledged event survives kill -9: a forked child appends with sync = true from two threads and
// reports every acknowledged seq through a pipe; the parent SIGKILLs it mid-stream, reopens the log and
// checks that each acknowledged event is there, intact, and that the log holds no gaps. kill -9 keeps
// the page cache, so this proves process-crash durability only (it passes with sync = false too); the
// fsync / power-loss promise is power_loss_test.cc's.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "log/event_log.h"
#include "test_util.h"

namespace segue {
namespace {

struct Ack {
  uint64_t seq;
  uint32_t thread;
  uint32_t n;
};

std::string IdOf(uint32_t thread, uint32_t n) { return testing::Id("t", thread) + testing::Id("-", n); }

[[noreturn]] void RunWriter(const std::string& dir, int fd) {
  EventLogOptions o;
  o.dir = dir;
  o.sync = true;
  auto log = EventLog::Open(o);
  if (!log.ok()) _exit(3);
  std::mutex pipe_mu;
  auto produce = [&](uint32_t thread) {
    for (uint32_t n = 0; n < 1000000; n += 5) {
      std::vector<Event> batch;
      for (uint32_t k = n; k < n + 5; ++k) {
        batch.push_back(testing::MakeEvent(IdOf(thread, k), testing::Id("user", k % 37), k));
      }
      auto r = (*log)->Append(std::move(batch));
      if (!r.ok()) _exit(4);
      std::lock_guard<std::mutex> lock(pipe_mu);
      for (uint32_t k = 0; k < 5; ++k) {
        const Ack a{r->seqs[k], thread, n + k};
        if (write(fd, &a, sizeof a) != static_cast<ssize_t>(sizeof a)) _exit(5);
      }
    }
  };
  std::thread other(produce, 1);
  produce(0);
  other.join();
  _exit(0);
}

TEST(EventLogCrash, AcknowledgedEventsSurviveSigkill) {
  testing::TempDir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    RunWriter(dir.path(), fds[1]);
  }
  close(fds[1]);

  std::map<uint64_t, std::string> acked;  // seq → event_id
  Ack a{};
  bool killed = false;
  for (;;) {
    const ssize_t got = read(fds[0], &a, sizeof a);
    if (got == 0) break;  // the child is gone and the pipe is drained
    ASSERT_EQ(got, static_cast<ssize_t>(sizeof a)) << "short read from the writer";
    ASSERT_GT(a.seq, 0u);
    acked[a.seq] = IdOf(a.thread, a.n);
    if (!killed && acked.size() >= 3000) {
      ASSERT_EQ(kill(child, SIGKILL), 0);
      killed = true;
    }
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(killed) << "writer exited before it was killed, status " << status;
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "writer status " << status;

  EventLogOptions o;
  o.dir = dir.path();
  auto log = EventLog::Open(o);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  std::map<uint64_t, std::string> stored;
  uint64_t expected_seq = 1;
  ASSERT_TRUE((*log)->Scan({}, [&](const LoggedEvent& e) {
                       EXPECT_EQ(e.seq, expected_seq++);  // dense: nothing half-written
                       stored[e.seq] = e.event.event_id;
                       return true;
                     }).ok());
  EXPECT_EQ((*log)->last_seq(), stored.size());
  for (const auto& [seq, id] : acked) {
    auto it = stored.find(seq);
    ASSERT_NE(it, stored.end()) << "acknowledged seq " << seq << " (" << id << ") lost";
    EXPECT_EQ(it->second, id);
  }
  // The de-dup window was rebuilt from the surviving log: re-sending an acknowledged event is a duplicate.
  const std::string& first_id = acked.begin()->second;
  auto r = (*log)->Append({testing::MakeEvent(first_id, "user0", 0)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->duplicates, 1u);
}

}  // namespace
}  // namespace segue
