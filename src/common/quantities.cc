#include "common/quantities.h"

#include <initializer_list>
#include <limits>
#include <utility>

namespace segue {
namespace {

// Digits with an optional one-letter unit suffix from `units` ("7d", "500M"); nullopt when malformed.
std::optional<uint64_t> ParseScaled(const std::string& text,
                                    std::initializer_list<std::pair<char, uint64_t>> units) {
  if (text.empty()) return std::nullopt;
  uint64_t unit = 1;
  std::string digits = text;
  for (const auto& [suffix, scale] : units) {
    if (text.back() == suffix) {
      unit = scale;
      digits.pop_back();
      break;
    }
  }
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 12) {
    return std::nullopt;
  }
  const uint64_t n = std::stoull(digits);
  if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / unit) return std::nullopt;  // overflow
  return n * unit;
}

}  // namespace

std::optional<uint64_t> ParseDurationMs(const std::string& text) {
  return ParseScaled(text, {{'s', 1000}, {'m', 60 * 1000}, {'h', 3600 * 1000}, {'d', 24ULL * 3600 * 1000}});
}

std::optional<uint64_t> ParseBytes(const std::string& text) {
  return ParseScaled(text, {{'K', 1ULL << 10}, {'M', 1ULL << 20}, {'G', 1ULL << 30}, {'T', 1ULL << 40}});
}

}  // namespace segue
