#include "serving/http_message.h"

#include <nlohmann/json.hpp>

namespace segue::serving {

HttpResponse JsonError(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  // Messages may quote client input: invalid UTF-8 is replaced rather than throwing.
  r.body = nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace segue::serving
