// Feeds the bytes to the RFC 4180 reader every CSV importer uses (importers/csv_reader.h), reading
// records until the end or the first error.
// Checks besides crashes, sanitizer reports and leaks: the records read so far, written back as CSV with
// every field quoted, read back to the same records (so the reader's quoting, "" escapes, embedded line
// breaks and CRLF handling agree with RFC 4180), and record_line() never goes backwards.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "importers/csv_reader.h"

namespace {

using Records = std::vector<std::vector<std::string>>;

// Reads records until the end of input or the first error.
Records ReadAll(const std::string& text) {
  std::istringstream in(text);
  segue::CsvReader reader(&in);
  Records records;
  std::vector<std::string> fields;
  uint64_t last_line = 0;
  while (true) {
    segue::Result<bool> more = reader.Next(&fields);
    if (!more.ok() || !*more) break;
    SEGUE_FUZZ_CHECK(reader.record_line() > last_line);
    last_line = reader.record_line();
    records.push_back(fields);
  }
  return records;
}

std::string WriteQuoted(const Records& records) {
  std::string out;
  for (const auto& record : records) {
    for (size_t i = 0; i < record.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.push_back('"');
      for (char c : record[i]) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
      }
      out.push_back('"');
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Records records = ReadAll(std::string(segue::fuzz::AsText(data, size)));
  SEGUE_FUZZ_CHECK(ReadAll(WriteQuoted(records)) == records);
  return 0;
}
