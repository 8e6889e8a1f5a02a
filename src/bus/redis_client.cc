#include "bus/redis_client.h"

#include <charconv>
#include <thread>

#include "bus/cluster_slot.h"

namespace segue::bus {
namespace {

const RedisCommand kAsking{{"ASKING"}, RedisCommand::kNoKey};
const RedisCommand kMulti{{"MULTI"}, RedisCommand::kNoKey};
const RedisCommand kExec{{"EXEC"}, RedisCommand::kNoKey};
const RedisCommand kClusterSlotsCommand{{"CLUSTER", "SLOTS"}, RedisCommand::kNoKey};
constexpr std::chrono::milliseconds kPauseStep{25};

enum class Verdict { kDone, kMoved, kAsk, kRetry };

// What to do with a reply: keep it, or re-send its command (the error says it was not executed).
Verdict Classify(const RedisReply& reply) {
  const std::string_view code = reply.error_code();
  if (code.empty()) return Verdict::kDone;
  if (code == "MOVED") return Verdict::kMoved;
  if (code == "ASK") return Verdict::kAsk;
  if (code == "TRYAGAIN" || code == "CLUSTERDOWN" || code == "READONLY" || code == "MASTERDOWN" ||
      code == "LOADING") {
    return Verdict::kRetry;
  }
  return Verdict::kDone;
}

// "MOVED 3999 127.0.0.1:6381" / "ASK 3999 127.0.0.1:6381" → slot and endpoint.
bool ParseRedirect(std::string_view error, uint16_t* slot, RedisEndpoint* endpoint) {
  const size_t a = error.find(' ');
  const size_t b = error.find(' ', a + 1);
  const size_t colon = error.rfind(':');
  if (a == std::string_view::npos || b == std::string_view::npos || colon == std::string_view::npos || colon < b) {
    return false;
  }
  unsigned s = 0;
  unsigned port = 0;
  const std::string_view slot_text = error.substr(a + 1, b - a - 1);
  const std::string_view port_text = error.substr(colon + 1);
  if (std::from_chars(slot_text.data(), slot_text.data() + slot_text.size(), s).ec != std::errc() ||
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port).ec != std::errc() ||
      s >= kClusterSlots || port == 0 || port > 65535) {
    return false;
  }
  *slot = static_cast<uint16_t>(s);
  *endpoint = RedisEndpoint{std::string(error.substr(b + 1, colon - b - 1)), static_cast<uint16_t>(port)};
  return true;
}

RedisCommand WaitCommand(WaitReplicas wait) {
  return RedisCommand{{"WAIT", std::to_string(wait.replicas), std::to_string(wait.timeout.count())},
                      RedisCommand::kNoKey};
}

Status CheckWait(const RedisReply& reply, WaitReplicas wait, const RedisEndpoint& node) {
  if (reply.type == RedisReply::Type::kInteger && reply.integer >= wait.replicas) return Status::Ok();
  std::string got = reply.is_error() ? reply.str : std::to_string(reply.integer) + " acknowledged";
  return Status::Unavailable("Redis " + ToString(node) + ": WAIT " + std::to_string(wait.replicas) + " " +
                             std::to_string(wait.timeout.count()) + " ms: " + got);
}

}  // namespace

struct RedisClient::Pending {
  size_t index = 0;   // in the caller's commands
  int32_t node = -1;  // -1: the owner of the command's slot
  bool asking = false;
};

RedisClient::RedisClient(RedisClientOptions options)
    : options_(std::move(options)), slot_owner_(kClusterSlots, -1) {}

RedisClient::~RedisClient() = default;

Result<std::unique_ptr<RedisClient>> RedisClient::Connect(RedisClientOptions options) {
  if (options.seeds.empty()) return Status::InvalidArgument("Redis: no seed endpoint given");
  std::unique_ptr<RedisClient> client(new RedisClient(std::move(options)));
  for (const RedisEndpoint& seed : client->options_.seeds) client->NodeIndex(seed);
  if (Status s = client->RefreshSlots(); !s.ok()) return s;
  return client;
}

size_t RedisClient::NodeIndex(const RedisEndpoint& endpoint) {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->endpoint() == endpoint) return i;
  }
  nodes_.push_back(std::make_unique<RedisConnection>(endpoint, options_.timeouts));
  return nodes_.size() - 1;
}

size_t RedisClient::NodeFor(std::string_view routing_key) const {
  if (!cluster_) return 0;
  const int32_t owner = routing_key.empty() ? -1 : slot_owner_[KeySlot(routing_key)];
  if (owner >= 0) return static_cast<size_t>(owner);
  for (int32_t node : slot_owner_) {
    if (node >= 0) return static_cast<size_t>(node);
  }
  return 0;
}

// Asks each known node in turn for CLUSTER SLOTS; the first answer wins. At the first call a server with
// cluster support disabled makes this a single-server client (it is then moved to nodes_[0]).
Status RedisClient::RefreshSlots() {
  Status last = Status::Unavailable("Redis: no node known");
  const RedisCommand* command = &kClusterSlotsCommand;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    bool sent = false;
    last = nodes_[i]->Send({&command, 1}, &sent);
    if (!last.ok()) continue;
    Result<std::vector<RedisReply>> reply = nodes_[i]->Receive(1);
    if (!reply.ok()) {
      last = reply.status();
      continue;
    }
    const RedisReply& slots = reply.value()[0];
    if (slots.is_error() && slots.str.find("cluster support disabled") != std::string::npos) {
      std::swap(nodes_[0], nodes_[i]);
      cluster_ = false;
      map_stale_ = false;
      return Status::Ok();
    }
    last = LoadSlotMap(slots, nodes_[i]->endpoint());
    if (last.ok()) return last;
  }
  return last;
}

Status RedisClient::LoadSlotMap(const RedisReply& slots, const RedisEndpoint& asked) {
  if (slots.type != RedisReply::Type::kArray) {
    return Status::Unavailable("Redis " + ToString(asked) + ": CLUSTER SLOTS: " + slots.str);
  }
  std::vector<int32_t> owners(kClusterSlots, -1);
  for (const RedisReply& range : slots.elements) {
    if (range.elements.size() < 3 || range.elements[2].elements.size() < 2) {
      return Status::Corruption("Redis " + ToString(asked) + ": malformed CLUSTER SLOTS entry");
    }
    const RedisReply& master = range.elements[2];
    RedisEndpoint endpoint{master.elements[0].str, static_cast<uint16_t>(master.elements[1].integer)};
    // An empty host means "the address you reached me at".
    if (endpoint.host.empty() || endpoint.host == "?") endpoint.host = asked.host;
    const int32_t node = static_cast<int32_t>(NodeIndex(endpoint));
    const long long last = std::min<long long>(range.elements[1].integer, kClusterSlots - 1);
    for (long long slot = std::max<long long>(range.elements[0].integer, 0); slot <= last; ++slot) {
      owners[static_cast<size_t>(slot)] = node;
    }
  }
  slot_owner_ = std::move(owners);
  cluster_ = true;
  map_stale_ = false;
  return Status::Ok();
}

std::vector<RedisEndpoint> RedisClient::masters() const {
  if (!cluster_) return {nodes_[0]->endpoint()};
  std::vector<bool> seen(nodes_.size(), false);
  std::vector<RedisEndpoint> out;
  for (int32_t node : slot_owner_) {
    if (node < 0 || seen[static_cast<size_t>(node)]) continue;
    seen[static_cast<size_t>(node)] = true;
    out.push_back(nodes_[static_cast<size_t>(node)]->endpoint());
  }
  return out;
}

Result<RedisReply> RedisClient::Command(const RedisCommand& command, WaitReplicas wait) {
  Result<std::vector<RedisReply>> replies = Pipeline({&command, 1}, wait);
  if (!replies.ok()) return replies.status();
  return std::move(replies.value()[0]);
}

Result<std::vector<RedisReply>> RedisClient::Pipeline(std::span<const RedisCommand> commands, WaitReplicas wait) {
  std::vector<Pending> pending(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) pending[i].index = i;
  return RunRounds(commands, wait, std::move(pending));
}

Result<std::vector<RedisReply>> RedisClient::RunRounds(std::span<const RedisCommand> commands, WaitReplicas wait,
                                                       std::vector<Pending> pending) {
  std::vector<RedisReply> replies(commands.size());
  std::string reason;
  for (int round = 0; round < options_.max_rounds && !pending.empty(); ++round) {
    if (map_stale_) RefreshSlots();  // on failure the old map stays; the next send says what is wrong
    bool pause = false;
    if (Status s = SendRound(commands, wait, pending, replies, &pause, &reason); !s.ok()) return s;
    if (pause && !pending.empty()) std::this_thread::sleep_for(kPauseStep * (round + 1));
  }
  if (!pending.empty()) {
    return Status::Unavailable("Redis: gave up after " + std::to_string(options_.max_rounds) + " rounds: " + reason);
  }
  return replies;
}

// Acts on a reply that says its command did not run: MOVED updates the slot's owner, and the map is
// refreshed before the next round. Returns the node an ASK names (the command goes there once, after
// ASKING), or -1 to route it by the map again.
int32_t RedisClient::Redirect(const RedisReply& reply) {
  const Verdict verdict = Classify(reply);
  uint16_t slot = 0;
  RedisEndpoint target;
  const bool parsed = verdict != Verdict::kRetry && ParseRedirect(reply.str, &slot, &target);
  if (verdict == Verdict::kAsk && parsed) return static_cast<int32_t>(NodeIndex(target));
  if (verdict == Verdict::kMoved && parsed) slot_owner_[slot] = static_cast<int32_t>(NodeIndex(target));
  map_stale_ = true;
  return -1;
}

// One round: the pending commands grouped by node, each group (with ASKING where needed, then WAIT) sent in
// one write, then every group's replies read. Commands to re-send go back into `pending`; the returned
// Status is a failure after which nothing may be re-sent (the replies of the nodes already written to are
// still read, so their connections stay in step).
Status RedisClient::SendRound(std::span<const RedisCommand> commands, WaitReplicas wait,
                              std::vector<Pending>& pending, std::vector<RedisReply>& replies, bool* pause,
                              std::string* reason) {
  std::vector<std::vector<Pending>> groups(nodes_.size());
  for (const Pending& p : pending) {
    const size_t node = p.node >= 0 ? static_cast<size_t>(p.node) : NodeFor(commands[p.index].routing_key());
    groups[node].push_back(p);
  }
  pending.clear();
  const RedisCommand wait_command = WaitCommand(wait);
  std::vector<std::vector<const RedisCommand*>> wires(groups.size());
  Status fatal;
  for (size_t node = 0; node < groups.size() && fatal.ok(); ++node) {
    if (groups[node].empty()) continue;
    std::vector<const RedisCommand*>& wire = wires[node];
    for (const Pending& p : groups[node]) {
      if (p.asking) wire.push_back(&kAsking);
      wire.push_back(&commands[p.index]);
    }
    if (wait.replicas > 0) wire.push_back(&wait_command);
    bool sent = false;
    if (Status s = nodes_[node]->Send(wire, &sent); !s.ok()) {
      wire.clear();
      if (sent) {  // outcome unknown: stop sending, but read what the other nodes answer
        fatal = s;
        break;
      }
      *reason = s.message();  // refused: nothing was sent, so the group is re-sent after a refresh
      map_stale_ = true;
      *pause = true;
      for (Pending p : groups[node]) pending.push_back(Pending{p.index, -1, false});
    }
  }
  for (size_t node = 0; node < wires.size(); ++node) {
    if (wires[node].empty()) continue;
    Status s = ReadGroup(node, groups[node], wait, pending, replies, pause, reason);
    if (fatal.ok()) fatal = s;
  }
  return fatal;
}

// The replies of one node's group: kept, or the command goes back into `pending`; then its WAIT.
Status RedisClient::ReadGroup(size_t node, const std::vector<Pending>& group, WaitReplicas wait,
                              std::vector<Pending>& pending, std::vector<RedisReply>& replies, bool* pause,
                              std::string* reason) {
  size_t count = group.size() + (wait.replicas > 0 ? 1 : 0);
  for (const Pending& p : group) count += p.asking ? 1 : 0;
  Result<std::vector<RedisReply>> got = nodes_[node]->Receive(count);
  if (!got.ok()) return got.status();
  std::vector<RedisReply>& r = got.value();
  size_t k = 0;
  for (const Pending& p : group) {
    if (p.asking) ++k;
    RedisReply& reply = r[k++];
    const Verdict verdict = Classify(reply);
    if (verdict == Verdict::kDone) {
      replies[p.index] = std::move(reply);
      continue;
    }
    *reason = reply.str;
    if (verdict == Verdict::kRetry) *pause = true;
    const int32_t ask = Redirect(reply);
    pending.push_back(Pending{p.index, ask, ask >= 0});
  }
  return wait.replicas > 0 ? CheckWait(r[k], wait, nodes_[node]->endpoint()) : Status::Ok();
}

Result<RedisReply> RedisClient::Transaction(std::span<const RedisCommand> commands, WaitReplicas wait) {
  if (commands.empty()) return Status::InvalidArgument("Redis: empty transaction");
  std::vector<const RedisCommand*> wire{&kMulti};
  for (const RedisCommand& c : commands) wire.push_back(&c);
  wire.push_back(&kExec);
  const RedisCommand wait_command = WaitCommand(wait);
  if (wait.replicas > 0) wire.push_back(&wait_command);
  std::string reason;
  for (int round = 0; round < options_.max_rounds; ++round) {
    if (map_stale_) RefreshSlots();
    const size_t node = NodeFor(commands[0].routing_key());
    bool sent = false;
    if (Status s = nodes_[node]->Send(wire, &sent); !s.ok()) {
      if (sent) return s;
      reason = s.message();
      map_stale_ = true;
      std::this_thread::sleep_for(kPauseStep * (round + 1));
      continue;
    }
    Result<std::vector<RedisReply>> got = nodes_[node]->Receive(wire.size());
    if (!got.ok()) return got.status();
    std::vector<RedisReply>& r = got.value();
    // A queued command refused with a redirection aborts the transaction (EXECABORT): nothing ran, so it
    // is sent again, whole, to the slot's owner (an ASK is treated like a MOVED here: the map is reloaded).
    bool again = false;
    for (size_t i = 1; i <= commands.size(); ++i) {
      if (Classify(r[i]) == Verdict::kDone) continue;
      again = true;
      reason = r[i].str;
      Redirect(r[i]);
    }
    if (again) {
      std::this_thread::sleep_for(kPauseStep * (round + 1));
      continue;
    }
    if (wait.replicas > 0) {
      if (Status s = CheckWait(r.back(), wait, nodes_[node]->endpoint()); !s.ok()) return s;
    }
    return std::move(r[commands.size() + 1]);
  }
  return Status::Unavailable("Redis: transaction gave up after " + std::to_string(options_.max_rounds) +
                             " rounds: " + reason);
}

Result<std::vector<RedisReply>> RedisClient::ForEachMaster(const RedisCommand& command) {
  if (map_stale_) RefreshSlots();
  std::vector<RedisReply> out;
  const RedisCommand* wire = &command;
  for (const RedisEndpoint& master : masters()) {
    RedisConnection& connection = *nodes_[NodeIndex(master)];
    bool sent = false;
    if (Status s = connection.Send({&wire, 1}, &sent); !s.ok()) {
      map_stale_ = true;
      return s;
    }
    Result<std::vector<RedisReply>> got = connection.Receive(1);
    if (!got.ok()) return got.status();
    out.push_back(std::move(got.value()[0]));
  }
  return out;
}

}  // namespace segue::bus
