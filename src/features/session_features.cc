#include "features/session_features.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "common/hash.h"

namespace segue {
namespace {

constexpr int64_t kMsPerHour = 3'600'000;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;
constexpr int kRecentPlays = 5;

float Log1p(double v) { return static_cast<float>(std::log1p(std::max(0.0, v))); }

int UtcHour(int64_t epoch_ms) {
  int64_t in_day = epoch_ms % kMsPerDay;
  if (in_day < 0) in_day += kMsPerDay;
  return static_cast<int>(in_day / kMsPerHour);
}

// Milliseconds listened, counting an ongoing play up to the last event (not the wall clock, so the
// result depends on the event stream only).
uint32_t DwellMs(const SessionState& state, const PlayRecord& play) {
  if (play.end != PlayEnd::kOngoing || state.play_state != PlayState::kPlaying) return play.dwell_ms;
  int64_t running = state.last_event_ms - state.current_started_ms;
  return play.dwell_ms + static_cast<uint32_t>(std::clamp<int64_t>(running, 0, UINT32_MAX - play.dwell_ms));
}

}  // namespace

uint16_t TrackBucket(std::string_view track_id) {
  return static_cast<uint16_t>(1 + Fnv1a64(track_id) % (kTrackBuckets - 1));
}

uint8_t DayOfWeekBucket(int64_t epoch_ms) {
  if (epoch_ms <= 0) return 0;
  // 1970-01-01 was a Thursday: day 0 is weekday index 3 counting from Monday = 0.
  return static_cast<uint8_t>(1 + (epoch_ms / kMsPerDay + 3) % 7);
}

uint16_t ArtistBucket(std::string_view artist) {
  if (artist.empty()) return 0;
  return static_cast<uint16_t>(1 + Fnv1a64(artist) % (kArtistBuckets - 1));
}

void ComputeSessionFeatures(const SessionState& state, const Catalog& catalog, FeatureVector* out) {
  *out = FeatureVector{};
  const size_t n = std::min<size_t>(state.plays.size(), kSequenceLength);
  const size_t first = state.plays.size() - n;
  out->length = static_cast<int>(n);

  TrackMeta prev_meta;
  bool have_prev = false;
  if (first > 0) {
    prev_meta = catalog.Meta(state.plays[first - 1].track);
    have_prev = true;
  }
  TrackMeta last_meta;
  for (size_t i = 0; i < n; ++i) {
    const PlayRecord& play = state.plays[first + i];
    const TrackMeta meta = catalog.Meta(play.track);
    StepFeatures& step = out->steps[i];
    const std::string track_id = catalog.TrackIdOf(play.track);
    step.track = track_id.empty() ? 0 : TrackBucket(track_id);
    if (meta.known) {
      // Interned artist ids differ between processes; the bucket must hash the artist name.
      step.artist = ArtistBucket(catalog.ArtistOf(meta.artist));
      step.genre = static_cast<uint8_t>(std::min<int>(meta.genre, kGenreVocab - 1));
    }
    step.end = static_cast<uint8_t>(play.end);
    step.hour = static_cast<uint8_t>(1 + UtcHour(state.start_ms + play.start_offset_ms));

    auto& x = step.numeric;
    const uint32_t dwell = DwellMs(state, play);
    const uint32_t duration = play.duration_ms ? play.duration_ms : meta.duration_ms;
    x[kStepSkipped] = play.skipped() ? 1.f : 0.f;
    x[kStepLogDwellSec] = Log1p(dwell / 1000.0);
    x[kStepDwellRatio] = duration ? std::clamp(static_cast<float>(dwell) / duration, 0.f, 2.f) : 0.f;
    x[kStepDurationKnown] = duration ? 1.f : 0.f;
    x[kStepLogGapSec] = Log1p(play.gap_ms / 1000.0);
    x[kStepPopularity] = meta.known ? meta.popularity / 100.f : 0.f;
    x[kStepLogPauses] = Log1p(play.pauses);
    x[kStepLogSeeks] = Log1p(play.seeks);
    x[kStepFromRecommendation] = (play.flags & kPlayFromRecommendation) ? 1.f : 0.f;
    x[kStepAfterSearch] = (play.flags & kPlayAfterSearch) ? 1.f : 0.f;
    x[kStepFeedback] = (play.flags & kPlayLiked) ? 1.f : (play.flags & kPlayDisliked) ? -1.f : 0.f;
    x[kStepSameArtist] =
        have_prev && meta.known && prev_meta.known && meta.artist != 0 && meta.artist == prev_meta.artist ? 1.f
                                                                                                         : 0.f;
    x[kStepLanguageChange] = have_prev && meta.language != 0 && prev_meta.language != 0 &&
                                     meta.language != prev_meta.language
                                 ? 1.f
                                 : 0.f;
    x[kStepExplicit] = meta.known && meta.explicit_content ? 1.f : 0.f;
    prev_meta = meta;
    have_prev = true;
    last_meta = meta;
  }

  const SessionCounters& c = state.counters;
  const UserProfile& p = state.profile;
  const PlayRecord* current = state.current();
  const uint32_t ended = c.plays - (current != nullptr && c.plays > 0 ? 1 : 0);
  auto& ctx = out->context;
  ctx[kCtxLogConsecutiveSkips] = Log1p(c.consecutive_skips);
  ctx[kCtxSkipRate] = ended ? std::min(1.f, static_cast<float>(c.skips) / ended) : 0.f;
  ctx[kCtxLogPlays] = Log1p(c.plays);
  const double session_minutes = std::max<int64_t>(0, state.last_event_ms - state.start_ms) / 60000.0;
  ctx[kCtxLogSessionMinutes] = Log1p(session_minutes);
  ctx[kCtxLogSearches] = Log1p(c.searches);
  ctx[kCtxLogPauses] = Log1p(c.pauses);
  ctx[kCtxLogSeeks] = Log1p(c.seeks);
  int recent = 0, recent_skips = 0;
  for (auto it = state.plays.rbegin(); it != state.plays.rend() && recent < kRecentPlays; ++it) {
    if (it->end == PlayEnd::kOngoing) continue;
    ++recent;
    recent_skips += it->skipped() ? 1 : 0;
  }
  ctx[kCtxRecentSkipRate] = recent ? static_cast<float>(recent_skips) / recent : 0.f;
  const bool profile_known = p.sessions > 0;
  if (profile_known && ended > 0) ctx[kCtxSkipRateVsUsual] = ctx[kCtxSkipRate] - p.skip_rate();
  if (profile_known && recent > 0) ctx[kCtxRecentSkipRateVsUsual] = ctx[kCtxRecentSkipRate] - p.skip_rate();
  if (p.mean_session_minutes > 0) {
    ctx[kCtxSessionMinutesRatio] = std::clamp(static_cast<float>(session_minutes / p.mean_session_minutes), 0.f, 4.f);
  }
  int reported = 0;
  for (size_t i = first; i < state.plays.size(); ++i) reported += (state.plays[i].flags & kPlayContextReported) ? 1 : 0;
  ctx[kCtxContextReportedShare] = n ? static_cast<float>(reported) / static_cast<float>(n) : 0.f;
  ctx[kCtxLogDislikes] = Log1p(c.dislikes);
  ctx[kCtxLogLikes] = Log1p(c.likes);

  ctx[kCtxProfileKnown] = profile_known ? 1.f : 0.f;
  ctx[kCtxProfileSkipRate] = p.skip_rate();
  ctx[kCtxProfileLogSessionPlays] = Log1p(p.mean_session_plays);
  ctx[kCtxProfileLogSessionMinutes] = Log1p(p.mean_session_minutes);
  ctx[kCtxProfileLogSessions] = Log1p(p.sessions);
  ctx[kCtxSessionLengthRatio] =
      p.mean_session_plays > 0 ? std::clamp(static_cast<float>(c.plays) / p.mean_session_plays, 0.f, 4.f) : 0.f;
  if (n > 0 && last_meta.known) {
    if (last_meta.genre > 0 && last_meta.genre < p.genre_share.size()) {
      ctx[kCtxGenreMatch] = p.genre_share[last_meta.genre];
    }
    const bool top = last_meta.artist != 0 &&
                     std::find(p.top_artists.begin(), p.top_artists.end(), last_meta.artist) != p.top_artists.end();
    ctx[kCtxTopArtistMatch] = top ? 1.f : 0.f;
    ctx[kCtxCurrentKnown] = 1.f;
    ctx[kCtxCurrentLogDurationMin] = Log1p(last_meta.duration_ms / 60000.0);
  }
  const double hour_angle = 2.0 * std::numbers::pi * UtcHour(state.last_event_ms) / 24.0;
  ctx[kCtxHourSin] = static_cast<float>(std::sin(hour_angle));
  ctx[kCtxHourCos] = static_cast<float>(std::cos(hour_angle));
  ctx[kCtxPlayOngoing] = current != nullptr ? 1.f : 0.f;
  ctx[kCtxPaused] = state.play_state == PlayState::kPaused ? 1.f : 0.f;
}

FeatureVector ComputeSessionFeatures(const SessionState& state, const Catalog& catalog) {
  FeatureVector out;
  ComputeSessionFeatures(state, catalog, &out);
  return out;
}

int TrailingSkips(const FeatureVector& f) {
  int count = 0;
  for (int i = f.length - 1; i >= 0; --i) {
    const StepFeatures& step = f.steps[i];
    if (step.end == static_cast<uint8_t>(PlayEnd::kOngoing) && i == f.length - 1) continue;
    if (step.numeric[kStepSkipped] < 0.5f) break;
    ++count;
  }
  return count;
}

namespace {

// Names of the aggregate tail of TabularRow, after the context and last-step blocks.
constexpr std::array<std::string_view, 10> kAggregateNames = {
    "agg_skip_share_last3",     "agg_skip_share_last10", "agg_mean_dwell_ratio_last5",
    "agg_mean_log_gap_last5",   "agg_sequence_fill",     "agg_trailing_skips",
    "agg_last_end_completed",   "agg_last_end_skipped",  "agg_last_end_replaced",
    "agg_last_end_ongoing",
};
static_assert(kTabularFeatures == kContextNumeric + kStepNumeric + kAggregateNames.size());

constexpr std::array<std::string_view, kContextNumeric> kContextNames = {
    "ctx_log_consecutive_skips", "ctx_skip_rate",
    "ctx_log_plays",             "ctx_log_session_minutes",
    "ctx_log_searches",          "ctx_log_pauses",
    "ctx_log_seeks",             "ctx_recent_skip_rate",
    "ctx_log_dislikes",          "ctx_log_likes",
    "ctx_profile_known",         "ctx_profile_skip_rate",
    "ctx_profile_log_session_plays", "ctx_profile_log_session_minutes",
    "ctx_profile_log_sessions",  "ctx_session_length_ratio",
    "ctx_genre_match",           "ctx_top_artist_match",
    "ctx_current_known",         "ctx_current_log_duration_min",
    "ctx_hour_sin",              "ctx_hour_cos",
    "ctx_play_ongoing",          "ctx_paused",
    "ctx_skip_rate_vs_usual",    "ctx_recent_skip_rate_vs_usual",
    "ctx_session_minutes_ratio", "ctx_context_reported_share",
};

constexpr std::array<std::string_view, kStepNumeric> kStepNames = {
    "last_skipped",      "last_log_dwell_sec",   "last_dwell_ratio",   "last_duration_known",
    "last_log_gap_sec",  "last_popularity",      "last_log_pauses",    "last_log_seeks",
    "last_from_recommendation", "last_after_search", "last_feedback", "last_same_artist",
    "last_language_change", "last_explicit",
};

// Mean of numeric input `index` over the last `k` valid steps (0 when there are none). With
// `only_known_duration`, steps whose duration is unknown are left out (their dwell ratio is a 0 filler).
float TailMean(const FeatureVector& f, int index, int k, bool only_known_duration = false) {
  float sum = 0;
  int count = 0;
  for (int i = f.length - 1; i >= 0 && i >= f.length - k; --i) {
    if (only_known_duration && f.steps[i].numeric[kStepDurationKnown] < 0.5f) continue;
    sum += f.steps[i].numeric[index];
    ++count;
  }
  return count ? sum / count : 0.f;
}

}  // namespace

TabularRow TabularFeatures(const FeatureVector& f) {
  TabularRow row{};
  int o = 0;
  for (float v : f.context) row[o++] = v;
  if (f.length > 0) {
    for (float v : f.steps[f.length - 1].numeric) row[o++] = v;
  } else {
    o += kStepNumeric;
  }
  row[o++] = TailMean(f, kStepSkipped, 3);
  row[o++] = TailMean(f, kStepSkipped, 10);
  row[o++] = TailMean(f, kStepDwellRatio, 5, /*only_known_duration=*/true);
  row[o++] = TailMean(f, kStepLogGapSec, 5);
  row[o++] = static_cast<float>(f.length) / kSequenceLength;
  row[o++] = static_cast<float>(std::min(TrailingSkips(f), 10));
  const uint8_t last_end = f.length > 0 ? f.steps[f.length - 1].end : 255;
  row[o++] = last_end == static_cast<uint8_t>(PlayEnd::kCompleted) ? 1.f : 0.f;
  row[o++] = last_end == static_cast<uint8_t>(PlayEnd::kSkipped) ? 1.f : 0.f;
  row[o++] = last_end == static_cast<uint8_t>(PlayEnd::kReplaced) ? 1.f : 0.f;
  row[o++] = last_end == static_cast<uint8_t>(PlayEnd::kOngoing) ? 1.f : 0.f;
  return row;
}

std::string_view TabularFeatureName(int index) {
  if (index < 0 || index >= kTabularFeatures) return "";
  if (index < kContextNumeric) return kContextNames[index];
  index -= kContextNumeric;
  if (index < kStepNumeric) return kStepNames[index];
  return kAggregateNames[index - kStepNumeric];
}

}  // namespace segue
