// OutcomeStore: attributed outcomes and the collector's pending state in a RocksDB of their own
// (<data_dir>/feedback).
//
// Keys (one leading tag byte, then the listener, so one listener's data is found and deleted without a
// scan; ROADMAP item 7):
//   'o' [u16 BE user length][user][u16 BE rec_id length][rec_id][u16 BE track length][track][kind]
//        → OutcomeToJson (outcome_json.h). The key is the outcome's identity: storing one twice is a no-op.
//   's' [u16 BE user length][user] → EncodeListenerFeedback (state_codec.h): the listener's pending state.
// Commit writes a listener's new outcomes and new state in one atomic batch without waiting for the disk:
// once Write returns the batch is in the OS's page cache, so it survives kill -9 (not a power cut).
// SyncWal makes every batch committed before it durable against a power cut too; the collector calls it
// before it reports outcomes, so one fsync covers every outcome decided meanwhile (group commit).
// Thread-safety: every method is safe concurrently (RocksDB is); the collector serialises one listener's
// commits.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "feedback/attribution.h"
#include "feedback/outcome.h"

namespace rocksdb {
class DB;
}

namespace segue::feedback {

// The store's directory under the server's data directory (`segue log export --outcomes` looks there).
inline constexpr char kOutcomesSubdir[] = "feedback";

class OutcomeStore {
 public:
  // Creates `dir` (and its parents) when missing. Errors name the directory.
  static Result<std::unique_ptr<OutcomeStore>> Open(const std::string& dir);
  ~OutcomeStore();

  // True when an outcome with this identity (listener, rec_id, track, kind) is stored.
  Result<bool> Contains(const Outcome& outcome) const;

  // Atomically stores `outcomes` (all of `user_id`) and replaces the listener's state (erases it when
  // `state` is empty). Not synced (see above).
  Status Commit(std::string_view user_id, const std::vector<Outcome>& outcomes, const ListenerFeedback& state);

  // fsyncs the WAL: every Commit that returned before the call is then on disk.
  Status SyncWal();

  // Every persisted listener state, for the collector's start.
  Status ForEachState(const std::function<void(std::string_view user_id, ListenerFeedback state)>& visit) const;

  // A listener's outcomes in key order (by rec_id, track, kind) until `visit` returns false.
  Status ForEachOfListener(std::string_view user_id, const std::function<bool(const Outcome&)>& visit) const;

  // Deletes everything stored about the listener (their outcomes and pending state). A collector running
  // over the store keeps the listener's pending state in memory and writes it back on its next change:
  // delete while no collector runs, or once the listener has nothing pending.
  Status DeleteListener(std::string_view user_id);

  // Visits every outcome of the store in `dir`, opened read-only, so it works while a server holds the
  // store (it sees what had been written when it opened). For `segue log export --outcomes`.
  static Status ExportAll(const std::string& dir, const std::function<bool(const Outcome&)>& visit);

 private:
  explicit OutcomeStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
};

// The RocksDB key of an outcome (layout above); exposed for tests.
std::string OutcomeKey(const Outcome& outcome);

}  // namespace segue::feedback
