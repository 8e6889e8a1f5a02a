// CatalogObserver: told which catalog tracks a write added or changed (Catalog::Upsert returned true), so
// what is derived from track records (the served song-embedding index) can follow. The writer (the
// POST /v1/tracks handler) calls it after the catalog holds the new records.
// Thread-safety: implementations accept concurrent calls and return quickly (no long work on the
// caller's thread, which may be an HTTP I/O thread).
#pragma once

#include <cstdint>
#include <span>

namespace segue {

class CatalogObserver {
 public:
  virtual ~CatalogObserver() = default;
  // Interned ids (Catalog::InternTrack) of the tracks added or changed.
  virtual void OnTracksChanged(std::span<const uint32_t> tracks) = 0;
};

}  // namespace segue
