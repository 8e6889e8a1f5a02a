// The model input layout shared by training and serving. One implementation computes it
// (session_features.h) from a SessionState, both offline (replaying the log) and online (the server).
// Bump kFeatureSpecVersion whenever the meaning or layout of any field changes: model bundles record
// the version they were trained with, and the server refuses a bundle with a different one.
//
// Conventions (all values are finite floats, roughly in [-1, 8]; "log" means log1p):
//  - Categorical ids are stable across processes: track and artist buckets hash the id / artist
//    *strings* (never interned ids), 0 always means unknown or padding.
//  - Unknown catalog metadata is encoded as 0 together with an explicit "known" flag.
//  - The sequence is the last kSequenceLength plays of the session, oldest first. When a play is
//    ongoing it is the last step (end == PlayEnd::kOngoing, dwell so far).
// Plain data; no synchronisation.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace segue {

inline constexpr uint32_t kFeatureSpecVersion = 3;
inline constexpr int kSequenceLength = 32;  // plays fed to the sequence model (most recent last)

// Vocabulary sizes of the categorical per-step inputs (index 0 always means unknown / padding).
inline constexpr int kTrackBuckets = 4096;   // 1 + Fnv1a64(track_id) % (kTrackBuckets - 1)
inline constexpr int kArtistBuckets = 1024;  // 1 + Fnv1a64(artist name) % (kArtistBuckets - 1); 0 unknown
inline constexpr int kGenreVocab = 8;        // Catalog genre bucket (catalog.h kGenreBuckets), 0 unknown
inline constexpr int kEndVocab = 6;          // PlayEnd value (0 = ongoing; padding steps also hold 0)
inline constexpr int kHourVocab = 25;        // 1 + UTC hour of day the play started (0 = padding)

// Per-step numeric inputs (StepFeatures::numeric index).
enum StepNumeric : int {
  kStepSkipped = 0,         // 1 if the play ended with a skip
  kStepLogDwellSec,         // log(1 + seconds listened)
  kStepDwellRatio,          // dwell / track duration, clipped to [0, 2]; 0 when the duration is unknown
  kStepDurationKnown,       // 1 if the track duration is known (catalog)
  kStepLogGapSec,           // log(1 + seconds between the previous play's end and this start)
  kStepPopularity,          // catalog popularity / 100; 0 unknown
  kStepLogPauses,           // log(1 + pauses during the play)
  kStepLogSeeks,            // log(1 + seeks during the play)
  kStepFromRecommendation,  // 1 if the play came from one of our recommendations
  kStepAfterSearch,         // 1 if a search happened between the previous play and this one
  kStepFeedback,            // +1 liked, -1 disliked, 0 neither
  kStepSameArtist,          // 1 if the artist is known and equals the previous step's artist
  kStepLanguageChange,      // 1 if both languages are known and differ from the previous step's
  kStepExplicit,            // 1 if the catalog marks the track explicit
  kStepNumericEnd
};
inline constexpr int kStepNumeric = static_cast<int>(kStepNumericEnd);

// Context numeric inputs (FeatureVector::context index): session counters, user profile, current track.
enum ContextNumeric : int {
  kCtxLogConsecutiveSkips = 0,  // log(1 + consecutive skips ending the session so far)
  kCtxSkipRate,                 // skips / ended plays in this session (0 when none ended)
  kCtxLogPlays,                 // log(1 + plays started in this session)
  kCtxLogSessionMinutes,        // log(1 + minutes from session start to the last event)
  kCtxLogSearches,              // log(1 + searches in this session)
  kCtxLogPauses,                // log(1 + pauses in this session)
  kCtxLogSeeks,                 // log(1 + seeks in this session)
  kCtxRecentSkipRate,           // skip share of the last 5 ended plays (0 when none)
  kCtxLogDislikes,              // log(1 + dislikes in this session)
  kCtxLogLikes,                 // log(1 + likes in this session)
  kCtxProfileKnown,             // 1 if the listener has a profile (at least one finished session)
  kCtxProfileSkipRate,          // long-term skip rate
  kCtxProfileLogSessionPlays,   // log(1 + usual plays per session)
  kCtxProfileLogSessionMinutes, // log(1 + usual session minutes)
  kCtxProfileLogSessions,       // log(1 + finished sessions)
  kCtxSessionLengthRatio,       // plays so far / usual plays per session, clipped to [0, 4]; 0 unknown
  kCtxGenreMatch,               // profile genre share of the last step's genre (0 unknown)
  kCtxTopArtistMatch,           // 1 if the last step's artist is one of the profile's top artists
  kCtxCurrentKnown,             // 1 if the last step's track is in the catalog
  kCtxCurrentLogDurationMin,    // log(1 + last step's track minutes); 0 unknown
  kCtxHourSin,                  // sin/cos of the UTC hour of the last event (2*pi*h/24)
  kCtxHourCos,
  kCtxPlayOngoing,              // 1 if a play is ongoing (the last step is the current play)
  kCtxPaused,                   // 1 if playback is paused
  // Relative to the listener's own profile (0 without one), so that one listener's habits do not look
  // like another's disengagement (spec v3).
  kCtxSkipRateVsUsual,          // session skip rate so far - long-term skip rate (0 when no play ended)
  kCtxRecentSkipRateVsUsual,    // skip share of the last 5 ended plays - long-term skip rate (likewise)
  kCtxSessionMinutesRatio,      // session minutes / usual session minutes, clipped to [0, 4]
  // The kind of stream (spec v3): share of the window's plays whose play event reported playback
  // context (PlayFlag kPlayContextReported); 0 for a Spotify basic export.
  kCtxContextReportedShare,
  kContextNumericEnd
};
inline constexpr int kContextNumeric = static_cast<int>(kContextNumericEnd);

struct StepFeatures {
  uint16_t track = 0;
  uint16_t artist = 0;
  uint8_t genre = 0;
  uint8_t end = 0;
  uint8_t hour = 0;
  std::array<float, kStepNumeric> numeric{};

  bool operator==(const StepFeatures&) const = default;
};

// Everything a model sees at one decision point.
struct FeatureVector {
  int length = 0;  // valid steps, <= kSequenceLength; steps[0..length) oldest first, the rest zero
  std::array<StepFeatures, kSequenceLength> steps{};
  std::array<float, kContextNumeric> context{};

  bool operator==(const FeatureVector&) const = default;
};

}  // namespace segue
