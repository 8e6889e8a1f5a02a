#include "bus/redis_url.h"

#include <charconv>

namespace segue::bus {
namespace {

constexpr std::string_view kScheme = "redis://";

// "<a><quoted><b> in Redis URL '<url>'", built by appending (GCC 12 warns falsely about chains of +).
Status Bad(std::string_view a, std::string_view quoted, std::string_view b, std::string_view url) {
  std::string m(a);
  m.append("'").append(quoted).append("'").append(b).append(" in Redis URL '").append(url).append("'");
  return Status::InvalidArgument(std::move(m));
}

Result<RedisEndpoint> ParseEndpoint(std::string_view part, std::string_view url) {
  if (part.empty()) return Bad("empty HOST:PORT ", "", "", url);
  const size_t colon = part.rfind(':');
  if (colon == std::string_view::npos) return Bad("", part, " has no :PORT", url);
  const std::string_view host = part.substr(0, colon);
  const std::string_view port_text = part.substr(colon + 1);
  if (host.empty()) return Bad("", part, " has no host", url);
  if (host.find_first_of("@/?:") != std::string_view::npos) {
    return Bad("host ", host, " is not a plain name or IPv4 address (no user, path or query)", url);
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return Bad("port ", port_text, " is not a number in 1..65535", url);
  }
  return RedisEndpoint{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace

std::string ToString(const RedisEndpoint& endpoint) {
  return endpoint.host + ":" + std::to_string(endpoint.port);
}

Result<std::vector<RedisEndpoint>> ParseRedisUrl(std::string_view url) {
  if (url.substr(0, kScheme.size()) != kScheme) return Bad("", url, " must start with redis://", url);
  std::vector<RedisEndpoint> endpoints;
  std::string_view rest = url.substr(kScheme.size());
  while (true) {
    const size_t comma = rest.find(',');
    Result<RedisEndpoint> endpoint = ParseEndpoint(rest.substr(0, comma), url);
    if (!endpoint.ok()) return endpoint.status();
    endpoints.push_back(std::move(endpoint).value());
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return endpoints;
}

}  // namespace segue::bus
