#include "bus/redis_connection.h"

#include <hiredis/hiredis.h>

#include <string>

namespace segue::bus {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

RedisReply Copy(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_STRING: out.type = RedisReply::Type::kString; break;
    case REDIS_REPLY_STATUS: out.type = RedisReply::Type::kStatus; break;
    case REDIS_REPLY_ERROR: out.type = RedisReply::Type::kError; break;
    case REDIS_REPLY_INTEGER: out.type = RedisReply::Type::kInteger; break;
    case REDIS_REPLY_ARRAY: out.type = RedisReply::Type::kArray; break;
    default: out.type = RedisReply::Type::kNil; break;
  }
  out.integer = r.integer;
  if (r.str != nullptr) out.str.assign(r.str, r.len);
  out.elements.reserve(r.elements);
  for (size_t i = 0; i < r.elements; ++i) out.elements.push_back(Copy(*r.element[i]));
  return out;
}

}  // namespace

RedisConnection::RedisConnection(RedisEndpoint endpoint, RedisTimeouts timeouts)
    : endpoint_(std::move(endpoint)), timeouts_(timeouts) {}

RedisConnection::~RedisConnection() {
  if (context_ != nullptr) redisFree(context_);
}

Status RedisConnection::Connect() {
  context_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, ToTimeval(timeouts_.connect));
  if (context_ == nullptr) return Status::Unavailable("Redis " + ToString(endpoint_) + ": out of memory");
  if (context_->err != 0) return Fail("connect");
  if (redisSetTimeout(context_, ToTimeval(timeouts_.command)) != REDIS_OK) return Fail("set timeout");
  return Status::Ok();
}

// Closes the connection (its stream position is unknown after an error) and says why.
Status RedisConnection::Fail(const char* what) {
  std::string message = "Redis " + ToString(endpoint_) + ": " + what + " failed";
  if (context_ != nullptr) {
    message += std::string(": ") + (context_->errstr[0] != '\0' ? context_->errstr : "timeout");
    redisFree(context_);
    context_ = nullptr;
  }
  return Status::Unavailable(std::move(message));
}

Status RedisConnection::Send(std::span<const RedisCommand* const> commands, bool* sent) {
  *sent = false;
  if (context_ == nullptr) {
    if (Status s = Connect(); !s.ok()) return s;
  }
  std::vector<const char*> argv;
  std::vector<size_t> argvlen;
  for (const RedisCommand* command : commands) {
    argv.clear();
    argvlen.clear();
    for (const std::string& arg : command->args) {
      argv.push_back(arg.data());
      argvlen.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), argvlen.data()) != REDIS_OK) {
      return Fail("append");
    }
  }
  *sent = true;
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(context_, &done) != REDIS_OK) return Fail("write");
  }
  return Status::Ok();
}

Result<std::vector<RedisReply>> RedisConnection::Receive(size_t count) {
  std::vector<RedisReply> replies;
  replies.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    if (context_ == nullptr) return Status::Unavailable("Redis " + ToString(endpoint_) + ": not connected");
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return Fail("read");
    auto* reply = static_cast<redisReply*>(raw);
    replies.push_back(Copy(*reply));
    freeReplyObject(reply);
  }
  return replies;
}

}  // namespace segue::bus
