#include "serving/http_framing.h"

#include <cctype>

namespace segue::serving {
namespace {

bool IsTokenChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<FramingError> CheckTransferEncoding(const std::vector<std::string_view>& transfer_encodings,
                                                  bool has_content_length, unsigned version) {
  if (transfer_encodings.empty()) return std::nullopt;
  if (version < 11) return FramingError{400, "Transfer-Encoding is not allowed in an HTTP/1.0 request"};
  if (has_content_length) {
    return FramingError{400, "a request must not carry both Transfer-Encoding and Content-Length"};
  }
  // The codings of all occurrences form one list (RFC 9110 §5.3). Parameters (";q=...") are not allowed
  // on a coding Segue would accept anyway, so a ';' simply makes the coding unknown.
  std::vector<std::string> codings;
  for (std::string_view field : transfer_encodings) {
    size_t start = 0;
    for (;;) {
      size_t comma = field.find(',', start);
      std::string_view item = TrimOws(field.substr(start, comma == std::string_view::npos ? comma : comma - start));
      if (!item.empty()) {
        for (char c : item) {
          if (!IsTokenChar(static_cast<unsigned char>(c)) && c != ';' && c != '=' && c != ' ' && c != '"') {
            return FramingError{400, "malformed Transfer-Encoding header"};
          }
        }
        codings.push_back(Lower(item));
      }
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  if (codings.empty()) return FramingError{400, "empty Transfer-Encoding header"};
  if (codings.back() != "chunked") {
    return FramingError{400, "Transfer-Encoding must end with \"chunked\" (the body length is unknown otherwise)"};
  }
  for (size_t i = 0; i + 1 < codings.size(); ++i) {
    if (codings[i] == "chunked") return FramingError{400, "\"chunked\" applied more than once in Transfer-Encoding"};
    return FramingError{501, "transfer coding \"" + codings[i] + "\" is not supported (only \"chunked\")"};
  }
  return std::nullopt;
}

bool HasBareLineFeed(std::string_view unparsed) {
  for (size_t i = 0; i < unparsed.size(); ++i) {
    if (unparsed[i] == '\n' && (i == 0 || unparsed[i - 1] != '\r')) return true;
  }
  return false;
}

std::string_view OriginFormTarget(std::string_view target) {
  if (target.empty() || target.front() == '/') return target;
  size_t scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos) return target;
  std::string_view scheme = target.substr(0, scheme_end);
  if (Lower(scheme) != "http" && Lower(scheme) != "https") return target;
  std::string_view rest = target.substr(scheme_end + 3);
  size_t path = rest.find_first_of("/?");
  return path == std::string_view::npos ? std::string_view("/") : rest.substr(path);
}

HttpMethod MethodOf(boost::beast::http::verb v) {
  using verb = boost::beast::http::verb;
  switch (v) {
    case verb::get: return HttpMethod::kGet;
    case verb::head: return HttpMethod::kHead;
    case verb::post: return HttpMethod::kPost;
    case verb::put: return HttpMethod::kPut;
    case verb::delete_: return HttpMethod::kDelete;
    case verb::patch: return HttpMethod::kPatch;
    case verb::options: return HttpMethod::kOptions;
    default: return HttpMethod::kOther;
  }
}

}  // namespace segue::serving
