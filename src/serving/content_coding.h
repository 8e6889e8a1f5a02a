// Request content codings (RFC 9110 §8.4): Content-Encoding "gzip" (and its alias "x-gzip") is decoded
// before a body reaches a handler; "identity" or no header leaves it as it is. Any other coding is
// refused with 415, so a body is never parsed as something it is not. Reentrant.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace segue::serving {

// Ok for a coding DecodeContentEncoding decodes; otherwise the kInvalidArgument it would return.
Status CheckContentEncoding(std::string_view coding);

// Decodes `body` per the Content-Encoding header value `coding` ("" when absent). Errors:
//  - kInvalidArgument with "unsupported content coding ..." for a coding other than gzip/identity
//    (the server answers 415);
//  - kResourceExhausted when the decoded body would exceed `limit` bytes (a decompression bomb: 413);
//    decoding stops there, so no more than `limit` bytes are ever allocated;
//  - kCorruption for a body that is not valid gzip (400).
Result<std::string> DecodeContentEncoding(std::string_view coding, std::string body, size_t limit);

}  // namespace segue::serving
