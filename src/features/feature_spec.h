// The model input layout shared by training and serving. One implementation computes it
// (session_features.h) from a SessionState, both offline (replaying the log) and online (the server).
// Bump kFeatureSpecVersion whenever the meaning or layout of any field changes: model bundles record
// the version they were trained with, and the server refuses a bundle with a different one.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace segue {

inline constexpr uint32_t kFeatureSpecVersion = 1;
inline constexpr int kSequenceLength = 32;  // plays fed to the sequence model (most recent last)

// Vocabulary sizes of the categorical per-step inputs (index 0 always means unknown / padding).
inline constexpr int kTrackBuckets = 4096;   // hashed track id
inline constexpr int kArtistBuckets = 1024;  // hashed artist
inline constexpr int kGenreVocab = 8;        // Catalog genre bucket
inline constexpr int kEndVocab = 6;          // PlayEnd
inline constexpr int kHourVocab = 25;        // 1 + hour of day (0 = padding)

inline constexpr int kStepNumeric = 12;     // numeric per-step inputs (see session_features.cc)
inline constexpr int kContextNumeric = 24;  // session counters + user profile + current-track inputs

struct StepFeatures {
  uint16_t track = 0;
  uint16_t artist = 0;
  uint8_t genre = 0;
  uint8_t end = 0;
  uint8_t hour = 0;
  std::array<float, kStepNumeric> numeric{};
};

// Everything a model sees at one decision point.
struct FeatureVector {
  int length = 0;  // valid steps, <= kSequenceLength; steps[0..length) oldest first
  std::array<StepFeatures, kSequenceLength> steps{};
  std::array<float, kContextNumeric> context{};
};

}  // namespace segue
