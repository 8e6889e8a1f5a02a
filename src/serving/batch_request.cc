#include "serving/batch_request.h"

#include <cctype>

#include "events/event_json.h"

namespace segue::serving {

std::optional<BodyFormat> BatchFormatOf(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && std::isspace(static_cast<unsigned char>(media.back()))) media.remove_suffix(1);
  while (!media.empty() && std::isspace(static_cast<unsigned char>(media.front()))) media.remove_prefix(1);
  std::string lower(media);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "application/json") return BodyFormat::kJsonArray;
  if (lower == "application/x-ndjson" || lower == "application/ndjson") return BodyFormat::kNdjson;
  return std::nullopt;
}

HttpResponse UnsupportedMediaType(std::string_view content_type) {
  std::string shown = content_type.empty() ? "no Content-Type" : "Content-Type '" + std::string(content_type) + "'";
  return JsonError(415, shown + " is not supported; send application/json (a JSON array) or "
                            "application/x-ndjson (one object per line)");
}

HttpResponse BatchParseError(const Status& status) {
  int code = 500;
  if (status.code() == StatusCode::kInvalidArgument) code = 400;
  if (status.code() == StatusCode::kResourceExhausted) code = 413;
  return JsonError(code, status.message());
}

void AppendRejectionsJson(const std::vector<Rejection>& rejected, std::string* out) {
  out->append("\"rejected\":[");
  for (size_t i = 0; i < rejected.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append("{\"index\":");
    out->append(std::to_string(rejected[i].index));
    out->append(",\"field\":");
    AppendJsonString(rejected[i].field, out);
    out->append(",\"error\":");
    AppendJsonString(rejected[i].error, out);
    out->push_back('}');
  }
  out->push_back(']');
}

}  // namespace segue::serving
