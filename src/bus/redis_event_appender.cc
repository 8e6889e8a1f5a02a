#include "bus/redis_event_appender.h"

#include <chrono>
#include <utility>

#include "bus/redis_keys.h"
#include "common/hash.h"
#include "log/record_codec.h"

namespace segue::bus {
namespace {

// KEYS: dedup, offset, events. ARGV: window ms, record. Returns the offset, or 0 for a duplicate. The
// dedup key is set last so that a script failing halfway (e.g. out of memory at XADD) leaves no id behind
// that would turn the client's retry into a lost "duplicate".
constexpr std::string_view kAppendScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local offset = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], string.format('%.0f', offset) .. '-1', 'r', ARGV[2])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return offset
)lua";

constexpr std::chrono::milliseconds kProbeInterval{250};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::unique_ptr<RedisEventAppender>> RedisEventAppender::Open(RedisBusOptions options) {
  Result<std::unique_ptr<RedisClient>> client = ConnectBus(options);
  if (!client.ok()) return client.status();
  Result<std::vector<RedisReply>> loaded = (*client)->ForEachMaster(
      RedisCommand{{"SCRIPT", "LOAD", std::string(kAppendScript)}, RedisCommand::kNoKey});
  if (!loaded.ok()) return loaded.status();
  if (loaded->empty() || loaded->front().is_error()) {
    return Status::Unavailable("Redis: SCRIPT LOAD failed: " + (loaded->empty() ? "" : loaded->front().str));
  }
  std::string sha = loaded->front().str;
  return std::unique_ptr<RedisEventAppender>(
      new RedisEventAppender(std::move(options), std::move(client).value(), std::move(sha)));
}

RedisEventAppender::RedisEventAppender(RedisBusOptions options, std::unique_ptr<RedisClient> client,
                                       std::string sha)
    : options_(std::move(options)), client_(std::move(client)), sha_(std::move(sha)) {
  writer_ = std::thread([this] { Run(); });
}

RedisEventAppender::~RedisEventAppender() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  writer_.join();
  for (Request& r : queue_) r.done(Status::Unavailable("Redis bus appender shutting down"));
}

Status RedisEventAppender::health() const {
  std::lock_guard lock(mu_);
  return health_;
}

void RedisEventAppender::AppendAsync(std::vector<Event> events, AppendCallback done) {
  if (events.empty()) {
    done(AppendOutcome{});
    return;
  }
  std::unique_lock lock(mu_);
  Status refused;
  if (stop_) {
    refused = Status::Unavailable("Redis bus appender shutting down");
  } else if (!health_.ok()) {
    refused = health_;
  } else if (in_flight_ + events.size() > options_.max_in_flight_events) {
    refused = Status::ResourceExhausted("Redis bus appender: " + std::to_string(in_flight_) +
                                        " events in flight (max_in_flight_events)");
  }
  if (!refused.ok()) {
    lock.unlock();
    done(std::move(refused));
    return;
  }
  in_flight_ += events.size();
  queue_.push_back(Request{std::move(events), std::move(done)});
  lock.unlock();
  wake_.notify_one();
}

void RedisEventAppender::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (!health_.ok()) {
      // Callers queued before Redis failed are not kept waiting for it to come back.
      std::deque<Request> refused = std::move(queue_);
      queue_.clear();
      const Status why = health_;
      lock.unlock();
      std::vector<Request> batch(std::make_move_iterator(refused.begin()), std::make_move_iterator(refused.end()));
      Finish(batch, std::vector<Result<AppendOutcome>>(batch.size(), why));
      Probe();
      lock.lock();
      if (!health_.ok()) wake_.wait_for(lock, kProbeInterval, [this] { return stop_; });
      continue;
    }
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) continue;
    std::vector<Request> batch = TakeBatch(lock);
    lock.unlock();
    WriteBatch(batch);
    lock.lock();
  }
}

// Whole requests, oldest first, until max_batch_events is reached (at least one request).
std::vector<RedisEventAppender::Request> RedisEventAppender::TakeBatch(std::unique_lock<std::mutex>&) {
  std::vector<Request> batch;
  size_t events = 0;
  while (!queue_.empty() && (batch.empty() || events + queue_.front().events.size() <= options_.max_batch_events)) {
    events += queue_.front().events.size();
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void RedisEventAppender::Probe() {
  Result<RedisReply> pong = client_->Command(RedisCommand{{"PING"}, RedisCommand::kNoKey});
  if (!pong.ok() || pong->is_error()) return;
  std::lock_guard lock(mu_);
  health_ = Status::Ok();
}

// One EVALSHA per event, pipelined with WAIT; commands refused with NOSCRIPT (not executed) again as EVAL.
Result<std::vector<RedisReply>> RedisEventAppender::RunScripts(const std::vector<Request>& batch) {
  const int64_t now = NowMs();
  const std::string window = std::to_string(options_.dedup_window_ms);
  std::vector<RedisCommand> commands;
  for (const Request& r : batch) {
    for (const Event& e : r.events) {
      const uint32_t p = PartitionOf(e.user_id, options_.partitions);
      std::string record;
      EncodeLoggedEvent(LoggedEvent{p, 0, now, e}, &record);
      commands.push_back(RedisCommand{
          {"EVALSHA", sha_, "3", DedupKey(p, e.event_id), OffsetKey(p), EventsKey(p), window, std::move(record)},
          3});
    }
  }
  Result<std::vector<RedisReply>> replies = client_->Pipeline(commands, BusWait(options_));
  if (!replies.ok()) return replies;
  std::vector<size_t> missing;
  std::vector<RedisCommand> evals;
  for (size_t i = 0; i < replies->size(); ++i) {
    if ((*replies)[i].error_code() != "NOSCRIPT") continue;
    missing.push_back(i);
    evals.push_back(std::move(commands[i]));
    evals.back().args[0] = "EVAL";
    evals.back().args[1] = std::string(kAppendScript);
  }
  if (evals.empty()) return replies;
  Result<std::vector<RedisReply>> retried = client_->Pipeline(evals, BusWait(options_));
  if (!retried.ok()) return retried;
  for (size_t j = 0; j < missing.size(); ++j) (*replies)[missing[j]] = std::move((*retried)[j]);
  return replies;
}

void RedisEventAppender::WriteBatch(std::vector<Request>& batch) {
  Result<std::vector<RedisReply>> replies = RunScripts(batch);
  std::vector<Result<AppendOutcome>> outcomes;
  if (!replies.ok()) {
    std::lock_guard lock(mu_);
    health_ = replies.status();
  }
  size_t next = 0;
  for (const Request& r : batch) {
    if (!replies.ok()) {
      outcomes.emplace_back(replies.status());
      continue;
    }
    AppendOutcome outcome;
    Status failed;
    for (size_t i = 0; i < r.events.size(); ++i) {
      const RedisReply& reply = (*replies)[next++];
      if (reply.type != RedisReply::Type::kInteger) {
        failed = Status::Internal("Redis append script: " + reply.str);
        continue;
      }
      outcome.seqs.push_back(static_cast<uint64_t>(reply.integer));
      ++(reply.integer == 0 ? outcome.duplicates : outcome.accepted);
    }
    outcomes.push_back(failed.ok() ? Result<AppendOutcome>(std::move(outcome)) : Result<AppendOutcome>(failed));
  }
  Finish(batch, outcomes);
}

void RedisEventAppender::Finish(std::vector<Request>& batch, const std::vector<Result<AppendOutcome>>& outcomes) {
  size_t events = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    events += batch[i].events.size();
    batch[i].done(outcomes[i]);
  }
  std::lock_guard lock(mu_);
  in_flight_ -= events;
}

}  // namespace segue::bus
