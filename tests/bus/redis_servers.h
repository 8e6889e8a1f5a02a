// Real Redis servers on loopback for tests and benchmarks, started by the caller and killed when their
// object goes (no GoogleTest dependency; tests use tests/bus/redis_fixture.h, which adds the skip macro).
//
//   RedisSingle: one redis-server (appendonly yes, appendfsync always, no RDB save) on a free port.
//   RedisCluster: 6 redis-servers (cluster-enabled yes, same durability, cluster-node-timeout 1000 ms so a
//     failover takes about 2 s), joined by `redis-cli --cluster create ... --cluster-replicas 1` into 3
//     masters with one replica each; Start() returns once cluster_state:ok holds on every node and every
//     replica's link to its master is up.
// Each server runs in its own folder under a temporary directory (removed on teardown) with its log in
// redis.log there. Servers die with the process that started them (PR_SET_PDEATHSIG) even if it crashes.
//
//   RedisSingle redis;  Status s = redis.Start();  redis.url();  // "redis://127.0.0.1:PORT"
//   RedisCluster cluster;  cluster.Start();  cluster.url();
//   cluster.MasterOfSlot(slot);  cluster.Kill(i);  cluster.node(i).Restart();  // rejoins as replica
// Not thread-safe (fork/exec, popen); use from one thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "tests/testing/run_command.h"

namespace segue::test_support {

// True when nothing listens on 127.0.0.1:port (checked by binding it; another process may still take it
// before the server does, which then fails to start and Start() reports it).
inline bool LoopbackPortFree(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return free;
}

// A port the kernel picks, whose cluster bus port (+10000) is free too.
inline int FreeRedisPort() {
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    const int port = ntohs(addr.sin_port);
    if (port + 10000 <= 65535 && LoopbackPortFree(port + 10000)) return port;
  }
  return 0;
}

// One redis-server child process.
class RedisServerProcess {
 public:
  RedisServerProcess(std::string dir, int port) : dir_(std::move(dir)), port_(port) {}
  ~RedisServerProcess() { Kill(); }
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  // Starts the server with the fixed durability settings plus `extra_args`.
  Status Start(const std::vector<std::string>& extra_args) {
    extra_args_ = extra_args;
    return Restart();
  }
  // Starts it again with the arguments of the last Start(), on the same port and folder (AOF, nodes.conf).
  Status Restart() {
    std::filesystem::create_directories(dir_);
    std::vector<std::string> args = {"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                     "--dir", dir_, "--appendonly", "yes", "--appendfsync", "always",
                                     "--save", "", "--protected-mode", "no", "--logfile", dir_ + "/redis.log",
                                     // A replica's first sync starts at once, not after the default 5 s.
                                     "--repl-diskless-sync-delay", "0"};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    pid_ = ::fork();
    if (pid_ < 0) return Status::Internal("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("redis-server", argv.data());
      ::_exit(127);
    }
    return WaitForPing();
  }

  // SIGKILL (no shutdown, no final fsync), then reap.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  // redis-cli against this server; its stdout.
  std::string Cli(const std::string& args) const {
    return RunCommand("redis-cli -h 127.0.0.1 -p " + std::to_string(port_) + " " + args + " 2>/dev/null").out;
  }

  int port() const { return port_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  Status WaitForPing() {
    for (int i = 0; i < 200; ++i) {
      if (Cli("ping").rfind("PONG", 0) == 0) return Status::Ok();
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return Status::Unavailable("redis-server on port " + std::to_string(port_) + " exited; see " + dir_ +
                                   "/redis.log");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return Status::DeadlineExceeded("redis-server on port " + std::to_string(port_) + " did not answer PING");
  }

  std::string dir_;
  int port_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
};

// A temporary directory removed with everything in it.
class RedisTempDir {
 public:
  RedisTempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "segue-redis-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~RedisTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A server on a fresh free port in `dir`; a few attempts, since another process (a test running in
// parallel) may take the port between FreeRedisPort() and the server's bind.
inline Status StartOnFreePort(const std::string& dir, const std::vector<std::string>& args,
                              std::unique_ptr<RedisServerProcess>* server) {
  Status s;
  for (int attempt = 0; attempt < 3; ++attempt) {
    *server = std::make_unique<RedisServerProcess>(dir, FreeRedisPort());
    s = (*server)->Start(args);
    if (s.ok()) break;
  }
  return s;
}

class RedisSingle {
 public:
  Status Start() { return StartOnFreePort(dir_.path() + "/single", {}, &server_); }
  std::string url() const { return "redis://" + server_->endpoint(); }
  RedisServerProcess& server() { return *server_; }

 private:
  RedisTempDir dir_;
  std::unique_ptr<RedisServerProcess> server_;
};

class RedisCluster {
 public:
  static constexpr int kNodes = 6;

  Status Start() {
    std::string create = "redis-cli --cluster create";
    for (int i = 0; i < kNodes; ++i) {
      const std::string dir = dir_.path() + "/node" + std::to_string(i);
      nodes_.emplace_back();
      Status s = StartOnFreePort(dir, {"--cluster-enabled", "yes", "--cluster-config-file", dir + "/nodes.conf",
                                       "--cluster-node-timeout", "1000"}, &nodes_.back());
      if (!s.ok()) return s;
      create += " " + nodes_.back()->endpoint();
    }
    const CommandResult created = RunCommand(create + " --cluster-replicas 1 --cluster-yes 2>&1");
    if (created.exit_code != 0) return Status::Internal("redis-cli --cluster create failed: " + created.out);
    return WaitHealthy(std::chrono::seconds(30));
  }

  // Until every running node reports cluster_state:ok and every running replica's master link is up.
  Status WaitHealthy(std::chrono::milliseconds budget) {
    const auto deadline = std::chrono::steady_clock::now() + budget;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Healthy()) return Status::Ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Status::DeadlineExceeded("Redis cluster not healthy in time (logs under " + dir_.path() + ")");
  }

  // "redis://" + every node, as a deployment would list its seeds.
  std::string url() const {
    std::string u = "redis://";
    for (size_t i = 0; i < nodes_.size(); ++i) u.append(i ? "," : "").append(nodes_[i]->endpoint());
    return u;
  }

  // The index of the running node that is master of `slot` now, by its own CLUSTER NODES (-1: none).
  int MasterOfSlot(int slot) {
    for (int i = 0; i < kNodes; ++i) {
      if (nodes_[i]->running() && ServesSlot(i, slot)) return i;
    }
    return -1;
  }

  void Kill(int i) { nodes_[i]->Kill(); }  // SIGKILL node i (node(i).Restart() brings it back)
  RedisServerProcess& node(int i) { return *nodes_[i]; }

 private:
  bool Healthy() {
    for (auto& node : nodes_) {
      if (!node->running()) continue;
      if (node->Cli("cluster info").find("cluster_state:ok") == std::string::npos) return false;
      const std::string replication = node->Cli("info replication");
      if (replication.find("role:slave") != std::string::npos &&
          replication.find("master_link_status:up") == std::string::npos) {
        return false;
      }
    }
    return true;
  }

  // Node i's own line of CLUSTER NODES ("<id> <addr> <flags> <master> <ping> <pong> <epoch> <link> <slots>...")
  // says it is a master serving `slot`.
  bool ServesSlot(int i, int slot) {
    const std::string nodes = nodes_[i]->Cli("cluster nodes");
    const size_t at = nodes.find("myself");
    if (at == std::string::npos) return false;
    const size_t begin = nodes.rfind('\n', at) == std::string::npos ? 0 : nodes.rfind('\n', at) + 1;
    std::istringstream line(nodes.substr(begin, nodes.find('\n', at) - begin));
    std::vector<std::string> fields;
    for (std::string f; line >> f;) fields.push_back(f);
    if (fields.size() < 9 || fields[2].find("master") == std::string::npos) return false;
    for (size_t f = 8; f < fields.size(); ++f) {
      if (fields[f][0] == '[') continue;  // a slot being migrated
      const size_t dash = fields[f].find('-');
      const int lo = std::stoi(fields[f].substr(0, dash));
      const int hi = dash == std::string::npos ? lo : std::stoi(fields[f].substr(dash + 1));
      if (slot >= lo && slot <= hi) return true;
    }
    return false;
  }

  RedisTempDir dir_;
  std::vector<std::unique_ptr<RedisServerProcess>> nodes_;
};

}  // namespace segue::test_support
