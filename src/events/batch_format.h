// The shapes shared by every JSON batch endpoint (`POST /v1/events`, `POST /v1/tracks`): how the body is
// framed and how a per-element problem is reported back to the client. Plain value types.
#pragma once

#include <cstddef>
#include <string>

namespace segue {

enum class BodyFormat {
  kJsonArray,  // one JSON array of objects; a malformed body is a whole-request error
  kNdjson,     // one object per line; blank lines are skipped, a malformed line rejects only that element
};

// One element that was not accepted. `index` counts elements from 0 in body order (in NDJSON, blank lines
// are not elements); `field` is the dotted path of the offending field ("ts", "context.shuffle") or ""
// when the element as a whole is wrong; `error` says what is wrong in plain words.
struct Rejection {
  size_t index = 0;
  std::string field;
  std::string error;

  bool operator==(const Rejection&) const = default;
};

}  // namespace segue
