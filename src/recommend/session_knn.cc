#include "recommend/session_knn.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "features/engagement.h"
#include "recommend/score_accumulator.h"
#include "recommend/session_context.h"

namespace segue::recommend {

SessionKnnRetriever::SessionKnnRetriever(SessionKnnOptions options) : options_(options) {}

void SessionKnnRetriever::Grow(uint32_t track) {
  if (neighbours_.size() <= track) {
    neighbours_.resize(static_cast<size_t>(track) + 1, TopCounter(options_.neighbours));
    occurrences_.resize(static_cast<size_t>(track) + 1, 0);
  }
}

void SessionKnnRetriever::CoOccur(uint32_t track, std::span<const uint32_t> previous) {
  Grow(std::max(track, previous.empty() ? 0 : *std::ranges::max_element(previous)));
  // The previous tracks' lists lie scattered and are usually cold: start loading all of them before
  // updating any, so their cache misses overlap instead of following one another.
  for (uint32_t p : previous) neighbours_[p].Prefetch();
  ++occurrences_[track];
  for (uint32_t p : previous) {
    if (p == track) continue;
    neighbours_[track].Increment(p);
    neighbours_[p].Increment(track);
  }
}

void SessionKnnRetriever::ObserveSessionPlay(const SessionState& session, const PlayRecord& ended) {
  if (ended.track == 0 || !IsEngagedPlay(ended)) return;
  thread_local std::vector<uint32_t> previous;  // reused: no allocation per play on the pipeline's workers
  previous.clear();
  const PlayRecord* first = session.plays.data();
  for (const PlayRecord* p = &ended; p != first && previous.size() < options_.window;) {
    --p;
    if (p->track != 0 && IsEngagedPlay(*p)) previous.push_back(p->track);
  }
  std::unique_lock lock(mu_);
  CoOccur(ended.track, previous);
}

void SessionKnnRetriever::ObserveSequence(std::span<const uint32_t> tracks) {
  std::unique_lock lock(mu_);
  for (size_t i = 0; i < tracks.size(); ++i) {
    if (tracks[i] == 0) continue;
    const size_t from = i > options_.window ? i - options_.window : 0;
    CoOccur(tracks[i], tracks.subspan(from, i - from));
  }
}

Status SessionKnnRetriever::Retrieve(const RetrievalQuery& query, size_t n, std::vector<Candidate>* out) const {
  out->clear();
  const std::vector<ContextPlay> context = RecentContext(query.session, options_.context_plays, options_.decay);
  ScoreAccumulator acc;
  {
    std::shared_lock lock(mu_);
    for (const ContextPlay& c : context) {
      if (c.track >= neighbours_.size() || occurrences_[c.track] == 0) continue;
      const float ni = static_cast<float>(occurrences_[c.track]);
      for (const TrackCount& nb : neighbours_[c.track].top()) {
        if (nb.guaranteed() == 0) continue;
        const float nj = static_cast<float>(occurrences_[nb.track]) + options_.shrink;
        acc.Add(nb.track, c.weight * static_cast<float>(nb.guaranteed()) / std::sqrt(ni * nj));
      }
    }
  }
  acc.TopN(n, out);
  return Status::Ok();
}

}  // namespace segue::recommend
