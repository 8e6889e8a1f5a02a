#include "recommend/diversity_filter.h"

#include <algorithm>
#include <limits>

namespace segue::recommend {
namespace {

float Dot(const float* a, const float* b, int dim) {
  float s = 0;
  for (int i = 0; i < dim; ++i) s += a[i] * b[i];
  return s;
}

// For each item, its largest similarity to the picks so far, updated as picks are made.
void UpdateMaxSimilarity(const std::vector<const float*>& emb, int dim, size_t picked, const std::vector<bool>& taken,
                         std::vector<float>* max_sim) {
  if (!emb[picked]) return;
  for (size_t i = 0; i < emb.size(); ++i) {
    if (!taken[i] && emb[i]) (*max_sim)[i] = std::max((*max_sim)[i], Dot(emb[i], emb[picked], dim));
  }
}

}  // namespace

std::vector<RankedTrack> MaximalMarginalRelevance(const std::vector<RankedTrack>& items,
                                                  const std::vector<const float*>& embeddings, int dim, size_t k,
                                                  float lambda) {
  if (items.empty()) return {};
  const auto [lo, hi] = std::minmax_element(items.begin(), items.end(),
                                            [](const RankedTrack& a, const RankedTrack& b) { return a.score < b.score; });
  const float range = std::max(hi->score - lo->score, 1e-6f);
  std::vector<bool> taken(items.size(), false);
  std::vector<float> max_sim(items.size(), std::numeric_limits<float>::lowest());
  std::vector<RankedTrack> out;
  out.reserve(items.size());
  for (size_t round = 0; round < std::min(k, items.size()); ++round) {
    size_t best = items.size();
    float best_value = std::numeric_limits<float>::lowest();
    for (size_t i = 0; i < items.size(); ++i) {
      if (taken[i]) continue;
      const float relevance = (items[i].score - lo->score) / range;
      const float redundancy = round == 0 || !embeddings[i] ? 0.f : std::max(max_sim[i], 0.f);
      const float value = lambda * relevance - (1 - lambda) * redundancy;
      if (value > best_value) best = i, best_value = value;
    }
    const auto first_free = static_cast<size_t>(std::find(taken.begin(), taken.end(), false) - taken.begin());
    taken[best] = true;
    out.push_back(items[best]);
    // Picked ahead of a higher-scored track that was still available: chosen for variety.
    if (best != first_free) out.back().reasons |= kReasonDiversified;
    UpdateMaxSimilarity(embeddings, dim, best, taken, &max_sim);
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (!taken[i]) out.push_back(items[i]);
  }
  return out;
}

void DiversityFilter::Apply(const FilterContext& c, std::vector<RankedTrack>* items) const {
  switch (c.options.diversity) {
    case DiversityMode::kNone: return;
    case DiversityMode::kArtistCap: return CapPerArtist(c.options.max_per_artist, c.k, items);
    case DiversityMode::kMmr: break;
  }
  if (!c.embeddings) return CapPerArtist(c.options.max_per_artist, c.k, items);
  std::vector<const float*> emb(items->size());
  for (size_t i = 0; i < items->size(); ++i) emb[i] = c.embeddings->Find((*items)[i].track);
  *items = MaximalMarginalRelevance(*items, emb, c.embeddings->dim(), c.k, c.options.mmr_lambda);
}

void DiversityFilter::CapPerArtist(uint32_t cap, size_t k, std::vector<RankedTrack>* items) const {
  // Only the first k kept matter (this filter is the last): at most k artists to count, in a flat array.
  std::vector<std::pair<uint32_t, uint32_t>> per_artist;  // artist -> kept
  size_t kept = 0;
  for (size_t i = 0; i < items->size() && kept < k; ++i) {
    const RankedTrack t = (*items)[i];
    const uint32_t artist = catalog_.Meta(t.track).artist;
    auto it = std::find_if(per_artist.begin(), per_artist.end(), [&](const auto& p) { return p.first == artist; });
    if (artist != 0 && it == per_artist.end()) it = per_artist.insert(per_artist.end(), {artist, 0});
    if (artist != 0 && ++it->second > cap) continue;
    (*items)[kept++] = t;
  }
  items->resize(kept);
}

}  // namespace segue::recommend
