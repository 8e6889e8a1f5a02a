#include "feedback/outcome_store.h"

#include <filesystem>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "feedback/outcome_json.h"
#include "feedback/state_codec.h"

namespace segue::feedback {
namespace {

constexpr char kOutcomeTag = 'o';
constexpr char kStateTag = 's';

void AppendSized(std::string_view s, std::string* out) {
  out->push_back(static_cast<char>((s.size() >> 8) & 0xff));
  out->push_back(static_cast<char>(s.size() & 0xff));
  out->append(s);
}

std::string ListenerKey(char tag, std::string_view user_id) {
  std::string key(1, tag);
  AppendSized(user_id, &key);
  return key;
}

// The smallest key after every key starting with `prefix` (prefixes here never end in 0xff bytes only).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

Status ScanOutcomes(rocksdb::DB& db, const std::string& prefix, const std::function<bool(const Outcome&)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    Result<Outcome> o = OutcomeFromJson(it->value().ToStringView());
    if (!o.ok()) return Status::Corruption("outcome store: " + o.status().message());
    if (!visit(*o)) break;
  }
  return it->status().ok() ? Status::Ok() : Status::IoError("reading outcomes: " + it->status().ToString());
}

}  // namespace

std::string OutcomeKey(const Outcome& o) {
  std::string key = ListenerKey(kOutcomeTag, o.user_id);
  AppendSized(o.rec_id, &key);
  AppendSized(o.track_id, &key);
  key.push_back(static_cast<char>(o.kind));
  return key;
}

Result<std::unique_ptr<OutcomeStore>> OutcomeStore::Open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // RocksDB creates only the last component
  rocksdb::Options options;
  options.create_if_missing = true;
  options.keep_log_file_num = 2;
  options.compression = rocksdb::kLZ4Compression;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return Status::IoError("opening the outcome store in " + dir + ": " + s.ToString());
  return std::unique_ptr<OutcomeStore>(new OutcomeStore(std::unique_ptr<rocksdb::DB>(raw)));
}

OutcomeStore::OutcomeStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

OutcomeStore::~OutcomeStore() = default;

Result<bool> OutcomeStore::Contains(const Outcome& outcome) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), OutcomeKey(outcome), &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return Status::IoError("reading the outcome store: " + s.ToString());
  return true;
}

Status OutcomeStore::Commit(std::string_view user_id, const std::vector<Outcome>& outcomes,
                            const ListenerFeedback& state) {
  rocksdb::WriteBatch batch;
  for (const Outcome& o : outcomes) batch.Put(OutcomeKey(o), OutcomeToJson(o));
  const std::string state_key = ListenerKey(kStateTag, user_id);
  if (state.empty()) {
    batch.Delete(state_key);
  } else {
    batch.Put(state_key, EncodeListenerFeedback(state));
  }
  rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);
  return s.ok() ? Status::Ok() : Status::IoError("writing the outcome store: " + s.ToString());
}

Status OutcomeStore::SyncWal() {
  rocksdb::Status s = db_->SyncWAL();
  return s.ok() ? Status::Ok() : Status::IoError("syncing the outcome store's WAL: " + s.ToString());
}

Status OutcomeStore::ForEachState(
    const std::function<void(std::string_view user_id, ListenerFeedback state)>& visit) const {
  const std::string prefix(1, kStateTag);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    Result<ListenerFeedback> state = DecodeListenerFeedback(it->value().ToStringView());
    if (key.size() < 3 || !state.ok()) return Status::Corruption("outcome store: a listener state is corrupt");
    visit(key.substr(3), std::move(*state));
  }
  return it->status().ok() ? Status::Ok() : Status::IoError("reading feedback states: " + it->status().ToString());
}

Status OutcomeStore::ForEachOfListener(std::string_view user_id,
                                       const std::function<bool(const Outcome&)>& visit) const {
  return ScanOutcomes(*db_, ListenerKey(kOutcomeTag, user_id), visit);
}

Status OutcomeStore::DeleteListener(std::string_view user_id) {
  const std::string prefix = ListenerKey(kOutcomeTag, user_id);
  rocksdb::WriteBatch batch;
  batch.DeleteRange(prefix, PrefixEnd(prefix));
  batch.Delete(ListenerKey(kStateTag, user_id));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Write(wo, &batch);
  return s.ok() ? Status::Ok() : Status::IoError("deleting a listener's outcomes: " + s.ToString());
}

Status OutcomeStore::ExportAll(const std::string& dir, const std::function<bool(const Outcome&)>& visit) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, &raw);
  if (!s.ok()) return Status::IoError("opening the outcome store in " + dir + ": " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  return ScanOutcomes(*db, std::string(1, kOutcomeTag), visit);
}

}  // namespace segue::feedback
