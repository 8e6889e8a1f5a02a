// Human-written quantities on the command line and in config: durations ("90s", "30m", "12h", "7d", or
// plain milliseconds) and byte sizes ("500", "64K", "10M", "2G", "1T": binary multiples). Digits with an
// optional one-letter unit; nullopt for anything else (empty, signs, fractions, other units, overflow).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace segue {

std::optional<uint64_t> ParseDurationMs(const std::string& text);
std::optional<uint64_t> ParseBytes(const std::string& text);

}  // namespace segue
