#include "impressions/impression_store.h"

#include <filesystem>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

namespace segue::impressions {
namespace {

void AppendBigEndian(uint64_t v, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string ListenerPrefix(std::string_view user_id) {
  std::string key;
  AppendBigEndian(user_id.size(), 2, &key);
  key.append(user_id);
  return key;
}

}  // namespace

std::string ImpressionKey(std::string_view user_id, int64_t ts_ms, std::string_view rec_id) {
  std::string key = ListenerPrefix(user_id);
  AppendBigEndian(static_cast<uint64_t>(ts_ms), 8, &key);
  key.append(rec_id);
  return key;
}

Result<std::unique_ptr<ImpressionStore>> ImpressionStore::Open(ImpressionStoreOptions options,
                                                                metrics::Registry& registry) {
  if (options.queue_capacity == 0 || options.max_batch == 0) {
    return Status::InvalidArgument("impressions: queue_capacity and max_batch must be >= 1");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);  // RocksDB creates only the last component
  rocksdb::Options ro;
  ro.create_if_missing = true;
  ro.keep_log_file_num = 2;
  ro.compression = rocksdb::kLZ4Compression;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(ro, options.dir, &raw);
  if (!s.ok()) return Status::IoError("opening the impression store in " + options.dir + ": " + s.ToString());
  return std::unique_ptr<ImpressionStore>(
      new ImpressionStore(std::move(options), std::unique_ptr<rocksdb::DB>(raw), registry));
}

ImpressionStore::ImpressionStore(ImpressionStoreOptions options, std::unique_ptr<rocksdb::DB> db,
                                 metrics::Registry& registry)
    : options_(std::move(options)),
      db_(std::move(db)),
      written_(registry.AddCounter("segue_impressions_written_total", "Impressions written to the impression store.")),
      dropped_(registry.AddCounter("segue_impressions_dropped_total",
                                   "Impressions dropped because the impression store's queue was full.")),
      write_errors_(registry.AddCounter("segue_impression_write_errors_total",
                                        "Impressions lost because their batch write failed.")) {
  writer_ = std::thread([this] { WriterLoop(); });
}

ImpressionStore::~ImpressionStore() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_one();
  writer_.join();
}

void ImpressionStore::Record(Impression impression) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= options_.queue_capacity) {
      dropped_.Inc();
      return;
    }
    queue_.push_back(std::move(impression));
    ++enqueued_;
  }
  work_cv_.notify_one();
}

void ImpressionStore::Flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = enqueued_;
  done_cv_.wait(lock, [&] { return processed_ >= target; });
}

void ImpressionStore::WriterLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop_ and everything written
    std::deque<Impression> batch;
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    WriteImpressions(&batch);
    lock.lock();
    processed_ += batch.size();
    done_cv_.notify_all();
  }
}

void ImpressionStore::WriteImpressions(std::deque<Impression>* batch) {
  rocksdb::WriteBatch wb;
  for (const Impression& m : *batch) wb.Put(ImpressionKey(m.user_id, m.ts_ms, m.rec_id), ImpressionToJson(m));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Write(wo, &wb);
  if (s.ok()) {
    written_.Inc(batch->size());
    return;
  }
  write_errors_.Inc(batch->size());
  spdlog::warn("impression store: writing {} impressions failed: {}", batch->size(), s.ToString());
}

Status ImpressionStore::ForEachOfListener(std::string_view user_id,
                                          const std::function<bool(std::string_view)>& visit) const {
  const std::string prefix = ListenerPrefix(user_id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!visit(it->value().ToStringView())) break;
  }
  return it->status().ok() ? Status::Ok() : Status::IoError("reading impressions: " + it->status().ToString());
}

Status ImpressionStore::ExportAll(const std::string& dir, const std::function<bool(std::string_view)>& visit) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, &raw);
  if (!s.ok()) return Status::IoError("opening the impression store in " + dir + ": " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!visit(it->value().ToStringView())) break;
  }
  return it->status().ok() ? Status::Ok() : Status::IoError("reading impressions: " + it->status().ToString());
}

}  // namespace segue::impressions
