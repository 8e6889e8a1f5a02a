#include "models/held_out_metrics.h"

#include <cmath>
#include <vector>

#include "models/disengagement_bundle.h"
#include "models/metrics.h"
#include "models/retrieval_bundle.h"
#include "models/two_tower_encoder.h"

namespace segue {
namespace {

// Songs scoring strictly higher than row `positive` under the user vector `u`.
size_t Rank(const std::vector<float>& songs, size_t dim, const float* u, uint32_t positive) {
  const size_t n = songs.size() / dim;
  auto score = [&](size_t row) {
    float s = 0;
    for (size_t k = 0; k < dim; ++k) s += songs[row * dim + k] * u[k];
    return s;
  };
  const float target = score(positive);
  size_t above = 0;
  for (size_t r = 0; r < n; ++r) above += score(r) > target ? 1 : 0;
  return above;
}

}  // namespace

Result<double> DisengagementRocAuc(const std::string& bundle_dir, std::span<const FeatureVector> x,
                                   std::span<const uint8_t> y) {
  Result<ScoringBundle> bundle = LoadScoringBundle(bundle_dir);
  if (!bundle.ok()) return bundle.status();
  std::vector<float> scores;
  scores.reserve(x.size());
  for (const FeatureVector& f : x) scores.push_back(bundle->predictor->ScoreFresh(f));
  return RocAuc(scores, y);
}

Result<RetrievalRecall> RetrievalRecallOf(const std::string& bundle_dir, std::span<const SongFeatures> songs,
                                          std::span<const RetrievalPair> pairs) {
  Result<RetrievalBundle> bundle = LoadRetrievalBundle(bundle_dir);
  if (!bundle.ok()) return bundle.status();
  Result<std::shared_ptr<const SongEncoder>> song = SongEncoder::Create(bundle->architecture, bundle->weights);
  if (!song.ok()) return song.status();
  Result<std::shared_ptr<const UserEncoder>> user = UserEncoder::Create(bundle->architecture, bundle->weights);
  if (!user.ok()) return user.status();
  const size_t dim = static_cast<size_t>(bundle->architecture.embedding_dim);
  std::vector<float> embedded(songs.size() * dim), u(dim);
  (*song)->EmbedBatch(songs, embedded.data());
  size_t hits[3] = {0, 0, 0};
  for (const RetrievalPair& p : pairs) {
    if (p.song >= songs.size()) {
      return Status::InvalidArgument("a held-out pair names song row " + std::to_string(p.song) + " of " +
                                     std::to_string(songs.size()));
    }
    (*user)->Embed(p.user, p.day, u.data());
    const size_t rank = Rank(embedded, dim, u.data(), p.song);
    hits[0] += rank < 10;
    hits[1] += rank < 50;
    hits[2] += rank < 100;
  }
  RetrievalRecall r;
  r.queries = pairs.size();
  const double n = static_cast<double>(pairs.size());
  r.at10 = pairs.empty() ? NAN : static_cast<double>(hits[0]) / n;
  r.at50 = pairs.empty() ? NAN : static_cast<double>(hits[1]) / n;
  r.at100 = pairs.empty() ? NAN : static_cast<double>(hits[2]) / n;
  return r;
}

}  // namespace segue
