#include "events/json_batch.h"

#include <cstring>

namespace segue {

namespace {

simdjson::dom::parser& ThreadParser() {
  // One per thread: the parser's buffers are reused across requests instead of reallocated per body.
  thread_local simdjson::dom::parser parser;
  return parser;
}

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// Calls fn(line) for every non-blank line; stops early when fn returns false.
template <typename Fn>
void ForEachNonBlankLine(std::string_view body, Fn&& fn) {
  size_t pos = 0;
  while (pos < body.size()) {
    const void* nl = std::memchr(body.data() + pos, '\n', body.size() - pos);
    const size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - body.data()) : body.size();
    const std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    if (!IsBlank(line) && !fn(line)) return;
  }
}

Status EmptyBody(std::string_view noun) {
  return Status::InvalidArgument("request body is empty: expected a JSON array or NDJSON of " + std::string(noun));
}

}  // namespace

std::string_view JsonTypeName(simdjson::dom::element_type type) {
  using T = simdjson::dom::element_type;
  switch (type) {
    case T::ARRAY: return "an array";
    case T::OBJECT: return "an object";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE: return "a number";
    case T::STRING: return "a string";
    case T::BOOL: return "a boolean";
    case T::NULL_VALUE: return "null";
  }
  return "an unknown value";
}

bool SetFieldError(std::string_view field, std::string error, FieldError* err) {
  err->field.assign(field.data(), field.size());
  err->error = std::move(error);
  return false;
}

bool ReadJsonString(simdjson::dom::element v, std::string_view field, size_t max_bytes, bool nonempty,
                    std::string* out, FieldError* err) {
  if (v.type() != simdjson::dom::element_type::STRING) {
    return SetFieldError(field, "must be a string, got " + std::string(JsonTypeName(v.type())), err);
  }
  const std::string_view s = v.get_string().value_unsafe();
  if (s.size() > max_bytes) {
    return SetFieldError(field, "longer than " + std::to_string(max_bytes) + " bytes (" + std::to_string(s.size()) + ")",
                         err);
  }
  if (s.empty() && nonempty) return SetFieldError(field, "must not be empty", err);
  out->assign(s.data(), s.size());
  return true;
}

std::string EchoForError(std::string_view value, size_t max_bytes) {
  size_t cut = value.size();
  if (cut > max_bytes) {
    cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  }
  std::string out;
  out.reserve(cut + 5);
  out.push_back('"');
  out.append(value.data(), cut);
  if (cut < value.size()) out.append("...");
  out.push_back('"');
  return out;
}

namespace {

// Valid JSON that simdjson's DOM cannot represent: a number beyond double range or 64-bit integers.
bool IsNumberRangeError(simdjson::error_code err) {
  return err == simdjson::NUMBER_ERROR || err == simdjson::NUMBER_OUT_OF_RANGE;
}

// The dotted path of the first number in `v` that does not parse ("" when none is found).
std::string FindBadNumber(simdjson::ondemand::value v, const std::string& path) {
  simdjson::ondemand::json_type type;
  if (v.type().get(type)) return "";
  switch (type) {
    case simdjson::ondemand::json_type::number: {
      simdjson::ondemand::number n;
      return v.get_number().get(n) ? path : "";
    }
    case simdjson::ondemand::json_type::object: {
      simdjson::ondemand::object object;
      if (v.get_object().get(object)) return "";
      for (auto field : object) {
        std::string_view key;
        simdjson::ondemand::value child;
        if (field.unescaped_key().get(key) || field.value().get(child)) return "";
        std::string found = FindBadNumber(child, path.empty() ? std::string(key) : path + "." + std::string(key));
        if (!found.empty()) return found;
      }
      return "";
    }
    case simdjson::ondemand::json_type::array: {
      simdjson::ondemand::array array;
      if (v.get_array().get(array)) return "";
      size_t i = 0;
      for (auto item : array) {
        simdjson::ondemand::value child;
        if (item.get(child)) return "";
        std::string found = FindBadNumber(child, path + "[" + std::to_string(i++) + "]");
        if (!found.empty()) return found;
      }
      return "";
    }
    default:
      return "";
  }
}

// Rejects one element (a standalone JSON text) whose DOM parse failed on a number, naming the field.
void ReportBadNumber(std::string_view element_json, size_t index, const MalformedElementFn& on_malformed) {
  const std::string error = "number out of range (beyond a double, or an integer beyond 64 bits)";
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(element_json);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) return on_malformed(index, "", error);
  for (auto field : object) {
    std::string_view key;
    simdjson::ondemand::value child;
    if (field.unescaped_key().get(key) || field.value().get(child)) break;
    std::string found = FindBadNumber(child, std::string(key));
    if (!found.empty()) return on_malformed(index, found, error);
  }
  on_malformed(index, "", error);
}

// The slow path of a JSON array body that the DOM refused for an out-of-range number: the array is
// walked with the on-demand API (which parses numbers only when asked), and each element parsed alone.
Status ForEachArrayElementAlone(const simdjson::padded_string& body, size_t max_elements, std::string_view noun,
                                const BatchElementFn& on_element, const MalformedElementFn& on_malformed) {
  simdjson::ondemand::parser walker;
  simdjson::ondemand::document doc;
  simdjson::ondemand::array array;
  if (auto err = walker.iterate(body).get(doc); err) {
    return Status::InvalidArgument("request body is not valid JSON: " + std::string(simdjson::error_message(err)));
  }
  if (auto err = doc.get_array().get(array); err) {
    return Status::InvalidArgument("request body must be a JSON array of " + std::string(noun));
  }
  // Raw texts first (they point into `body`), so the count limit is checked before any callback runs.
  std::vector<std::string_view> elements;
  for (auto item : array) {
    simdjson::ondemand::value v;
    simdjson::ondemand::json_type type;
    std::string_view raw;
    simdjson::error_code err = item.get(v);
    if (!err) err = v.type().get(type);
    if (!err) {
      if (type == simdjson::ondemand::json_type::object) {
        simdjson::ondemand::object o;
        err = v.get_object().get(o);
        if (!err) err = o.raw_json().get(raw);
      } else if (type == simdjson::ondemand::json_type::array) {
        simdjson::ondemand::array a;
        err = v.get_array().get(a);
        if (!err) err = a.raw_json().get(raw);
      } else {
        raw = v.raw_json_token();
      }
    }
    if (err) {
      return Status::InvalidArgument("request body is not valid JSON: " + std::string(simdjson::error_message(err)));
    }
    elements.push_back(raw);
    if (elements.size() > max_elements) {
      return Status::ResourceExhausted("batch holds more than the limit of " + std::to_string(max_elements) + " " +
                                       std::string(noun));
    }
  }
  simdjson::dom::parser& parser = ThreadParser();
  for (size_t index = 0; index < elements.size(); ++index) {
    simdjson::dom::element element;
    if (auto err = parser.parse(elements[index].data(), elements[index].size(), true).get(element); err) {
      if (IsNumberRangeError(err)) {
        ReportBadNumber(elements[index], index, on_malformed);
      } else {
        on_malformed(index, "", "element is not valid JSON: " + std::string(simdjson::error_message(err)));
      }
      continue;
    }
    on_element(index, element);
  }
  return Status::Ok();
}

}  // namespace

Status ForEachBatchElement(std::string_view body, BodyFormat format, size_t max_elements, std::string_view noun,
                           const BatchElementFn& on_element, const MalformedElementFn& on_malformed) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return EmptyBody(noun);
  // One padded copy of the body lets simdjson parse it (or each NDJSON line inside it) in place.
  const simdjson::padded_string padded(body);
  simdjson::dom::parser& parser = ThreadParser();

  if (format == BodyFormat::kJsonArray) {
    simdjson::dom::element root;
    if (auto err = parser.parse(padded).get(root); err) {
      if (IsNumberRangeError(err)) return ForEachArrayElementAlone(padded, max_elements, noun, on_element, on_malformed);
      return Status::InvalidArgument("request body is not valid JSON: " + std::string(simdjson::error_message(err)));
    }
    if (root.type() != simdjson::dom::element_type::ARRAY) {
      return Status::InvalidArgument("request body must be a JSON array of " + std::string(noun) + ", got " +
                                     std::string(JsonTypeName(root.type())));
    }
    const simdjson::dom::array array = root.get_array().value_unsafe();
    const size_t count = array.size();
    if (count > max_elements) {
      return Status::ResourceExhausted("batch holds " + std::to_string(count) + " " + std::string(noun) +
                                       ", more than the limit of " + std::to_string(max_elements));
    }
    size_t index = 0;
    for (simdjson::dom::element element : array) on_element(index++, element);
    return Status::Ok();
  }

  size_t count = 0;
  ForEachNonBlankLine(body, [&](std::string_view) { return ++count <= max_elements; });
  if (count > max_elements) {
    return Status::ResourceExhausted("batch holds more than the limit of " + std::to_string(max_elements) + " " +
                                     std::string(noun));
  }
  size_t index = 0;
  const std::string_view in_place(padded.data(), padded.size());
  ForEachNonBlankLine(in_place, [&](std::string_view line) {
    simdjson::dom::element element;
    // realloc_if_needed = false: the line lies inside the padded copy, so the padding is readable.
    if (auto err = parser.parse(line.data(), line.size(), false).get(element); err) {
      if (IsNumberRangeError(err)) {
        ReportBadNumber(line, index, on_malformed);
      } else {
        on_malformed(index, "", "line is not valid JSON: " + std::string(simdjson::error_message(err)));
      }
    } else {
      on_element(index, element);
    }
    ++index;
    return true;
  });
  return Status::Ok();
}

Status WithParsedDocument(std::string_view json, const std::function<void(simdjson::dom::element)>& fn) {
  simdjson::dom::element element;
  if (auto err = ThreadParser().parse(json.data(), json.size(), true).get(element); err) {
    return Status::InvalidArgument("not valid JSON: " + std::string(simdjson::error_message(err)));
  }
  fn(element);
  return Status::Ok();
}

}  // namespace segue
