#include "recommend/playlist_file.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "importers/csv_table.h"

namespace segue::recommend {
namespace {

Status LineError(const std::string& path, size_t line, const std::string& what) {
  return Status::InvalidArgument(path + ": line " + std::to_string(line) + ": " + what);
}

Result<PlaylistTracks> ParsePlaylistLine(const std::string& path, size_t line_no, const std::string& line,
                                         Catalog* catalog) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return LineError(path, line_no, "not a JSON object");
  PlaylistTracks p;
  auto id = j.find("playlist_id");
  if (id == j.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    return LineError(path, line_no, "field 'playlist_id': expected a non-empty string");
  }
  p.playlist_id = id->get<std::string>();
  auto modified = j.find("modified_at_ms");
  if (modified != j.end()) {
    if (!modified->is_number_integer()) return LineError(path, line_no, "field 'modified_at_ms': expected an integer");
    p.modified_at_ms = modified->get<int64_t>();
  }
  auto tracks = j.find("tracks");
  if (tracks == j.end() || !tracks->is_array()) return LineError(path, line_no, "field 'tracks': expected an array");
  for (const nlohmann::json& t : *tracks) {
    if (!t.is_string() || t.get_ref<const std::string&>().empty()) {
      return LineError(path, line_no, "field 'tracks': expected non-empty track id strings");
    }
    p.tracks.push_back(catalog->InternTrack(t.get_ref<const std::string&>()));
  }
  return p;
}

Result<std::vector<PlaylistTracks>> ReadNdjson(const std::string& path, Catalog* catalog) {
  std::ifstream in(path);
  if (!in) return Status::IoError(path + ": cannot open");
  std::vector<PlaylistTracks> out;
  std::string line;
  for (size_t line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Result<PlaylistTracks> p = ParsePlaylistLine(path, line_no, line, catalog);
    if (!p.ok()) return p.status();
    out.push_back(std::move(*p));
  }
  return out;
}

constexpr std::array<std::string_view, 2> kCsvColumns = {"playlist_id", "track_id"};

Result<std::vector<PlaylistTracks>> ReadCsv(const std::string& path, Catalog* catalog) {
  Result<CsvTable> table = CsvTable::Open(path, kCsvColumns);
  if (!table.ok()) return table.status();
  std::vector<PlaylistTracks> out;
  std::unordered_map<std::string, size_t> index;
  while (true) {
    Result<bool> row = table->Next();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (table->Get(0).empty()) return table->Error(0, "empty playlist id");
    if (table->Get(1).empty()) return table->Error(1, "empty track id");
    auto [it, inserted] = index.try_emplace(table->Get(0), out.size());
    if (inserted) out.push_back({table->Get(0), 0, {}});
    std::vector<uint32_t>& tracks = out[it->second].tracks;
    const uint32_t track = catalog->InternTrack(table->Get(1));
    if (std::find(tracks.begin(), tracks.end(), track) == tracks.end()) tracks.push_back(track);
  }
  return out;
}

}  // namespace

Result<std::vector<PlaylistTracks>> ReadPlaylistFile(const std::string& path, Catalog* catalog) {
  const bool csv = path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0;
  Result<std::vector<PlaylistTracks>> out = csv ? ReadCsv(path, catalog) : ReadNdjson(path, catalog);
  if (out.ok() && out->empty()) return Status::InvalidArgument(path + ": no playlist in the file");
  return out;
}

}  // namespace segue::recommend
