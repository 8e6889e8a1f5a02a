// Feeds the bytes, as one snapshot chunk, to DecodeSessionChunk (session/session_codec.h): what a
// corrupted `sessions/` state value gives back when the server restores sessions at start. Each run
// decodes into a fresh one-shard tracker over a fresh catalog (decoding interns the chunk's track ids,
// so sharing them across runs would grow them without bound).
// Checks besides crashes, sanitizer reports and leaks: what a chunk restores re-encodes to a chunk that
// decodes, restores as many sessions and profiles, and re-encodes to the same size. (Not byte
// equality: the encoder walks the tracker's hash maps, whose order depends on insertion history.)
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "fuzz/fuzz_util.h"
#include "session/session_codec.h"
#include "session/session_tracker.h"

namespace {

// The catalog the restoring server would have: profiles keep a top artist only if one of the artist's
// tracks is still known, so a few known tracks (named by the seed chunks) reach that path.
std::unique_ptr<segue::Catalog> MakeCatalog() {
  auto catalog = std::make_unique<segue::Catalog>();
  for (const char* id : {"t1", "t2", "t3"}) {
    segue::Track t;
    t.track_id = id;
    t.artist = std::string("artist-") + id;
    t.duration_ms = 200000;
    t.genres = {"pop"};
    catalog->Upsert(std::move(t));
  }
  return catalog;
}

segue::SessionTrackerOptions OneShard() {
  segue::SessionTrackerOptions options;
  options.shards = 1;
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::unique_ptr<segue::Catalog> catalog = MakeCatalog();
  segue::SessionTracker tracker(catalog.get(), OneShard());
  if (!segue::DecodeSessionChunk(segue::fuzz::AsText(data, size), &tracker).ok()) return 0;
  std::string chunk;
  const size_t restored = segue::EncodeSessionShard(tracker, 0, &chunk);

  std::unique_ptr<segue::Catalog> catalog2 = MakeCatalog();
  segue::SessionTracker tracker2(catalog2.get(), OneShard());
  SEGUE_FUZZ_CHECK(segue::DecodeSessionChunk(chunk, &tracker2).ok());
  std::string chunk2;
  SEGUE_FUZZ_CHECK(segue::EncodeSessionShard(tracker2, 0, &chunk2) == restored);
  SEGUE_FUZZ_CHECK(chunk2.size() == chunk.size());
  return 0;
}
