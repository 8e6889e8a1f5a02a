// Splits a batch body (JSON array or NDJSON) into its JSON elements with simdjson's DOM parser. Internal
// to the batch parsers (event_parser.cc, catalog/track_json.cc): it pulls in simdjson.h, so keep it out of
// widely included headers.
//
// Contract:
//  - kJsonArray: the whole body must parse and be an array, else kInvalidArgument with simdjson's reason
//    and, where known, the byte offset; more than `max_elements` elements → kResourceExhausted. A number
//    that is valid JSON but out of range (1e400, a 23-digit integer) fails only the element holding it:
//    it is passed to `on_malformed` with the field path, and the other elements go on.
//  - kNdjson: each non-blank line ("\n" or "\r\n" terminated, last line may be unterminated) is one
//    element; a line that is not valid JSON is passed to `on_malformed` with its index, the rest go on;
//    more than `max_elements` non-blank lines → kResourceExhausted (before any callback runs).
//  - An empty body (or only whitespace) is kInvalidArgument: a batch must hold at least one element.
//  - The elements handed to `on_element` are valid only during the callback.
// Thread-safety: reentrant; uses one simdjson parser per thread, whose buffers grow to the largest body
// seen on that thread (bounded by the server's body limit).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "common/status.h"
#include "events/batch_format.h"

namespace segue {

using BatchElementFn = std::function<void(size_t index, simdjson::dom::element element)>;
// `field`: the dotted path of the offending value where it is known, "" for the element as a whole.
using MalformedElementFn = std::function<void(size_t index, std::string field, std::string error)>;

// `noun` names the elements in messages ("events", "tracks").
Status ForEachBatchElement(std::string_view body, BodyFormat format, size_t max_elements, std::string_view noun,
                           const BatchElementFn& on_element, const MalformedElementFn& on_malformed);

// Parses one standalone JSON document (e.g. a single event); the element is valid during the callback.
Status WithParsedDocument(std::string_view json, const std::function<void(simdjson::dom::element)>& fn);

// What is wrong with one element: the dotted field path ("" for the element itself) and the reason.
struct FieldError {
  std::string field;
  std::string error;
};

// Shared checks for the element decoders. Each returns true on success; on failure fills *err, returns false.
bool SetFieldError(std::string_view field, std::string error, FieldError* err);
// A string of at most `max_bytes`; `nonempty` rejects "" (ids), otherwise "" is stored as is.
bool ReadJsonString(simdjson::dom::element v, std::string_view field, size_t max_bytes, bool nonempty,
                    std::string* out, FieldError* err);

// The loop every batch parser shares: decode(element, T*, FieldError*) -> bool turns one element into a
// T; successes go to *items (with their body position in *source_index), failures to *rejected.
template <typename T, typename DecodeFn>
Status DecodeBatch(std::string_view body, BodyFormat format, size_t max_elements, std::string_view noun,
                   DecodeFn&& decode, std::vector<T>* items, std::vector<size_t>* source_index,
                   std::vector<Rejection>* rejected) {
  FieldError err;
  return ForEachBatchElement(
      body, format, max_elements, noun,
      [&](size_t index, simdjson::dom::element element) {
        items->emplace_back();
        if (decode(element, &items->back(), &err)) {
          source_index->push_back(index);
        } else {
          items->pop_back();
          rejected->push_back({index, std::move(err.field), std::move(err.error)});
        }
      },
      [&](size_t index, std::string field, std::string error) {
        rejected->push_back({index, std::move(field), std::move(error)});
      });
}

// One standalone document decoded the same way; errors are kInvalidArgument "FIELD: REASON".
template <typename T, typename DecodeFn>
Result<T> DecodeDocument(std::string_view json, DecodeFn&& decode) {
  T item;
  FieldError err;
  bool ok = false;
  Status status = WithParsedDocument(json, [&](simdjson::dom::element element) { ok = decode(element, &item, &err); });
  if (!status.ok()) return status;
  if (!ok) return Status::InvalidArgument(err.field.empty() ? err.error : err.field + ": " + err.error);
  return item;
}

// "an object", "a string", "a number", ... for messages like "must be a string, got a number".
std::string_view JsonTypeName(simdjson::dom::element_type type);

// The value quoted for an error message, cut (at a UTF-8 boundary, with "...") after `max_bytes`.
std::string EchoForError(std::string_view value, size_t max_bytes = 40);

}  // namespace segue
