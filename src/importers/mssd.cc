#include "importers/mssd.h"

#include <array>
#include <charconv>
#include <optional>
#include <string_view>

#include "common/time_util.h"
#include "importers/csv_table.h"

namespace segue {

namespace {

enum Column {
  kSessionId,
  kSessionPosition,
  kTrackId,
  kSkip1,
  kSkip2,
  kSkip3,
  kNotSkipped,
  kShortPause,
  kLongPause,
  kSeekFwd,
  kSeekBack,
  kShuffle,
  kHour,
  kDate,
  kContextType,
  kReasonStart,
  kReasonEnd,
  kColumnCount,
};

constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "session_id",
    "session_position",
    "track_id_clean",
    "skip_1",
    "skip_2",
    "skip_3",
    "not_skipped",
    "short_pause_before_play",
    "long_pause_before_play",
    "hist_user_behavior_n_seekfwd",
    "hist_user_behavior_n_seekback",
    "hist_user_behavior_is_shuffle",
    "hour_of_day",
    "date",
    "context_type",
    "hist_user_behavior_reason_start",
    "hist_user_behavior_reason_end",
};

// Seeks per row beyond this are counted, not emitted: the real maximum is small, and a corrupt count
// must not turn one row into millions of events.
constexpr int64_t kMaxSeeksPerRow = 100;

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE" || s == "1") return true;
  if (s == "false" || s == "False" || s == "FALSE" || s == "0") return false;
  return std::nullopt;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// Epoch ms of midnight UTC of "YYYY-MM-DD" or "DD-MM-YY" (years 2000-2099).
std::optional<int64_t> ParseDate(std::string_view s) {
  std::optional<int64_t> y, m, d;
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
    y = ParseInt(s.substr(0, 4)), m = ParseInt(s.substr(5, 2)), d = ParseInt(s.substr(8, 2));
  } else if (s.size() == 8 && s[2] == '-' && s[5] == '-') {
    d = ParseInt(s.substr(0, 2)), m = ParseInt(s.substr(3, 2)), y = ParseInt(s.substr(6, 2));
    if (y) *y += 2000;
  }
  if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1 || *d > 31) return std::nullopt;
  const int64_t days = DaysFromCivil(*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d));
  // Reject dates like 31-02 that DaysFromCivil would silently roll over.
  const std::string iso = FormatRfc3339Ms(days * 86400000LL);
  char expect[11];
  std::snprintf(expect, sizeof expect, "%04d-%02d-%02d", static_cast<int>(*y), static_cast<int>(*m),
                static_cast<int>(*d));
  if (iso.compare(0, 10, expect) != 0) return std::nullopt;
  return days * 86400000LL;
}

struct Row {
  std::string_view session_id, track_id, context_type, reason_start, reason_end;
  int64_t position = 0, seek_fwd = 0, seek_back = 0, start_ms = 0;
  bool skip1 = false, skip2 = false, skip3 = false, not_skipped = false, short_pause = false,
       long_pause = false, shuffle = false;
};

class MssdFile {
 public:
  MssdFile(const MssdOptions& options, const EventSink& sink, ImportSummary* summary)
      : progress_(options.progress), sink_(sink), summary_(summary) {}

  Status Run(const std::string& path);

 private:
  Status ParseRow(const CsvTable& table, Row* row) const;
  Status EmitRow(const Row& row);
  Status Emit(EventType type, int64_t ts_ms, const std::string& track, int64_t position, const Row& row, int k);

  ImportProgress progress_;
  const EventSink& sink_;
  ImportSummary* summary_;
  std::string last_session_;
  std::string last_track_;
  Event event_;
};

Status MssdFile::ParseRow(const CsvTable& table, Row* row) const {
  auto text = [&](Column c, std::string_view* out) -> Status {
    *out = table.Get(c);
    if (out->empty()) return table.Error(c, "empty value");
    return Status::Ok();
  };
  auto boolean = [&](Column c, bool* out) -> Status {
    std::optional<bool> b = ParseBool(table.Get(c));
    if (!b) return table.Error(c, "expected true/false, got '" + table.Get(c) + "'");
    *out = *b;
    return Status::Ok();
  };
  auto integer = [&](Column c, int64_t lo, int64_t hi, int64_t* out) -> Status {
    std::optional<int64_t> v = ParseInt(table.Get(c));
    if (!v || *v < lo || *v > hi) {
      return table.Error(c, "expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got '" +
                                table.Get(c) + "'");
    }
    *out = *v;
    return Status::Ok();
  };
  int64_t hour = 0;
  for (Status st : {text(kSessionId, &row->session_id), text(kTrackId, &row->track_id),
                    integer(kSessionPosition, 1, 1000, &row->position), boolean(kSkip1, &row->skip1),
                    boolean(kSkip2, &row->skip2), boolean(kSkip3, &row->skip3),
                    boolean(kNotSkipped, &row->not_skipped), boolean(kShortPause, &row->short_pause),
                    boolean(kLongPause, &row->long_pause), integer(kSeekFwd, 0, INT32_MAX, &row->seek_fwd),
                    integer(kSeekBack, 0, INT32_MAX, &row->seek_back), boolean(kShuffle, &row->shuffle),
                    integer(kHour, 0, 23, &hour)}) {
    if (!st.ok()) return st;
  }
  std::optional<int64_t> day = ParseDate(table.Get(kDate));
  if (!day) return table.Error(kDate, "expected YYYY-MM-DD or DD-MM-YY, got '" + table.Get(kDate) + "'");
  row->start_ms = *day + hour * 3600000LL;
  row->context_type = table.Get(kContextType);
  row->reason_start = table.Get(kReasonStart);
  row->reason_end = table.Get(kReasonEnd);
  return Status::Ok();
}

Status MssdFile::Emit(EventType type, int64_t ts_ms, const std::string& track, int64_t position, const Row& row,
                      int k) {
  event_.type = type;
  event_.ts_ms = ts_ms;
  event_.track_id = track;
  event_.position_ms = position;
  const std::string pos = std::to_string(row.position);
  const std::string nth = std::to_string(k);
  event_.event_id = DeterministicEventId("mssd", {row.session_id, pos, nth}, type);
  return EmitEvent(event_, sink_, summary_);
}

Status MssdFile::EmitRow(const Row& row) {
  if (row.session_id != last_session_) {
    last_session_ = row.session_id;
    last_track_.clear();
  }
  event_.user_id = "mssd:" + std::string(row.session_id);
  event_.context = {};
  event_.context.source = std::string(TruncateUtf8(row.context_type, 64));
  event_.context.shuffle = row.shuffle;
  const std::string track(row.track_id);
  const int64_t play_ms = row.start_ms + (row.position - 1) * kMssdSlotMs;
  // skip_1 ⊂ skip_2 ⊂ skip_3 in MSSD; the deepest level that is set bounds how long the track played.
  const int64_t dwell = row.skip1 ? kMssdDwellSkip1Ms
                        : row.skip2 ? kMssdDwellSkip2Ms
                        : row.skip3 ? kMssdDwellSkip3Ms
                                    : kMssdDwellFullMs;
  Status st;
  if (row.short_pause || row.long_pause) {
    st = Emit(EventType::kPause, play_ms - kMssdPauseLeadMs, last_track_, -1, row, 0);
    if (!st.ok()) return st;
  }
  if (row.reason_start == "clickrow") {
    if (st = Emit(EventType::kSearch, play_ms, "", -1, row, 0); !st.ok()) return st;
  }
  if (st = Emit(EventType::kPlay, play_ms, track, 0, row, 0); !st.ok()) return st;
  const int64_t seeks = row.seek_fwd + row.seek_back;
  const int64_t emitted = std::min(seeks, kMaxSeeksPerRow);
  if (seeks > emitted) summary_->notes["seeks_over_cap_not_emitted"] += static_cast<uint64_t>(seeks - emitted);
  for (int64_t k = 1; k <= emitted; ++k) {
    const int64_t at = dwell * k / (emitted + 1);
    if (st = Emit(EventType::kSeek, play_ms + at, track, at, row, static_cast<int>(k)); !st.ok()) return st;
  }
  // The challenge target is skip_2 ("played only briefly"): it alone decides skip vs complete, so skip
  // labels of imported sessions equal the WSDM Cup labels.
  const EventType end = row.skip2 ? EventType::kSkip : EventType::kComplete;
  if (st = Emit(end, play_ms + dwell, track, dwell, row, 0); !st.ok()) return st;
  if (row.reason_end == "logout") {
    if (st = Emit(EventType::kExit, play_ms + dwell, track, dwell, row, 0); !st.ok()) return st;
  }
  last_track_ = track;
  return Status::Ok();
}

Status MssdFile::Run(const std::string& path) {
  Result<CsvTable> table = CsvTable::Open(path, kColumnNames);
  if (!table.ok()) return table.status();
  ++summary_->files["mssd-log"];
  for (;;) {
    Result<bool> got = table->Next();
    if (!got.ok()) return got.status();
    if (!*got) return Status::Ok();
    ++summary_->records_read;
    progress_.Record(summary_->records_read);
    Row row;
    if (Status st = ParseRow(*table, &row); !st.ok()) return st;
    if (Status st = EmitRow(row); !st.ok()) return st;
  }
}

}  // namespace

Status ImportMssd(const std::vector<std::string>& files, const MssdOptions& options, const EventSink& sink,
                  ImportSummary* summary) {
  summary->format = "mssd";
  for (const std::string& file : files) {
    MssdFile reader(options, sink, summary);
    if (Status st = reader.Run(file); !st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace segue
