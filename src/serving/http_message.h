// The request/response values exchanged between the HTTP server (http_server.h) and the route handlers.
// Kept free of Beast types so handlers and their unit tests compile and run without sockets.
//
// Contract: a handler receives the request by value and must call the ResponseCallback exactly once,
// from any thread (the server posts the write back onto the connection's executor). Plain values.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace segue::serving {

class MessageStream;  // message_stream.h

enum class HttpMethod { kGet, kHead, kPost, kPut, kDelete, kPatch, kOptions, kOther };

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string target;        // path plus optional "?query", as sent
  std::string content_type;  // the Content-Type header, verbatim ("" when absent)
  std::string authorization;  // the Authorization header, verbatim ("" when absent); admin routes check it
  std::string body;
  bool websocket_upgrade = false;  // a WebSocket handshake (GET with "Upgrade: websocket")
  // When the full request had been read: the start of the ingest latency (request received → ack).
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Retry-After
  // Set: a long-lived response (message_stream.h). On a WebSocket upgrade request the server accepts the
  // upgrade and status, content_type and body are unused; otherwise the head is written without a body
  // length ("Connection: close") and the stream's messages follow as the body.
  std::shared_ptr<MessageStream> stream;
};

using ResponseCallback = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest, ResponseCallback)>;

// `{"error": "<message>"}` with the message JSON-escaped.
HttpResponse JsonError(int status, std::string_view message);
// A JSON response whose body the caller already serialised.
HttpResponse JsonResponse(int status, std::string body);

}  // namespace segue::serving
