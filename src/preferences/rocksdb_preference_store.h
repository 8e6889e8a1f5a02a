// RocksDbPreferenceStore: preferences in a small RocksDB of their own directory, one key per listener
// (the user id), the value in the JSON form of preferences_json.h. Writes are synced (fsync of the WAL
// before Put returns): preferences change rarely and a listener who turned explicit content off must
// not see it come back after a crash. Keyed by listener, so erasing a listener is one Delete.
// Thread-safety: Get and Put are safe concurrently (RocksDB is).
#pragma once

#include <memory>
#include <string>

#include "preferences/preference_store.h"

namespace rocksdb {
class DB;
}

namespace segue::preferences {

// The store's directory under the server's data directory.
inline constexpr char kPreferencesSubdir[] = "preferences";

class RocksDbPreferenceStore : public PreferenceStore {
 public:
  // Creates `dir` (and its parents) when missing. Errors name the directory.
  static Result<std::unique_ptr<RocksDbPreferenceStore>> Open(const std::string& dir);
  ~RocksDbPreferenceStore() override;

  Result<Preferences> Get(std::string_view user_id) const override;
  Status Put(std::string_view user_id, const Preferences& preferences) override;

 private:
  explicit RocksDbPreferenceStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace segue::preferences
