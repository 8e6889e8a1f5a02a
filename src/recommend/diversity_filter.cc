#include "recommend/diversity_filter.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

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
    case DiversityMode::kArtistCap: return CapPerArtist(c.options.max_per_artist, items);
    case DiversityMode::kMmr: break;
  }
  if (!c.embeddings) return CapPerArtist(c.options.max_per_artist, items);
  std::vector<const float*> emb(items->size());
  for (size_t i = 0; i < items->size(); ++i) emb[i] = c.embeddings->Find((*items)[i].track);
  *items = MaximalMarginalRelevance(*items, emb, c.embeddings->dim(), c.k, c.options.mmr_lambda);
}

void DiversityFilter::CapPerArtist(uint32_t cap, std::vector<RankedTrack>* items) const {
  std::unordered_map<uint32_t, uint32_t> per_artist;
  std::erase_if(*items, [&](const RankedTrack& t) {
    const uint32_t artist = catalog_.Meta(t.track).artist;
    return artist != 0 && ++per_artist[artist] > cap;
  });
}

}  // namespace segue::recommend
