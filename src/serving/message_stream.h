// A response that does not end with one body: Server-Sent Events, or a WebSocket after its handshake.
// A handler sets HttpResponse::stream; the HTTP server (http_server.h, stream_session.h) then writes the
// response head (or accepts the WebSocket upgrade) and afterwards every message the stream yields, until
// the stream ends, the client goes away, a write times out or the server stops. Dropping the stream (the
// server does when the connection closes, or for a HEAD request) is how its source learns the client left.
//
// Thread-safety: Start and Next are called on the connection's strand, one at a time; the wake function
// Start receives may be called from any thread and must not block (it posts onto the strand).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace segue::serving {

class MessageStream {
 public:
  virtual ~MessageStream() = default;

  // Called once when the connection is ready to write messages; after each wake() the server calls Next.
  virtual void Start(std::function<void()> wake) = 0;

  struct Batch {
    std::vector<std::string> messages;  // HTTP: body bytes, written in order; WebSocket: one text message each
    bool end = false;                   // close the connection after writing them
  };
  virtual Batch Next() = 0;

  // An idle HTTP stream gets keepalive_bytes() every keepalive_interval() (SSE: a comment line); a
  // WebSocket gets pings instead, and is closed when the client has not answered for twice the interval.
  virtual std::chrono::milliseconds keepalive_interval() const = 0;
  virtual std::string keepalive_bytes() const = 0;
};

}  // namespace segue::serving
