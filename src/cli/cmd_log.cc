// `segue log`: read and maintain the event log of a data directory (docs/log.md).
//   export  NDJSON events on stdout (one LoggedEventToJson object per line), progress on stderr
//   stats   event counts, sizes, seq range (--json: one object on stdout)
//   retain  apply retention by age and/or size now (needs the server to be stopped)
// export --impressions writes the stored impressions (impressions/impression_store.h), --outcomes the
// feedback outcomes (feedback/outcome_store.h), instead of events.
// export and stats open the log read-only, so they work while `segue serve` holds it; they see what had
// been written when they started.
#include <chrono>
#include <cstdio>
#include <functional>
#include <limits>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "common/quantities.h"
#include "common/time_util.h"
#include "events/event_json.h"
#include "feedback/outcome_json.h"
#include "feedback/outcome_store.h"
#include "impressions/impression_store.h"
#include "log/event_log.h"

namespace segue::cli {
namespace {

using Clock = std::chrono::steady_clock;

// RFC 3339 or integer epoch milliseconds.
std::optional<int64_t> ParseTimeArg(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("-0123456789") == std::string::npos) {
    try {
      size_t used = 0;
      const int64_t v = std::stoll(text, &used);
      if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    return std::nullopt;
  }
  return ParseRfc3339Ms(text);
}

Result<std::unique_ptr<EventLog>> OpenReadOnly(const std::string& data_dir) {
  EventLogOptions o;
  o.dir = data_dir;
  o.read_only = true;
  return EventLog::Open(o);
}

int RunExport(const std::string& data_dir, uint64_t from_seq, const std::string& since, const std::string& until,
              int partition, const std::string& order) {
  EventLog::ScanOptions so;
  so.from_seq = from_seq;
  if (!since.empty()) {
    auto t = ParseTimeArg(since);
    if (!t) {
      std::cerr << "segue log export: --since '" << since << "' is not RFC 3339 or epoch milliseconds\n";
      return 2;
    }
    so.since_ms = *t;
  }
  if (!until.empty()) {
    auto t = ParseTimeArg(until);
    if (!t) {
      std::cerr << "segue log export: --until '" << until << "' is not RFC 3339 or epoch milliseconds\n";
      return 2;
    }
    so.until_ms = *t;
  }
  if (partition >= 0) so.partition = static_cast<uint32_t>(partition);
  so.order = order == "time" ? EventLog::ScanOrder::kEventTime : EventLog::ScanOrder::kSeq;

  auto log = OpenReadOnly(data_dir);
  if (!log.ok()) {
    std::cerr << "segue log export: " << log.status().message() << "\n";
    return 1;
  }
  const uint64_t total = (*log)->stats().events;
  std::string buf;
  buf.reserve(1 << 20);
  uint64_t written = 0;
  bool write_failed = false;
  const auto start = Clock::now();
  auto last_progress = start;
  Status s = (*log)->Scan(so, [&](const LoggedEvent& e) {
    AppendLoggedEventJson(e, &buf);
    buf.push_back('\n');
    ++written;
    if (buf.size() >= (1 << 20)) {
      if (std::fwrite(buf.data(), 1, buf.size(), stdout) != buf.size()) {
        write_failed = true;
        return false;
      }
      buf.clear();
      const auto now = Clock::now();
      if (now - last_progress >= std::chrono::seconds(2)) {
        last_progress = now;
        std::fprintf(stderr, "segue log export: %llu of at most %llu events (seq %llu)\n",
                     static_cast<unsigned long long>(written), static_cast<unsigned long long>(total),
                     static_cast<unsigned long long>(e.seq));
      }
    }
    return true;
  });
  if (!write_failed && !buf.empty() && std::fwrite(buf.data(), 1, buf.size(), stdout) != buf.size()) {
    write_failed = true;
  }
  if (std::fflush(stdout) != 0) write_failed = true;
  if (write_failed) {
    std::cerr << "segue log export: writing to stdout failed\n";
    return 1;
  }
  if (!s.ok()) {
    std::cerr << "segue log export: " << s.message() << " (after " << written << " events)\n";
    return 1;
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::fprintf(stderr, "segue log export: %llu events in %.1f s\n", static_cast<unsigned long long>(written), secs);
  return 0;
}

// A store's ExportAll, handing each stored record's JSON to `write` until it returns false.
using JsonExport = std::function<Status(const std::function<bool(std::string_view json)>& write)>;

// Every record `export_all` visits as one JSON object per line; `what` names them in the summary.
int RunExportJsonLines(const char* what, const JsonExport& export_all) {
  uint64_t written = 0;
  bool write_failed = false;
  Status s = export_all([&](std::string_view json) {
    write_failed = std::fwrite(json.data(), 1, json.size(), stdout) != json.size() || std::fputc('\n', stdout) == EOF;
    ++written;
    return !write_failed;
  });
  if (std::fflush(stdout) != 0 || write_failed) {
    std::cerr << "segue log export: writing to stdout failed\n";
    return 1;
  }
  if (!s.ok()) {
    std::cerr << "segue log export: " << s.message() << "\n";
    return 1;
  }
  std::fprintf(stderr, "segue log export: %llu %s\n", static_cast<unsigned long long>(written), what);
  return 0;
}

// Every stored impression, in (listener, time) key order.
int RunExportImpressions(const std::string& data_dir) {
  const std::string dir = data_dir + "/" + impressions::kImpressionsSubdir;
  return RunExportJsonLines("impressions",
                            [&](const auto& write) { return impressions::ImpressionStore::ExportAll(dir, write); });
}

// Every stored outcome, in (listener, rec_id, track, kind) key order.
int RunExportOutcomes(const std::string& data_dir) {
  const std::string dir = data_dir + "/" + feedback::kOutcomesSubdir;
  return RunExportJsonLines("outcomes", [&](const auto& write) {
    return feedback::OutcomeStore::ExportAll(
        dir, [&](const feedback::Outcome& o) { return write(feedback::OutcomeToJson(o)); });
  });
}

void PrintStats(const LogStats& st, uint32_t partitions, bool json) {
  if (json) {
    std::string out = "{\"events\":" + std::to_string(st.events);
    out += ",\"first_seq\":" + std::to_string(st.first_seq);
    out += ",\"last_seq\":" + std::to_string(st.last_seq);
    out += ",\"logical_bytes\":" + std::to_string(st.logical_bytes);
    out += ",\"disk_bytes\":" + std::to_string(st.disk_bytes);
    out += ",\"partitions\":" + std::to_string(partitions);
    out += ",\"partition_events\":[";
    for (size_t p = 0; p < st.partition_events.size(); ++p) {
      if (p) out += ',';
      out += std::to_string(st.partition_events[p]);
    }
    out += "]}";
    std::cout << out << "\n";
    return;
  }
  std::cout << "events:         " << st.events << "\n"
            << "seq range:      " << st.first_seq << " .. " << st.last_seq << "\n"
            << "logical bytes:  " << st.logical_bytes << "\n"
            << "disk bytes:     " << st.disk_bytes << " (RocksDB estimate)\n"
            << "partitions:     " << partitions << "\n";
  for (size_t p = 0; p < st.partition_events.size(); ++p) {
    std::cout << "  partition " << p << ": " << st.partition_events[p] << " events\n";
  }
}

int RunRetain(const std::string& data_dir, const std::string& max_age, const std::string& max_bytes, bool json) {
  EventLogOptions o;
  o.dir = data_dir;
  if (!max_age.empty()) {
    auto ms = ParseDurationMs(max_age);
    if (!ms || *ms == 0) {
      std::cerr << "segue log retain: --max-age '" << max_age << "' is not a duration like 90s, 30m, 12h, 7d\n";
      return 2;
    }
    o.retention_ms = static_cast<int64_t>(*ms);
  }
  if (!max_bytes.empty()) {
    auto b = ParseBytes(max_bytes);
    if (!b || *b == 0) {
      std::cerr << "segue log retain: --max-bytes '" << max_bytes << "' is not a size like 500M or 2G\n";
      return 2;
    }
    o.retention_bytes = *b;
  }
  if (o.retention_ms == 0 && o.retention_bytes == 0) {
    std::cerr << "segue log retain: give --max-age and/or --max-bytes\n";
    return 2;
  }
  {  // A writer must open with the stored partition count; learn it from a read-only open first.
    auto ro = OpenReadOnly(data_dir);
    if (!ro.ok()) {
      std::cerr << "segue log retain: " << ro.status().message() << "\n";
      return 1;
    }
    o.partitions = (*ro)->partitions();
  }
  auto log = EventLog::Open(o);
  if (!log.ok()) {
    std::cerr << "segue log retain: " << log.status().message() << "\n";
    return 1;
  }
  const LogStats before = (*log)->stats();
  if (Status s = (*log)->ApplyRetention(NowMs()); !s.ok()) {
    std::cerr << "segue log retain: " << s.message() << "\n";
    return 1;
  }
  const LogStats after = (*log)->stats();
  const uint64_t removed = before.events - after.events;
  if (json) {
    std::cout << "{\"removed_events\":" << removed << ",\"events\":" << after.events
              << ",\"logical_bytes\":" << after.logical_bytes << ",\"first_seq\":" << after.first_seq << "}\n";
  } else {
    std::cout << "removed " << removed << " events; " << after.events << " remain (" << after.logical_bytes
              << " logical bytes, seq " << after.first_seq << " .. " << after.last_seq << ")\n";
  }
  return 0;
}

}  // namespace

void AddLogCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("log", "Read and maintain the durable event log (docs/log.md)");
  app->require_subcommand(1);
  struct Flags {
    std::string data_dir, since, until, order = "seq", max_age, max_bytes;
    uint64_t from_seq = 0;
    int partition = -1;
    bool json = false;
    bool impressions = false;
    bool outcomes = false;
  };
  auto f = std::make_shared<Flags>();

  CLI::App* exp = app->add_subcommand(
      "export",
      "Write events as NDJSON on stdout, one object per line (seq, partition, ingest_ts, then the event "
      "fields of docs/api.md). Opens the log read-only, so it works while `segue serve` runs (it sees the "
      "events written before it started). Progress and a summary go to stderr.");
  exp->add_option("--data-dir", f->data_dir, "Data directory of `segue serve` (the RocksDB log)")->required();
  exp->add_option("--from-seq", f->from_seq, "First sequence number to export (inclusive) [1]");
  exp->add_option("--since", f->since, "Only events whose event time ts >= TIME (RFC 3339 or epoch ms)");
  exp->add_option("--until", f->until, "Only events whose event time ts < TIME (RFC 3339 or epoch ms)");
  exp->add_option("--partition", f->partition, "Only this partition (0-based)")->check(CLI::NonNegativeNumber);
  exp->add_option("--order", f->order,
                  "seq: sequence order (default); time: event-time order through the time index, the fast "
                  "way to read a narrow time range")
      ->check(CLI::IsMember({"seq", "time"}));
  exp->add_flag("--impressions", f->impressions,
                "Export the stored impressions (every recommendation served or pushed: rec_id, user_id, ts, "
                "source, items with scores, model_versions, trigger_score) instead of events, one JSON "
                "object per line, grouped by listener in time order")
      ->excludes("--from-seq", "--since", "--until", "--partition", "--order");
  exp->add_flag("--outcomes", f->outcomes,
                "Export the stored feedback outcomes (docs/feedback.md: rec_id, user_id, track_id, kind, pushed, "
                "impression_ts, ts, listened_ms, seq) instead of events, one JSON object per line, grouped by "
                "listener")
      ->excludes("--from-seq", "--since", "--until", "--partition", "--order", "--impressions");
  out.push_back({exp, [f] {
                   if (f->impressions) return RunExportImpressions(f->data_dir);
                   if (f->outcomes) return RunExportOutcomes(f->data_dir);
                   return RunExport(f->data_dir, f->from_seq, f->since, f->until, f->partition, f->order);
                 }});

  CLI::App* stats = app->add_subcommand(
      "stats", "Print event count, seq range, logical and on-disk size, events per partition (read-only open)");
  stats->add_option("--data-dir", f->data_dir, "Data directory of `segue serve`")->required();
  stats->add_flag("--json", f->json, "One JSON object on stdout");
  out.push_back({stats, [f] {
                   auto log = OpenReadOnly(f->data_dir);
                   if (!log.ok()) {
                     std::cerr << "segue log stats: " << log.status().message() << "\n";
                     return 1;
                   }
                   PrintStats((*log)->stats(), (*log)->partitions(), f->json);
                   return 0;
                 }});

  CLI::App* retain = app->add_subcommand(
      "retain",
      "Delete the oldest events now: those ingested longer ago than --max-age, then more of the oldest while "
      "the log is larger than --max-bytes (logical bytes). Needs write access: stop `segue serve` first (the "
      "server applies its own retention settings periodically).");
  retain->add_option("--data-dir", f->data_dir, "Data directory of `segue serve`")->required();
  retain->add_option("--max-age", f->max_age, "Keep events ingested within this long: 90s, 30m, 12h, 7d or ms");
  retain->add_option("--max-bytes", f->max_bytes, "Keep at most this many logical bytes: 500M, 2G, ...");
  retain->add_flag("--json", f->json, "One JSON object on stdout");
  out.push_back({retain, [f] { return RunRetain(f->data_dir, f->max_age, f->max_bytes, f->json); }});
}

}  // namespace segue::cli
