#include "recommend/freshness_filter.h"

#include <algorithm>
#include <charconv>

#include "common/time_util.h"

namespace segue::recommend {
namespace {

constexpr int64_t kHourMs = 3600LL * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;

// Tracks the options exclude because they were played: in this session, or within the last N hours;
// sorted, for binary search (a session holds at most a few dozen plays: no hash set to allocate).
std::vector<uint32_t> PlayedToExclude(const FilterContext& c) {
  std::vector<uint32_t> out;
  const SessionState* s = c.query.session;
  const int64_t since = c.options.exclude_played_hours ? c.query.now_ms - c.options.exclude_played_hours * kHourMs
                                                       : INT64_MAX;
  if (s) {
    for (const PlayRecord& p : s->plays) {
      if (c.options.exclude_session || s->start_ms + p.start_offset_ms >= since) out.push_back(p.track);
    }
  }
  if (c.query.history && c.options.exclude_played_hours) {
    for (const HistoryEntry& h : c.query.history->tracks) {
      if (h.last_ms >= since) out.push_back(h.track);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The artist of the session's most recent skip, 0 when none (or unknown).
uint32_t LastSkippedArtist(const SessionState* s, const Catalog& catalog) {
  if (!s) return 0;
  for (auto it = s->plays.rbegin(); it != s->plays.rend(); ++it) {
    if (it->skipped()) return catalog.Meta(it->track).artist;
  }
  return 0;
}

std::optional<int> ParseField(std::string_view text) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<int64_t> ReleaseDay(std::string_view d) {
  if (d.size() != 4 && d.size() != 7 && d.size() != 10) return std::nullopt;
  if ((d.size() >= 7 && d[4] != '-') || (d.size() == 10 && d[7] != '-')) return std::nullopt;
  std::optional<int> year = ParseField(d.substr(0, 4));
  std::optional<int> month = d.size() >= 7 ? ParseField(d.substr(5, 2)) : std::optional<int>(1);
  std::optional<int> day = d.size() == 10 ? ParseField(d.substr(8, 2)) : std::optional<int>(1);
  if (!year || !month || !day || *month < 1 || *month > 12 || *day < 1 || *day > 31) return std::nullopt;
  return DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
}

void FreshnessFilter::Apply(const FilterContext& c, std::vector<RankedTrack>* items) const {
  const std::vector<uint32_t> played = PlayedToExclude(c);
  const uint32_t skipped_artist = c.options.exclude_skipped_artist ? LastSkippedArtist(c.query.session, catalog_) : 0;
  std::erase_if(*items, [&](const RankedTrack& t) {
    return std::binary_search(played.begin(), played.end(), t.track) ||
           (skipped_artist && catalog_.Meta(t.track).artist == skipped_artist);
  });
  if (c.options.new_release_boost > 0) BoostNewReleases(c, items);
}

void FreshnessFilter::BoostNewReleases(const FilterContext& c, std::vector<RankedTrack>* items) const {
  if (items->empty()) return;
  const auto [lo, hi] = std::minmax_element(items->begin(), items->end(),
                                            [](const RankedTrack& a, const RankedTrack& b) { return a.score < b.score; });
  const float boost = c.options.new_release_boost * std::max(hi->score - lo->score, 1e-6f);
  const int64_t today = c.query.now_ms / kDayMs;
  bool boosted = false;
  for (RankedTrack& t : *items) {
    std::optional<Track> track = catalog_.Get(catalog_.TrackIdOf(t.track));
    std::optional<int64_t> day = track ? ReleaseDay(track->release_date) : std::nullopt;
    if (!day || *day > today || today - *day > c.options.new_release_days) continue;
    t.score += boost;
    t.reasons |= kReasonNewRelease;
    boosted = true;
  }
  if (boosted) SortByScore(items);
}

}  // namespace segue::recommend
