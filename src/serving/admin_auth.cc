#include "serving/admin_auth.h"

#include <fstream>
#include <sstream>

namespace segue::serving {
namespace {

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  const size_t begin = s.find_first_not_of(ws);
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(ws) - begin + 1);
}

// Constant time in the contents (it depends only on the lengths), so a client cannot find the token a
// byte at a time from response times.
bool SameBytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

Result<AdminAuth> AdminAuth::FromFile(const std::string& path) {
  if (path.empty()) return AdminAuth();
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("admin.token_file: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = Trim(text.str());
  if (token.empty()) return Status::InvalidArgument("admin.token_file: " + path + " is empty");
  Result<AdminAuth> auth = FromToken(std::move(token));
  if (!auth.ok()) return Status::InvalidArgument("admin.token_file: " + path + ": " + auth.status().message());
  return auth;
}

Result<AdminAuth> AdminAuth::FromToken(std::string token) {
  if (token.size() < kMinAdminTokenBytes) {
    return Status::InvalidArgument("the admin token must be at least " + std::to_string(kMinAdminTokenBytes) +
                                   " bytes, got " + std::to_string(token.size()));
  }
  AdminAuth auth;
  auth.token_ = std::move(token);
  return auth;
}

bool AdminAuth::Allows(std::string_view authorization) const {
  constexpr std::string_view kScheme = "Bearer ";
  if (!enabled() || authorization.substr(0, kScheme.size()) != kScheme) return false;
  return SameBytes(authorization.substr(kScheme.size()), token_);
}

RouteHandler AdminAuth::Guard(RouteHandler handler) const {
  return [this, h = std::move(handler)](HttpRequest req, PathParams params, ResponseCallback done) {
    if (!Allows(req.authorization)) {
      HttpResponse r = JsonError(401, "admin route: send the admin token as \"Authorization: Bearer <token>\"");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"segue-admin\"");
      return done(std::move(r));
    }
    h(std::move(req), std::move(params), std::move(done));
  };
}

}  // namespace segue::serving
