#include "recommend/listening_feed.h"

#include "recommend/history_builder.h"

namespace segue::recommend {

void ListeningFeed::OnPlayEnded(std::string_view user_id, const SessionState& after, const ApplyOutcome& outcome) {
  const PlayRecord* ended = EndedPlay(after, outcome);
  if (ended == nullptr) return;
  history_->Observe(user_id, *ended, PlayStartMs(after, *ended));
  baselines_->ObservePlay(after, *ended);
}

}  // namespace segue::recommend
