#include "recommend/artist_retriever.h"

#include <algorithm>
#include <utility>

#include "recommend/session_context.h"

namespace segue::recommend {

Status ArtistRetriever::Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const {
  out->clear();
  std::vector<std::pair<uint32_t, float>> artists;
  float total = 0;
  for (const ContextPlay& c : RecentContext(query.session, context_plays_, decay_)) {
    const uint32_t artist = model_.catalog().Meta(c.track).artist;
    if (artist == 0) continue;
    auto it = std::find_if(artists.begin(), artists.end(), [&](const auto& a) { return a.first == artist; });
    if (it == artists.end()) {
      artists.emplace_back(artist, c.weight);
    } else {
      it->second += c.weight;
    }
    total += c.weight;
  }
  if (artists.empty()) return Status::Ok();
  for (auto& a : artists) a.second /= total;
  model_.TopForArtists(artists, n, out);
  return Status::Ok();
}

}  // namespace segue::recommend
