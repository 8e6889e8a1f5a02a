// One hiredis connection to one Redis server, with a connect timeout and a per-command timeout, so a
// server that is down or hung fails fast with Unavailable instead of blocking the caller.
//
// Pipelining: Send() writes N commands, then Receive() reads their N replies in order; one round trip for
// the lot. Reconnect: after any I/O error or timeout the connection is closed (the bytes in flight are
// lost, and whether those commands ran is unknown); the next Send() connects again. Whether a failure
// happened before anything was written (safe to retry elsewhere) is reported by Failure::kNotSent.
//
// Thread-safety: none; one thread uses a connection at a time.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <vector>

#include "bus/redis_reply.h"
#include "bus/redis_url.h"
#include "common/status.h"

struct redisContext;

namespace segue::bus {

struct RedisTimeouts {
  std::chrono::milliseconds connect{500};
  std::chrono::milliseconds command{2000};
};

class RedisConnection {
 public:
  RedisConnection(RedisEndpoint endpoint, RedisTimeouts timeouts);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Connects if needed and writes every command. Unavailable when the server cannot be reached (then
  // nothing was sent: `*sent` is false) or the write failed (`*sent` true: outcome unknown).
  Status Send(std::span<const RedisCommand* const> commands, bool* sent);
  // Reads `count` replies, in the order their commands were sent. Unavailable on an I/O error or timeout.
  Result<std::vector<RedisReply>> Receive(size_t count);

  const RedisEndpoint& endpoint() const { return endpoint_; }

 private:
  Status Connect();
  Status Fail(const char* what);

  RedisEndpoint endpoint_;
  RedisTimeouts timeouts_;
  redisContext* context_ = nullptr;
};

}  // namespace segue::bus
