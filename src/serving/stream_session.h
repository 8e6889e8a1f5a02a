// The writing side of a long-lived response (message_stream.h), on a connection the HTTP server hands over
// after routing: an HTTP stream (Server-Sent Events) or a WebSocket.
//
//  - HTTP: writes the response head without a body length ("Connection: close", "Cache-Control:
//    no-cache"), then each message's bytes, and the stream's keep-alive bytes every keepalive_interval
//    while idle. Each write must finish within write_timeout or the connection is closed: a client that
//    stopped reading cannot hold a write forever. A read stays pending throughout so the client's close
//    is noticed at once (bytes it sends are discarded).
//  - WebSocket: accepts the upgrade (within write_timeout), then sends each message as a text frame.
//    Beast's WebSocket timeouts keep it alive and detect dead peers: a ping after keepalive_interval of
//    silence from the client, and the connection closed when it stays silent for twice that. Messages the
//    client sends are read (so pings and close frames are answered) and discarded; at most 4 KiB each.
//  - Only one write is in flight; messages the source buffers meanwhile are written together next, so a
//    slow client costs the source's buffer bound, never more.
//  - The stream ends (its source is dropped, the connection closed) when the source says so, on any
//    read or write error, and on Close. `owner` (the connection holding the socket and its admission
//    slot) is kept alive until the session is gone.
//
// Thread-safety: everything runs on the connection's strand (the stream's executor); Close must be called
// there too.
#pragma once

#include <chrono>
#include <memory>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "serving/http_message.h"

namespace segue::serving {

class StreamSession {
 public:
  virtual ~StreamSession() = default;
  virtual void Close() = 0;  // ends the stream (server stop); a WebSocket gets a "going away" close frame
};

// `response.stream` must be set; `version` is the request's HTTP version.
std::shared_ptr<StreamSession> StartHttpStream(boost::beast::tcp_stream& stream, HttpResponse response, unsigned version,
                                               std::chrono::milliseconds write_timeout, std::shared_ptr<void> owner);

std::shared_ptr<StreamSession> StartWebSocket(boost::beast::tcp_stream& stream,
                                              boost::beast::http::request<boost::beast::http::string_body> upgrade,
                                              std::shared_ptr<MessageStream> source,
                                              std::chrono::milliseconds write_timeout, std::shared_ptr<void> owner);

}  // namespace segue::serving
