#include "recommend/own_history.h"

#include <algorithm>
#include <cmath>

#include "features/engagement.h"
#include "recommend/score_accumulator.h"

namespace segue::recommend {

Status OwnHistoryRetriever::Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const {
  out->clear();
  const double half_life = static_cast<double>(std::max<int64_t>(1, half_life_ms_));
  auto score = [&](uint32_t engaged, uint32_t plays, uint32_t skips, int64_t last_ms) {
    if (engaged == 0 && skips >= plays) return 0.f;
    const double age = static_cast<double>(std::max<int64_t>(0, query.now_ms - last_ms));
    return static_cast<float>((1.0 + engaged) * std::exp2(-age / half_life));
  };
  ScoreAccumulator acc;
  std::vector<uint32_t> known;
  if (query.history != nullptr) {
    for (const HistoryEntry& e : query.history->tracks) {
      acc.Add(e.track, score(e.engaged, e.plays, e.skips, e.last_ms));
      known.push_back(e.track);
    }
  }
  std::sort(known.begin(), known.end());
  if (query.session != nullptr) {
    for (const PlayRecord& p : query.session->plays) {
      if (p.track == 0 || std::binary_search(known.begin(), known.end(), p.track)) continue;
      const bool engaged = IsEngagedPlay(p);
      acc.Add(p.track, score(engaged ? 1 : 0, 1, p.skipped() ? 1 : 0, query.session->start_ms + p.start_offset_ms));
    }
  }
  acc.TopN(n, out);
  return Status::Ok();
}

}  // namespace segue::recommend
