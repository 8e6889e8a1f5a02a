// Request framing rules the HTTP server applies on top of Beast's parser, so that no byte of a request
// can be read as the start of another one (request smuggling) and a broken client cannot hang a
// connection. Pure functions over header values and buffered bytes; reentrant.
//
// RFC 9112 §6: the only transfer coding Segue decodes is a single "chunked". A Transfer-Encoding whose
// final coding is not chunked, or that arrives with Content-Length or in an HTTP/1.0 request, makes the
// body length unknowable: 400, and the connection is closed. A well-formed list with another coding
// before "chunked" ("gzip, chunked") is valid HTTP that Segue does not implement: 501, closed too.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>

#include "serving/http_message.h"

namespace segue::serving {

struct FramingError {
  int status;           // 400 or 501; the connection must be closed after answering
  std::string message;  // for the JSON error body
};

// Checks the Transfer-Encoding field values (each occurrence of the field, in order) against
// Content-Length presence and the HTTP version (10 or 11). nullopt: the framing is acceptable.
std::optional<FramingError> CheckTransferEncoding(const std::vector<std::string_view>& transfer_encodings,
                                                  bool has_content_length, unsigned version);

// True when `unparsed` (bytes read but not yet consumed by the chunked-body parser: a chunk-size line,
// a chunk's trailing CRLF or the trailer section) holds a LF that is not preceded by CR. Beast waits
// for a CRLF that will never come in that case; the server answers 400 instead of timing out.
bool HasBareLineFeed(std::string_view unparsed);

// The origin-form path + query of a request target. Absolute-form targets ("http://host:port/p?q",
// RFC 9112 §3.2.2, sent by clients talking to a proxy) become "/p?q" ("/" when the path is empty);
// origin-form targets are returned as they are.
std::string_view OriginFormTarget(std::string_view target);

// The handlers' method for a Beast request's verb (kOther for the verbs Segue routes none of).
HttpMethod MethodOf(boost::beast::http::verb verb);

}  // namespace segue::serving
