#include "replay/sse_wire.h"

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

namespace segue {

namespace net = boost::asio;

Status OpenEventStream(net::ip::tcp::socket& socket, const std::string& host, const std::string& path,
                       std::string* pending) {
  boost::system::error_code ec;
  net::write(socket, net::buffer("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/event-stream\r\n\r\n"), ec);
  const size_t head = ec ? 0 : net::read_until(socket, net::dynamic_buffer(*pending), "\r\n\r\n", ec);
  if (ec) return Status::Unavailable("reading the stream's response head: " + ec.message());
  const std::string head_text = pending->substr(0, head);
  pending->erase(0, head);
  if (head_text.rfind("HTTP/1.1 200", 0) != 0 || head_text.find("text/event-stream") == std::string::npos) {
    return Status::Internal("GET " + path + " did not open an event stream: " + head_text.substr(0, head_text.find('\r')));
  }
  return Status::Ok();
}

SseEvent ParseSseEvent(std::string_view text) {
  SseEvent e{"message", "", ""};
  bool first_data = true;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const size_t colon = line.find(':');
    if (line.empty() || colon == 0) continue;  // blank, or a comment
    std::string_view field = line.substr(0, colon), value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    if (field == "event") e.event = value;
    if (field == "id") e.id = value;
    if (field == "data") {
      if (!first_data) e.data += '\n';
      e.data += value;
      first_data = false;
    }
  }
  return e;
}

}  // namespace segue
