// The Server-Sent Events wire shared by Segue's stream clients (SseClient, PushListeners): opening a push
// stream on a connected socket, and parsing one event's text.
//
// Contract: OpenEventStream writes `GET path` and reads the response head (blocking, on `socket`'s
// io_context); it fails (kUnavailable / kInternal with the reason) unless the head is 200 with
// text/event-stream. Bytes read past the head are left in *pending. ParseSseEvent reads the fields of one
// event's text (without its blank-line terminator), skipping comment lines.
// Thread-safety: plain functions; the socket belongs to the caller.
#pragma once

#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

#include "common/status.h"
#include "replay/sse_client.h"

namespace segue {

Status OpenEventStream(boost::asio::ip::tcp::socket& socket, const std::string& host, const std::string& path,
                       std::string* pending);

SseEvent ParseSseEvent(std::string_view text);

}  // namespace segue
