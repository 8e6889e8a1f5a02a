#include "bus/redis_reply.h"

namespace segue::bus {

std::string_view RedisReply::error_code() const {
  if (type != Type::kError) return {};
  const std::string_view s(str);
  return s.substr(0, s.find(' '));
}

}  // namespace segue::bus
