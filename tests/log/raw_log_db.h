// RawLogDb: a closed event log's RocksDB database opened directly, every column family, for tests that
// damage or rewrite what EventLog wrote (a corrupt record, a counters record in an older format).
// Test-only; not thread-safe. Failures are gtest failures (check ok()).
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace segue::testing {

class RawLogDb {
 public:
  explicit RawLogDb(const std::string& dir) {
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names_).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names_) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* raw = nullptr;
    EXPECT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, descriptors, &handles_, &raw).ok());
    db_.reset(raw);
  }
  ~RawLogDb() {
    if (!db_) return;
    for (rocksdb::ColumnFamilyHandle* h : handles_) EXPECT_TRUE(db_->DestroyColumnFamilyHandle(h).ok());
    EXPECT_TRUE(db_->Close().ok());
  }
  RawLogDb(const RawLogDb&) = delete;
  RawLogDb& operator=(const RawLogDb&) = delete;

  bool ok() const { return db_ != nullptr; }
  rocksdb::DB* db() const { return db_.get(); }
  // The handle of column family `name`; null when the database has none.
  rocksdb::ColumnFamilyHandle* family(std::string_view name) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return handles_[i];
    }
    return nullptr;
  }

 private:
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace segue::testing
