// Parses the webhook's target URL. Only "http://" is accepted: the webhook is meant for a collector on the
// same network (TLS would need OpenSSL wiring that nothing else in Segue uses); terminate TLS in a
// sidecar when the receiver is remote.
//
// Accepted: http://HOST[:PORT][/PATH[?QUERY]], HOST a name, an IPv4 address or a [bracketed] IPv6
// address; the port defaults to 80 and the path to "/". Userinfo and fragments are refused. Reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace segue::push {

struct HttpUrl {
  std::string host;    // without brackets, for the resolver
  uint16_t port = 80;
  std::string target;  // path and query, as sent in the request line
  std::string host_header;  // the Host header: the authority as written
};

Result<HttpUrl> ParseHttpUrl(std::string_view url);

}  // namespace segue::push
