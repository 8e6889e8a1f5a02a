// TrackLabels: the two-tower index's label → interned track map, and its reverse. Labels 0..n-1 are the
// rows of the retrieval bundle; each track inserted while serving (track_indexer.h) appends the next.
// The retriever resolves the labels a search returns while the indexer appends.
//
// Layout: one flat vector of interned tracks indexed by label (4 bytes a label, what Retrieve reads) and
// a hash map track → label (what the indexer looks up). An append grows the vector in place (amortised
// doubling, never a copy of the map per insert).
// Thread-safety: every method is safe concurrently; reads take a shared lock (Resolve: one per batch of
// labels), appends an exclusive one. A label is mapped before its vector enters the index, so a search
// never returns a label that Resolve does not know.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"

namespace segue::recommend {

class TrackLabels {
 public:
  // label_tracks[label]: the interned track of each label; 0 for a row without a track (never resolved).
  // A track listed twice keeps its first label for LabelOf.
  explicit TrackLabels(std::vector<uint32_t> label_tracks);
  // The labels of a bundle's track list (row r = label r), its ids interned into `catalog`.
  static std::shared_ptr<TrackLabels> Intern(const std::vector<std::string>& track_ids, Catalog* catalog);

  size_t size() const;
  // tracks[i]: the track of labels[i], or 0 when the label is not mapped (kNoLabel included).
  // tracks.size() must equal labels.size().
  void Resolve(std::span<const uint64_t> labels, std::span<uint32_t> tracks) const;
  std::optional<uint64_t> LabelOf(uint32_t track) const;

  struct Assigned {
    uint64_t label = 0;
    bool appended = false;  // a new label (the track had none)
  };
  // The label of `track` (non-zero), appending a new one when it has none.
  Assigned LabelFor(uint32_t track);

 private:
  mutable std::shared_mutex mu_;
  std::vector<uint32_t> tracks_;                // by label
  std::unordered_map<uint32_t, uint64_t> labels_;  // by track
};

}  // namespace segue::recommend
