// A Redis reply as an owned value (hiredis frees its own reply objects as soon as they are copied), and a
// command as its arguments plus the key that routes it in a cluster.
// Plain value types; no synchronisation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace segue::bus {

struct RedisReply {
  enum class Type : uint8_t { kNil, kString, kStatus, kError, kInteger, kArray };

  Type type = Type::kNil;
  long long integer = 0;          // kInteger
  std::string str;                // kString, kStatus, kError
  std::vector<RedisReply> elements;  // kArray

  bool is_error() const { return type == Type::kError; }
  // The error's first word ("MOVED", "ASK", "NOSCRIPT", "ERR", ...); empty for a non-error.
  std::string_view error_code() const;
};

struct RedisCommand {
  // Index in `args` of the key whose hash slot routes the command; kNoKey sends it to any master.
  static constexpr int kNoKey = -1;

  std::vector<std::string> args;
  int key_arg = 1;

  std::string_view routing_key() const { return key_arg == kNoKey ? std::string_view() : args[key_arg]; }
};

}  // namespace segue::bus
