// Helpers shared by the session tests: event builders on a fixed time origin.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/event.h"

namespace segue::testing {

inline constexpr int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
inline constexpr int64_t kSec = 1000;
inline constexpr int64_t kMin = 60 * kSec;

// prefix + number. (Built with append: GCC 12 reports a false -Wrestrict on "literal" + std::string at -O3.)
inline std::string Name(std::string_view prefix, int64_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

inline Event Ev(EventType type, int64_t at_ms, std::string track = "", int64_t position_ms = -1,
                std::string user = "u1") {
  Event e;
  e.event_id = user;
  e.event_id += Name("-", at_ms);
  e.event_id += Name("-", static_cast<int>(type));
  e.user_id = std::move(user);
  e.type = type;
  e.ts_ms = kT0 + at_ms;
  e.track_id = std::move(track);
  e.position_ms = position_ms;
  return e;
}

}  // namespace segue::testing
