#include "importers/import_summary.h"

#include <iostream>

#include "events/event_json.h"

namespace segue {

namespace {

void AppendCounts(const std::map<std::string, uint64_t>& counts, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& [key, n] : counts) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(key, out);
    out->push_back(':');
    out->append(std::to_string(n));
  }
  out->push_back('}');
}

std::map<std::string, uint64_t> ByTypeName(const std::array<uint64_t, kEventTypeCount>& by_type) {
  std::map<std::string, uint64_t> out;
  for (int t = 0; t < kEventTypeCount; ++t) {
    if (by_type[t] > 0) out[std::string(EventTypeName(static_cast<EventType>(t)))] = by_type[t];
  }
  return out;
}

std::string TextCounts(const std::map<std::string, uint64_t>& counts) {
  std::string s;
  for (const auto& [key, n] : counts) s += (s.empty() ? "" : ", ") + key + " " + std::to_string(n);
  return s.empty() ? "none" : s;
}

}  // namespace

uint64_t ImportSummary::events_written() const {
  uint64_t n = 0;
  for (uint64_t c : events_by_type) n += c;
  return n;
}

std::string ImportSummary::ToJson() const {
  std::string out = "{\"format\":";
  AppendJsonString(format, &out);
  out += ",\"files\":";
  AppendCounts(files, &out);
  out += ",\"records_read\":" + std::to_string(records_read);
  out += ",\"events_written\":" + std::to_string(events_written());
  out += ",\"events_by_type\":";
  AppendCounts(ByTypeName(events_by_type), &out);
  out += ",\"tracks_written\":" + std::to_string(tracks_written);
  out += ",\"playlists_written\":" + std::to_string(playlists_written);
  out += ",\"skipped\":";
  AppendCounts(skipped, &out);
  out += ",\"notes\":";
  AppendCounts(notes, &out);
  out.push_back('}');
  return out;
}

std::string ImportSummary::ToText() const {
  uint64_t skipped_total = 0;
  for (const auto& [reason, n] : skipped) skipped_total += n;
  std::string s = "import " + format + ": files: " + TextCounts(files) + "\n";
  s += "  records read: " + std::to_string(records_read) + "\n";
  if (format == "mpd") {
    s += "  playlists written: " + std::to_string(playlists_written) + "\n";
  } else if (format != "catalog") {
    s += "  events written: " + std::to_string(events_written()) + " (" + TextCounts(ByTypeName(events_by_type)) +
         ")\n";
  }
  if (format == "catalog" || tracks_written > 0) s += "  tracks written: " + std::to_string(tracks_written) + "\n";
  s += "  records skipped: " + std::to_string(skipped_total) + " (" + TextCounts(skipped) + ")\n";
  if (!notes.empty()) s += "  notes: " + TextCounts(notes) + "\n";
  return s;
}

void ImportProgress::Record(uint64_t records_read) {
  if (enabled_ && records_read % every_ == 0) {
    std::cerr << "segue import: " << records_read << " records read\n";
  }
}

}  // namespace segue
