#include "events/event.h"

#include <array>

namespace segue {

namespace {

// Indexed by the EventType value; the order is the wire vocabulary listed in error messages.
constexpr std::array<std::string_view, kEventTypeCount> kNames = {
    "play", "pause", "resume", "seek", "skip", "complete", "search", "exit", "like", "dislike",
};

}  // namespace

std::string_view EventTypeName(EventType type) {
  const auto i = static_cast<size_t>(type);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

std::optional<EventType> EventTypeFromName(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

bool EventTypeNeedsTrack(EventType type) {
  switch (type) {
    case EventType::kPlay:
    case EventType::kSkip:
    case EventType::kComplete:
    case EventType::kSeek:
    case EventType::kLike:
    case EventType::kDislike:
      return true;
    case EventType::kPause:
    case EventType::kResume:
    case EventType::kSearch:
    case EventType::kExit:
      return false;
  }
  return false;
}

}  // namespace segue
