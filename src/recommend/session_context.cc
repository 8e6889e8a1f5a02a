#include "recommend/session_context.h"

#include "features/engagement.h"

namespace segue::recommend {

std::vector<ContextPlay> RecentContext(const SessionState* session, size_t max_plays, float decay) {
  std::vector<ContextPlay> out;
  if (session == nullptr) return out;
  float weight = 1.f;
  for (auto it = session->plays.rbegin(); it != session->plays.rend() && out.size() < max_plays; ++it) {
    if (it->track == 0 || !(it->end == PlayEnd::kOngoing || IsEngagedPlay(*it))) continue;
    out.push_back({it->track, weight});
    weight *= decay;
  }
  return out;
}

}  // namespace segue::recommend
