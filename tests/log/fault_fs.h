// FaultFileSystem: a RocksDB file system for the log tests that models what a power loss keeps, and can
// make writes fail. Debian's librocksdb has no FaultInjectionTestEnv, hence this small one.
//
//  - Every file written through it is tracked by path: bytes written, and bytes covered by the last
//    Sync/Fsync (RangeSync is not counted: it does not promise durability of the file's metadata).
//  - PowerLossCopy(dir, to) copies `dir` as a power loss at this instant would leave it: a file synced at
//    least once is cut to its synced size, a file never synced is dropped (as its unsynced directory
//    entry would be; directory fsyncs are not modelled beyond that). Writes are blocked while it copies,
//    so background flushes cannot tear the copy. A kill -9 keeps the page cache; this does not.
//  - FailWrites(true) makes appends and syncs return IOError, as a dying or full disk would.
// Thread-safety: all of it is safe to call concurrently (one mutex).
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace segue::testing {

class FaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FaultFileSystem() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "SegueFaultFileSystem"; }

  void FailWrites(bool fail) { fail_writes_ = fail; }

  void PowerLossCopy(const std::string& dir, const std::string& to) {
    namespace fs = std::filesystem;
    std::lock_guard lock(mu_);
    fs::create_directories(to);
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
      const std::string path = entry.path().string();
      const fs::path target = fs::path(to) / entry.path().filename();
      auto it = files_.find(path);
      if (it == files_.end()) {
        // Not written through this file system (the LOCK file): kept as it is.
        fs::copy_file(entry.path(), target);
        continue;
      }
      if (!it->second.ever_synced) continue;
      fs::copy_file(entry.path(), target);
      fs::resize_file(target, it->second.synced);
    }
  }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(fname, options, result, dbg);
    if (!s.ok()) return s;
    {
      std::lock_guard lock(mu_);
      files_[fname] = Tracked{};
    }
    *result = std::make_unique<File>(std::move(*result), this, fname);
    return s;
  }

  rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->ReopenWritableFile(fname, options, result, dbg);
    if (!s.ok()) return s;
    uint64_t size = 0;
    target()->GetFileSize(fname, rocksdb::IOOptions(), &size, dbg);
    {
      std::lock_guard lock(mu_);
      auto [it, inserted] = files_.try_emplace(fname, Tracked{});
      if (inserted) it->second = Tracked{size, size, true};  // existed before: as durable as it was
      it->second.written = size;
    }
    *result = std::make_unique<File>(std::move(*result), this, fname);
    return s;
  }

  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& dst, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    std::lock_guard lock(mu_);
    rocksdb::IOStatus s = target()->RenameFile(src, dst, options, dbg);
    if (s.ok()) {
      if (auto it = files_.find(src); it != files_.end()) {
        files_[dst] = it->second;
        files_.erase(it);
      }
    }
    return s;
  }

  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    std::lock_guard lock(mu_);
    rocksdb::IOStatus s = target()->DeleteFile(fname, options, dbg);
    if (s.ok()) files_.erase(fname);
    return s;
  }

 private:
  struct Tracked {
    uint64_t written = 0;
    uint64_t synced = 0;
    bool ever_synced = false;
  };

  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, FaultFileSystem* fs, std::string name)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), name_(std::move(name)) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      return Write([&](uint64_t written) { return written + data.size(); },
                   [&] { return target()->Append(data, options, dbg); });
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* dbg) override {
      return Write([&](uint64_t written) { return written + data.size(); },
                   [&] { return target()->Append(data, options, info, dbg); });
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override {
      return Write([&](uint64_t written) { return std::max(written, offset + data.size()); },
                   [&] { return target()->PositionedAppend(data, offset, options, dbg); });
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const rocksdb::IOOptions& options,
                                       const rocksdb::DataVerificationInfo& info,
                                       rocksdb::IODebugContext* dbg) override {
      return Write([&](uint64_t written) { return std::max(written, offset + data.size()); },
                   [&] { return target()->PositionedAppend(data, offset, options, info, dbg); });
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
      return Synced([&] { return target()->Sync(options, dbg); });
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
      return Synced([&] { return target()->Fsync(options, dbg); });
    }

   private:
    // `end(written)`: the file's written size after the operation succeeds.
    template <typename End, typename Op>
    rocksdb::IOStatus Write(End end, Op op) {
      if (fs_->fail_writes_) return rocksdb::IOStatus::IOError("injected write failure");
      std::lock_guard lock(fs_->mu_);
      rocksdb::IOStatus s = op();
      if (s.ok()) {
        if (auto it = fs_->files_.find(name_); it != fs_->files_.end()) it->second.written = end(it->second.written);
      }
      return s;
    }
    template <typename Op>
    rocksdb::IOStatus Synced(Op op) {
      if (fs_->fail_writes_) return rocksdb::IOStatus::IOError("injected sync failure");
      std::lock_guard lock(fs_->mu_);
      rocksdb::IOStatus s = op();
      if (s.ok()) {
        if (auto it = fs_->files_.find(name_); it != fs_->files_.end()) {
          it->second.synced = it->second.written;
          it->second.ever_synced = true;
        }
      }
      return s;
    }

    FaultFileSystem* fs_;
    std::string name_;
  };

  std::mutex mu_;
  std::map<std::string, Tracked> files_;
  std::atomic<bool> fail_writes_{false};
};

// An Env over a FaultFileSystem, for EventLogOptions::env.
inline std::unique_ptr<rocksdb::Env> FaultEnv(const std::shared_ptr<FaultFileSystem>& fs) {
  return rocksdb::NewCompositeEnv(fs);
}

}  // namespace segue::testing
