#include "bus/redis_event_appender.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "bus/redis_keys.h"
#include "common/hash.h"
#include "log/record_codec.h"

namespace segue::bus {
namespace {

// One partition's events of a batch, in order. KEYS: offset, events, then the dedup key of each event.
// ARGV: window ms, then the record of each event. Returns one offset per event, 0 for a duplicate.
// SET NX is both the check and the mark, and the script's first write: a Redis over maxmemory refuses it,
// and once a script has written Redis lets it finish. Redis does not roll a failed script back, so an XADD
// error (not expected: the id always grows) is caught: that event is unmarked (its retry must not look
// like a duplicate), the offsets used so far are written back (offsets stay dense) and the error returned.
constexpr std::string_view kAppendScript = R"lua(
local offset = tonumber(redis.call('GET', KEYS[1]) or '0')
local out = {}
for i = 3, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ARGV[1]) then
    local added = redis.pcall('XADD', KEYS[2], string.format('%.0f', offset + 1) .. '-1', 'r', ARGV[i - 1])
    if type(added) == 'table' and added.err then
      redis.call('DEL', KEYS[i])
      redis.call('SET', KEYS[1], string.format('%.0f', offset))
      return added
    end
    offset = offset + 1
    out[#out + 1] = offset
  else
    out[#out + 1] = 0
  end
end
redis.call('SET', KEYS[1], string.format('%.0f', offset))
return out
)lua";

constexpr std::chrono::milliseconds kProbeInterval{250};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::unique_ptr<RedisEventAppender>> RedisEventAppender::Open(RedisBusOptions options) {
  if (options.writers == 0) return Status::InvalidArgument("Redis bus: writers must be at least 1");
  std::vector<std::unique_ptr<RedisClient>> clients;
  for (size_t i = 0; i < options.writers; ++i) {
    Result<std::unique_ptr<RedisClient>> client = ConnectBus(options);
    if (!client.ok()) return client.status();
    clients.push_back(std::move(client).value());
  }
  Result<std::vector<RedisReply>> loaded = clients[0]->ForEachMaster(
      RedisCommand{{"SCRIPT", "LOAD", std::string(kAppendScript)}, RedisCommand::kNoKey});
  if (!loaded.ok()) return loaded.status();
  if (loaded->empty() || loaded->front().is_error()) {
    return Status::Unavailable("Redis: SCRIPT LOAD failed: " + (loaded->empty() ? "" : loaded->front().str));
  }
  std::unique_ptr<RedisEventAppender> appender(new RedisEventAppender(std::move(options), loaded->front().str));
  for (std::unique_ptr<RedisClient>& client : clients) {
    auto writer = std::make_unique<Writer>();
    writer->client = std::move(client);
    appender->writers_.push_back(std::move(writer));
  }
  for (auto& writer : appender->writers_) writer->thread = std::thread([&a = *appender, &w = *writer] { a.Run(w); });
  return appender;
}

RedisEventAppender::RedisEventAppender(RedisBusOptions options, std::string sha)
    : options_(std::move(options)), sha_(std::move(sha)) {}

RedisEventAppender::~RedisEventAppender() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  for (auto& writer : writers_) {
    writer->wake.notify_all();
    writer->thread.join();
  }
  const Status why = Status::Unavailable("Redis bus appender shutting down");
  for (auto& writer : writers_) {
    std::vector<Part> left(std::make_move_iterator(writer->queue.begin()),
                           std::make_move_iterator(writer->queue.end()));
    Fail(left, why);
  }
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
  std::vector<Part> parts(writers_.size());
  for (size_t i = 0; i < events.size(); ++i) {
    Part& part = parts[PartitionOf(events[i].user_id, options_.partitions) % writers_.size()];
    part.indices.push_back(static_cast<uint32_t>(i));
    part.events.push_back(std::move(events[i]));
  }
  const size_t used = static_cast<size_t>(std::count_if(parts.begin(), parts.end(), [](const Part& p) {
    return !p.events.empty();
  }));
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
  auto call = std::make_shared<AppendCall>(events.size(), used, std::move(done));
  for (size_t w = 0; w < parts.size(); ++w) {
    if (parts[w].events.empty()) continue;
    parts[w].call = call;
    writers_[w]->queue.push_back(std::move(parts[w]));
    writers_[w]->wake.notify_one();
  }
}

void RedisEventAppender::Run(Writer& writer) {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (!health_.ok()) {
      // Callers queued before Redis failed are not kept waiting for it to come back.
      std::vector<Part> refused(std::make_move_iterator(writer.queue.begin()),
                                std::make_move_iterator(writer.queue.end()));
      writer.queue.clear();
      const Status why = health_;
      lock.unlock();
      Fail(refused, why);
      Probe(*writer.client);
      lock.lock();
      if (!health_.ok()) writer.wake.wait_for(lock, kProbeInterval, [this] { return stop_; });
      continue;
    }
    writer.wake.wait(lock, [&] { return stop_ || !writer.queue.empty() || !health_.ok(); });
    if (writer.queue.empty() || !health_.ok()) continue;
    std::vector<Part> batch = TakeBatch(writer);
    lock.unlock();
    WriteBatch(*writer.client, batch);
    lock.lock();
  }
}

// Whole parts, oldest first, until max_batch_events is reached (at least one part). mu_ is held.
std::vector<RedisEventAppender::Part> RedisEventAppender::TakeBatch(Writer& writer) {
  std::vector<Part> batch;
  size_t events = 0;
  while (!writer.queue.empty() &&
         (batch.empty() || events + writer.queue.front().events.size() <= options_.max_batch_events)) {
    events += writer.queue.front().events.size();
    batch.push_back(std::move(writer.queue.front()));
    writer.queue.pop_front();
  }
  return batch;
}

// Healthy again when Redis answers; with WAIT in the policy, when WAIT on this writer's connection says
// the replicas acknowledged everything it wrote (a master whose replica is gone stays refused).
void RedisEventAppender::Probe(RedisClient& client) {
  const bool wait = options_.wait_replicas > 0;
  const RedisCommand probe =
      wait ? RedisCommand{{"WAIT", std::to_string(options_.wait_replicas), std::to_string(kProbeInterval.count())},
                          RedisCommand::kNoKey}
           : RedisCommand{{"PING"}, RedisCommand::kNoKey};
  Result<RedisReply> reply = client.Command(probe);
  if (!reply.ok() || reply->is_error() || (wait && reply->integer < options_.wait_replicas)) return;
  std::lock_guard lock(mu_);
  health_ = Status::Ok();
}

// One EVALSHA per partition in the batch, pipelined with WAIT; scripts refused with NOSCRIPT (not
// executed) again as EVAL. Returns one reply per event, in batch order: its offset, or the script's error.
Result<std::vector<RedisReply>> RedisEventAppender::RunScripts(RedisClient& client, const std::vector<Part>& batch) {
  const int64_t now = NowMs();
  std::vector<RedisCommand> commands;
  std::vector<int32_t> command_of(options_.partitions, -1);
  std::vector<size_t> order;  // order[k]: the batch position of the k-th event in command order
  std::vector<std::vector<size_t>> members;
  size_t position = 0;
  for (const Part& part : batch) {
    for (const Event& e : part.events) {
      const uint32_t p = PartitionOf(e.user_id, options_.partitions);
      if (command_of[p] < 0) {
        command_of[p] = static_cast<int32_t>(commands.size());
        commands.push_back(RedisCommand{{"EVALSHA", sha_, "", OffsetKey(p), EventsKey(p)}, 3});
        members.emplace_back();
      }
      RedisCommand& command = commands[static_cast<size_t>(command_of[p])];
      command.args.push_back(DedupKey(p, e.event_id));
      members[static_cast<size_t>(command_of[p])].push_back(position++);
    }
  }
  // Arguments after the keys: the window, then the records, in the keys' order.
  const std::string window = std::to_string(options_.dedup_window_ms);
  std::vector<const Event*> events;
  for (const Part& part : batch) {
    for (const Event& e : part.events) events.push_back(&e);
  }
  for (size_t c = 0; c < commands.size(); ++c) {
    RedisCommand& command = commands[c];
    command.args[2] = std::to_string(command.args.size() - 3);
    command.args.push_back(window);
    for (size_t k : members[c]) {
      const Event& e = *events[k];
      std::string record;
      EncodeLoggedEvent(LoggedEvent{PartitionOf(e.user_id, options_.partitions), 0, now, e}, &record);
      command.args.push_back(std::move(record));
    }
  }
  Result<std::vector<RedisReply>> replies = client.Pipeline(commands, BusWait(options_));
  if (!replies.ok()) return replies;
  if (Status s = RetryUnloaded(client, commands, *replies); !s.ok()) return s;
  return Spread(*replies, members, events.size());
}

// Scripts refused with NOSCRIPT (a node that never loaded it, e.g. a replica promoted since) again as EVAL.
Status RedisEventAppender::RetryUnloaded(RedisClient& client, std::vector<RedisCommand>& commands,
                                         std::vector<RedisReply>& replies) {
  std::vector<size_t> missing;
  std::vector<RedisCommand> evals;
  for (size_t i = 0; i < replies.size(); ++i) {
    if (replies[i].error_code() != "NOSCRIPT") continue;
    missing.push_back(i);
    evals.push_back(std::move(commands[i]));
    evals.back().args[0] = "EVAL";
    evals.back().args[1] = std::string(kAppendScript);
  }
  if (evals.empty()) return Status::Ok();
  Result<std::vector<RedisReply>> retried = client.Pipeline(evals, BusWait(options_));
  if (!retried.ok()) return retried.status();
  for (size_t j = 0; j < missing.size(); ++j) replies[missing[j]] = std::move((*retried)[j]);
  return Status::Ok();
}

// Per-partition replies (arrays of offsets, or an error) → one reply per event in batch order.
std::vector<RedisReply> RedisEventAppender::Spread(std::vector<RedisReply>& replies,
                                                   const std::vector<std::vector<size_t>>& members, size_t events) {
  std::vector<RedisReply> out(events);
  for (size_t c = 0; c < replies.size(); ++c) {
    RedisReply& reply = replies[c];
    for (size_t k = 0; k < members[c].size(); ++k) {
      const bool ok = reply.type == RedisReply::Type::kArray && k < reply.elements.size();
      out[members[c][k]] = ok ? std::move(reply.elements[k]) : reply;
    }
  }
  return out;
}

void RedisEventAppender::WriteBatch(RedisClient& client, std::vector<Part>& batch) {
  Result<std::vector<RedisReply>> replies = RunScripts(client, batch);
  if (!replies.ok()) {
    {
      std::lock_guard lock(mu_);
      health_ = replies.status();
    }
    for (auto& writer : writers_) writer->wake.notify_one();  // they fail their queues too
    Fail(batch, replies.status());
    return;
  }
  size_t next = 0;
  std::vector<uint64_t> seqs;
  for (Part& part : batch) {
    seqs.clear();
    Status failed;
    for (size_t i = 0; i < part.events.size(); ++i) {
      const RedisReply& reply = (*replies)[next++];
      if (reply.type != RedisReply::Type::kInteger) failed = Status::Internal("Redis append script: " + reply.str);
      seqs.push_back(static_cast<uint64_t>(reply.integer));
    }
    if (failed.ok()) {
      part.call->Finish(part.indices, seqs);
    } else {
      part.call->Fail(failed);
    }
    Done(part.events.size());
  }
}

void RedisEventAppender::Fail(std::vector<Part>& parts, const Status& why) {
  for (Part& part : parts) {
    part.call->Fail(why);
    Done(part.events.size());
  }
}

void RedisEventAppender::Done(size_t events) {
  std::lock_guard lock(mu_);
  in_flight_ -= events;
}

}  // namespace segue::bus
