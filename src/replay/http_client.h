// HttpClient: one keep-alive HTTP/1.1 connection for a client's sequential requests (`segue demo`'s control
// calls, the closed-loop driver's event batches and reads), with a deadline per request.
//
// Contract: Call sends one request and reads the whole response; any status is a successful Result (the
// caller judges it). A network error or the deadline passing is kIoError / kDeadlineExceeded naming the
// request, and drops the connection; the next Call connects again. When a connection kept alive from an
// earlier call turns out to have been closed by the server before this request was answered, the request
// is sent once more on a fresh connection (so a POST may reach the server twice: Segue's event ingestion
// de-duplicates by event_id).
// Thread-safety: one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace segue {

struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpClient {
 public:
  HttpClient(std::string host, std::string port, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `method` is "GET", "POST", "PUT", ...; empty `content_type` / `authorization` are not sent.
  Result<HttpResponse> Call(std::string_view method, const std::string& target, const std::string& body = "",
                            const std::string& content_type = "", const std::string& authorization = "");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace segue
