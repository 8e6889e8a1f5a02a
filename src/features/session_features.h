// Session → model inputs: the ONE implementation of the feature layout in feature_spec.h, used by
// offline training/evaluation (replaying an event file or the log through a SessionTracker) and by
// the server (scoring the live SessionState). Both paths call exactly these functions, so a model sees
// the same inputs in training and in production (tests/features prove it on a replayed stream).
//
// Contract:
//  - The features describe `state` as of its last applied event (state.last_event_ms), never the wall
//    clock: the same event stream gives byte-identical FeatureVectors wherever it is replayed.
//  - Tracks unknown to the catalog work: their metadata inputs are 0 with a "known" flag of 0, and
//    their track bucket still hashes the id string.
//  - TabularFeatures() flattens a FeatureVector into the hand-made session features the baselines
//    (logistic regression, gradient-boosted trees, heuristic) use: derived from the FeatureVector, not
//    recomputed, so the baselines and the sequence model cannot drift apart.
// Thread-safety: pure functions; the Catalog is read through its own lock.
#pragma once

#include <array>
#include <string_view>

#include "catalog/catalog.h"
#include "features/feature_spec.h"
#include "session/session_state.h"

namespace segue {

// Fills `out` (fully overwritten) with the inputs for `state`.
void ComputeSessionFeatures(const SessionState& state, const Catalog& catalog, FeatureVector* out);
FeatureVector ComputeSessionFeatures(const SessionState& state, const Catalog& catalog);

// The hashed categorical ids (see feature_spec.h); exposed for tests and the catalog-less importers.
uint16_t TrackBucket(std::string_view track_id);
uint16_t ArtistBucket(std::string_view artist);  // 0 for ""

// Day of the week of an event time as a categorical input of the retrieval user tower: 1 + UTC weekday
// (1 Monday … 7 Sunday), 0 for a time <= 0 (unknown). Servers pass the session's last_event_ms, training
// the same field of the replayed state, so both sides agree. Not part of FeatureVector (the disengagement
// feature spec is unchanged).
inline constexpr int kDayOfWeekVocab = 8;
uint8_t DayOfWeekBucket(int64_t epoch_ms);

// Hand-made flat features for the baselines: the context inputs, the last step's numeric inputs, and
// a few aggregates over the recent steps. Names (for docs and model dumps) via TabularFeatureName().
inline constexpr int kTabularFeatures = kContextNumeric + kStepNumeric + 10;
using TabularRow = std::array<float, kTabularFeatures>;
TabularRow TabularFeatures(const FeatureVector& features);
std::string_view TabularFeatureName(int index);

// Consecutive skipped plays at the end of the sequence (ignoring an ongoing last play): the
// heuristic baseline's score.
int TrailingSkips(const FeatureVector& features);

}  // namespace segue
