// AdminAuth: the gate of the admin routes (model reloads, experiment changes). Admin routes are off unless
// a token is configured ([admin] token_file): then ServerHost::AddAdminRoute registers nothing and those
// paths answer as if the route did not exist (404, or 405 where another method serves the path, e.g.
// PUT /v1/experiments/{id} beside its GET). With a token, a request must carry
// "Authorization: Bearer <token>"; anything else gets 401 with a WWW-Authenticate header, and the handler
// does not run. The token is compared in constant time, and is never logged.
// Thread-safety: immutable after construction; Guard's handlers run concurrently.
#pragma once

#include <string>

#include "common/status.h"
#include "serving/router.h"

namespace segue::serving {

// Shorter tokens are refused at start-up: an admin token must not be guessable.
inline constexpr size_t kMinAdminTokenBytes = 16;

class AdminAuth {
 public:
  AdminAuth() = default;  // disabled

  // Reads the token from `path` (surrounding whitespace trimmed); "" gives a disabled gate. Errors name the
  // file: unreadable, or a token shorter than kMinAdminTokenBytes.
  static Result<AdminAuth> FromFile(const std::string& path);
  static Result<AdminAuth> FromToken(std::string token);

  bool enabled() const { return !token_.empty(); }
  // True when the Authorization header value is "Bearer <the token>".
  bool Allows(std::string_view authorization) const;
  // `handler` behind the check.
  RouteHandler Guard(RouteHandler handler) const;

 private:
  std::string token_;
};

}  // namespace segue::serving
