#include "importers/track_ids.h"

#include <cstdio>

#include "common/hash.h"

namespace segue {

std::string SpotifyTrackId(std::string_view uri) {
  constexpr std::string_view kPrefix = "spotify:track:";
  if (uri.starts_with(kPrefix)) uri.remove_prefix(kPrefix.size());
  return std::string(uri);
}

std::string BasicTrackId(std::string_view artist, std::string_view title) {
  std::string key(artist);
  key.push_back('\x1f');
  key.append(title);
  char id[6 + 17];
  std::snprintf(id, sizeof id, "basic:%016llx", static_cast<unsigned long long>(Fnv1a64(key)));
  return id;
}

}  // namespace segue
