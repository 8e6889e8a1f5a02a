#include "preferences/rocksdb_preference_store.h"

#include <filesystem>

#include <rocksdb/db.h>

#include "preferences/preferences_json.h"

namespace segue::preferences {

RocksDbPreferenceStore::RocksDbPreferenceStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
RocksDbPreferenceStore::~RocksDbPreferenceStore() = default;

Result<std::unique_ptr<RocksDbPreferenceStore>> RocksDbPreferenceStore::Open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // RocksDB creates only the last component
  rocksdb::Options options;
  options.create_if_missing = true;
  options.keep_log_file_num = 2;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return Status::IoError("opening the preference store in " + dir + ": " + s.ToString());
  return std::unique_ptr<RocksDbPreferenceStore>(new RocksDbPreferenceStore(std::unique_ptr<rocksdb::DB>(raw)));
}

Result<Preferences> RocksDbPreferenceStore::Get(std::string_view user_id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(user_id.data(), user_id.size()), &value);
  if (s.IsNotFound()) return Preferences{};
  if (!s.ok()) return Status::IoError("reading preferences: " + s.ToString());
  Result<Preferences> p = ParsePreferences(value, Preferences{});
  if (!p.ok()) return Status::Corruption("stored preferences of '" + std::string(user_id) + "': " + p.status().message());
  return p;
}

Status RocksDbPreferenceStore::Put(std::string_view user_id, const Preferences& preferences) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s =
      db_->Put(wo, rocksdb::Slice(user_id.data(), user_id.size()), PreferencesToJson(preferences));
  return s.ok() ? Status::Ok() : Status::IoError("writing preferences: " + s.ToString());
}

}  // namespace segue::preferences
