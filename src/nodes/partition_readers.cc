#include "nodes/partition_readers.h"

#include <unordered_set>

#include <spdlog/spdlog.h>

#include "bus/redis_keys.h"
#include "bus/stream_entry.h"
#include "nodes/impression_stream.h"
#include "nodes/node_keys.h"
#include "nodes/online_store.h"
#include "session/session_codec.h"
#include "session/session_tracker.h"

namespace segue::nodes {

using bus::RedisReply;

struct PartitionReaders::Reader {
  uint32_t partition = 0;
  std::atomic<bool> stop{false};
  std::thread thread;
};

// The work of one reader thread, with its own connections.
class PartitionReaders::Session {
 public:
  Session(PartitionReaders& owner, Reader& r) : o_(owner), r_(r), stream_(bus::EventsKey(r.partition)) {}

  // Connect, load the partition's state and join its consumer group; false when stopped or failed.
  bool Open() {
    while (!r_.stop) {
      Status s = TryOpen();
      if (s.ok()) return true;
      spdlog::warn("node {}: taking partition {} over: {}; retrying", o_.options_.node_id, r_.partition, s.message());
      std::this_thread::sleep_for(std::chrono::milliseconds(o_.options_.block_ms));
    }
    return false;
  }

  // Claims what previous readers left pending, then reads new entries until stopped or fenced off.
  void Loop() {
    std::string cursor = "0-0";
    while (!r_.stop && cursor != "done") {
      if (!Claim(&cursor)) return;
    }
    while (!r_.stop) {
      if (!ReadNew()) return;
    }
  }

 private:
  Status TryOpen() {
    Result<std::unique_ptr<bus::RedisClient>> client = bus::RedisClient::Connect(o_.redis_);
    if (!client.ok()) return client.status();
    client_ = std::move(*client);
    store_ = std::make_unique<OnlineStore>(client_.get(), o_.options_.node_id, o_.options_.wait);
    Result<uint64_t> checkpoint = store_->Checkpoint(r_.partition);
    if (!checkpoint.ok()) return checkpoint.status();
    checkpoint_ = *checkpoint;
    Status decoded;
    Status scanned = store_->ScanPartition(r_.partition, [&](std::string_view, std::string_view chunk) {
      if (Status s = DecodeSessionChunk(chunk, o_.tracker_); !s.ok() && decoded.ok()) decoded = s;
      o_.loaded_.Inc();
    });
    if (!scanned.ok()) return scanned;
    if (!decoded.ok()) return decoded;
    Result<RedisReply> group = client_->Command({{"XGROUP", "CREATE", stream_, kConsumerGroup, "0", "MKSTREAM"}, 2});
    if (!group.ok()) return group.status();
    if (group->is_error() && group->error_code() != "BUSYGROUP") return Status::Unavailable(group->str);
    return Status::Ok();
  }

  bool Claim(std::string* cursor) {
    Result<RedisReply> reply = client_->Command({{"XAUTOCLAIM", stream_, kConsumerGroup, o_.options_.node_id, "0",
                                                  *cursor, "COUNT", std::to_string(o_.options_.batch_events)}, 1});
    if (!reply.ok() || reply->is_error() || reply->elements.size() < 2) return Retry("claiming pending entries", reply);
    *cursor = reply->elements[0].str == "0-0" ? "done" : reply->elements[0].str;
    o_.claimed_.Inc(reply->elements[1].elements.size());
    return Process(reply->elements[1].elements);
  }

  bool ReadNew() {
    Result<RedisReply> reply = client_->Command(
        {{"XREADGROUP", "GROUP", kConsumerGroup, o_.options_.node_id, "COUNT", std::to_string(o_.options_.batch_events),
          "BLOCK", std::to_string(o_.options_.block_ms), "STREAMS", stream_, ">"}, 9});
    if (!reply.ok() || reply->is_error()) return Retry("reading new entries", reply);
    if (reply->type != RedisReply::Type::kArray || reply->elements.empty()) return true;  // timed out
    return Process(reply->elements[0].elements[1].elements);
  }

  // Logs a failed read and pauses; true: keep going (the ownership decides when to stop).
  bool Retry(const char* what, const Result<RedisReply>& reply) {
    spdlog::warn("node {}: partition {}: {}: {}", o_.options_.node_id, r_.partition, what,
                 reply.ok() ? reply->str : reply.status().message());
    std::this_thread::sleep_for(std::chrono::milliseconds(o_.options_.block_ms));
    return true;
  }

  // Applies a batch of entries and commits it; false when the lease was lost.
  bool Process(const std::vector<RedisReply>& entries) {
    if (entries.empty()) return true;
    PartitionCommit commit;
    commit.partition = r_.partition;
    commit.offset = checkpoint_;
    std::vector<LoggedEvent> events;
    for (const RedisReply& entry : entries) {
      if (entry.elements.empty()) continue;
      commit.acks.push_back(entry.elements[0].str);
      LoggedEvent e;
      if (Status s = bus::DecodeStreamEntry(r_.partition, entry, &e); !s.ok()) {
        spdlog::error("node {}: partition {}: entry {} skipped: {}", o_.options_.node_id, r_.partition,
                      entry.elements[0].str, s.message());
        continue;
      }
      if (e.seq <= checkpoint_) {
        o_.skipped_.Inc();
        continue;
      }
      commit.offset = std::max(commit.offset, e.seq);
      events.push_back(std::move(e));
    }
    DrainImpressions();
    commit.impressions_min_id = MinIdAfter(impressions_after_);
    o_.apply_(events);
    o_.applied_.Inc(events.size());
    std::unordered_set<std::string_view> touched;
    for (const LoggedEvent& e : events) {
      if (!touched.insert(e.event.user_id).second) continue;
      std::string chunk;
      EncodeListener(*o_.tracker_, e.event.user_id, &chunk);
      commit.listeners.emplace_back(e.event.user_id, std::move(chunk));
      if (std::optional<std::string> view = o_.view_ ? o_.view_(e.event.user_id) : std::nullopt) {
        commit.views.emplace_back(e.event.user_id, std::move(*view));
      }
    }
    commit.view_ttl_ms = o_.options_.view_ttl_ms;
    const uint64_t retain = o_.options_.retain_events;
    if (retain > 0 && commit.offset > retain) commit.trim_below = commit.offset - retain + 1;
    return Commit(commit);
  }

  // Hands the impressions served elsewhere to the sink before the batch that may answer them; on a failure
  // they wait for the next batch.
  void DrainImpressions() {
    if (!o_.impressions_) return;
    Result<std::string> last = nodes::DrainImpressions(*client_, r_.partition, impressions_after_, *o_.impressions_);
    if (last.ok()) {
      impressions_after_ = std::move(*last);
    } else {
      spdlog::warn("node {}: partition {}: draining impressions: {}", o_.options_.node_id, r_.partition,
                   last.status().message());
    }
  }

  bool Commit(const PartitionCommit& commit) {
    while (true) {
      Status s = store_->Commit(commit);
      if (s.ok()) break;
      if (s.code() == StatusCode::kNotFound || r_.stop) {
        spdlog::warn("node {}: partition {}: stopping: {}", o_.options_.node_id, r_.partition, s.message());
        return false;
      }
      spdlog::warn("node {}: partition {}: commit failed ({}); retrying", o_.options_.node_id, r_.partition, s.message());
      std::this_thread::sleep_for(std::chrono::milliseconds(o_.options_.block_ms));
    }
    checkpoint_ = commit.offset;
    o_.commits_.Inc();
    return true;
  }

  PartitionReaders& o_;
  Reader& r_;
  const std::string stream_;
  std::unique_ptr<bus::RedisClient> client_;
  std::unique_ptr<OnlineStore> store_;
  uint64_t checkpoint_ = 0;
  std::string impressions_after_ = "-";  // the last impression entry drained ("-": none yet)
};

PartitionReaders::PartitionReaders(ReaderOptions options, bus::RedisClientOptions redis, SessionTracker* tracker,
                                   Apply apply, View view, metrics::Registry& registry)
    : options_(std::move(options)), redis_(std::move(redis)), tracker_(tracker), apply_(std::move(apply)),
      view_(std::move(view)),
      applied_(registry.AddCounter("segue_node_events_applied_total",
                                   "Bus events this node applied for the partitions it owns.")),
      skipped_(registry.AddCounter("segue_node_events_covered_total",
                                   "Bus events read again at or below their partition's checkpoint (acknowledged only).")),
      claimed_(registry.AddCounter("segue_node_events_claimed_total",
                                   "Bus entries a previous owner had read but not committed, claimed at takeover.")),
      commits_(registry.AddCounter("segue_node_commits_total", "Partition state commits to the online store.")),
      loaded_(registry.AddCounter("segue_node_listeners_loaded_total",
                                  "Listener states loaded from the online store when taking a partition over.")) {}

PartitionReaders::~PartitionReaders() { Stop(); }

void PartitionReaders::Take(const std::vector<uint32_t>& partitions) {
  for (uint32_t p : partitions) {
    auto reader = std::make_unique<Reader>();
    reader->partition = p;
    Reader& r = *reader;
    readers_[p] = std::move(reader);
    r.thread = std::thread([this, &r] { Run(r); });
  }
}

void PartitionReaders::Drop(const std::vector<uint32_t>& partitions) {
  for (uint32_t p : partitions) {
    if (auto it = readers_.find(p); it != readers_.end()) it->second->stop = true;
  }
  for (uint32_t p : partitions) {
    auto it = readers_.find(p);
    if (it == readers_.end()) continue;
    it->second->thread.join();
    readers_.erase(it);
  }
}

void PartitionReaders::Stop() {
  for (auto& [p, r] : readers_) r->stop = true;
  for (auto& [p, r] : readers_) r->thread.join();
  readers_.clear();
}

void PartitionReaders::Run(Reader& r) {
  Session session(*this, r);
  if (session.Open()) session.Loop();
}

}  // namespace segue::nodes
