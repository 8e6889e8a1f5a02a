// Offline examples for the disengagement models: an events NDJSON file (the output of `segue simulate`,
// `segue import` or `segue log export`) → per-listener replay through the SAME SessionTracker and
// feature code the server uses → one example per decision point (labels.h) with its label, its split
// membership and the skip information the WSDM metrics need.
//
// Contract:
//  - Events are grouped by listener (listeners in user-id order, so results are deterministic), sorted
//    by event time with ties in file order, de-duplicated by event_id (as the log does), and applied to
//    a fresh SessionTracker. At each decision point the features are computed from the tracker's state
//    right after the decision event (ComputeSessionFeatures), exactly what the server sees when it
//    scores that event.
//  - Splits: time-based per listener — a session is "train" when it starts before
//    first_ts + train_time_fraction * (last_ts - first_ts) of that listener (whole sessions, so no session
//    straddles the split); by listener — a listener is held out ("unseen") when
//    Fnv1a64(user_id) % holdout_user_modulus == 0 (about 1 in 5 by default).
//  - ReadEventFile is lenient: a malformed line is skipped and counted (the first error is kept with
//    its line number) so one bad record does not lose a whole history; a file with no valid event is
//    an error. Timestamps are not checked against the wall clock (histories are in the past, simulations
//    may be in the future).
//  - Memory: the events of the file, plus whatever the visitor keeps (a FeatureVector is ~2.2 KB; the
//    evaluation keeps only the compact TabularRow and scores sequence models while streaming).
// Thread-safety: functions are reentrant; the Catalog must not be used by another tracker concurrently
// for interning the same ids (it is internally locked, so that is safe but slower).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "events/event.h"
#include "features/feature_spec.h"
#include "models/labels.h"
#include "session/engagement_counts.h"
#include "session/session_tracker.h"

namespace segue {

struct EventFile {
  std::vector<Event> events;
  size_t lines = 0;
  size_t rejected = 0;
  std::string first_error;  // "line N: field: reason" of the first rejected line
};
// `progress`: print a progress line to stderr every few hundred thousand lines.
Result<EventFile> ReadEventFile(const std::string& path, bool progress = false);

// De-duplicates `events` by event_id (first occurrence wins, what the log's de-duplication does) and
// sorts them by listener (user-id order), then event time (ties in file order): every listener's
// timeline is then one contiguous, replayable run. Returns the number of duplicates removed.
size_t PrepareListenerTimelines(std::vector<Event>* events);

// Loads an NDJSON track catalog (the simulator's --catalog-out / `segue import catalog`). Returns the
// number of tracks; malformed lines are an error naming the line (a catalog is small and curated).
Result<size_t> LoadCatalogFile(const std::string& path, Catalog* catalog);

struct DatasetOptions {
  LabelConfig labels;
  double train_time_fraction = 0.8;
  uint32_t holdout_user_modulus = 5;
  uint32_t max_plays = 64;  // SessionTrackerOptions::max_plays (the server's default)
  bool progress = false;    // progress line on stderr
};
Status ValidateDatasetOptions(const DatasetOptions& options);

struct ExampleInfo {
  uint32_t user = 0;           // dense listener index (user-id order)
  uint32_t session = 0;        // dense session index over the whole file
  int64_t ts_ms = 0;           // event time of the decision
  uint8_t label = 0;           // 1 = disengages within the horizon
  uint8_t reasons = 0;         // LabelReason bits
  bool time_train = false;     // in the first part of the listener's time (time-based split)
  bool holdout_user = false;   // the listener is held out (split by listener)
  int32_t ended_play = -1;     // see DecisionLabel
  int8_t next_play_skipped = -1;
  uint16_t session_plays = 0;  // plays of this session (capped at 65535)
};

struct DatasetSummary {
  size_t users = 0;
  size_t sessions = 0;
  size_t events = 0;             // after de-duplication
  size_t duplicate_events = 0;
  size_t examples = 0;
  size_t positives = 0;
  EngagementCounts engagement;  // over every applied event of the file (the bundle's training-data rates)
};

using ExampleVisitor = std::function<void(const ExampleInfo&, const FeatureVector&)>;
using DecisionVisitor = std::function<void(const ExampleInfo&, const FeatureVector&, const Event& decision)>;

// Replays `events` (consumed) and calls `visit` once per decision point, listener by listener.
Result<DatasetSummary> ForEachExample(std::vector<Event> events, Catalog* catalog, const DatasetOptions& options,
                                      const ExampleVisitor& visit);
// The same, also passing the event that made the decision point (parity checks, error analysis).
Result<DatasetSummary> ForEachDecision(std::vector<Event> events, Catalog* catalog, const DatasetOptions& options,
                                       const DecisionVisitor& visit);

}  // namespace segue
