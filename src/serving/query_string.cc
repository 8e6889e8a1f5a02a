#include "serving/query_string.h"

#include <algorithm>

namespace segue::serving {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> DecodeFormComponent(std::string_view s) {
  std::string plus_as_space(s);
  std::replace(plus_as_space.begin(), plus_as_space.end(), '+', ' ');
  return PercentDecode(plus_as_space);
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Result<QueryParams> ParseQueryString(std::string_view target) {
  QueryParams out;
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::optional<std::string> name = DecodeFormComponent(pair.substr(0, eq));
    std::optional<std::string> value =
        DecodeFormComponent(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) {
      return Status::InvalidArgument("query parameter '" + std::string(pair.substr(0, eq)) + "': invalid percent-encoding");
    }
    if (name->empty()) return Status::InvalidArgument("query parameter without a name");
    if (std::any_of(out.begin(), out.end(), [&](const auto& p) { return p.first == *name; })) {
      return Status::InvalidArgument(*name + ": given more than once");
    }
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

}  // namespace segue::serving
