// CsvReader: a streaming RFC 4180 reader (quoted fields, "" as an escaped quote, commas and line breaks
// inside quotes, LF or CRLF record ends).
//
// Why our own: Debian 12's candidates do not fit. libfccp (fast-cpp-csv-parser) rejects line breaks
// inside quoted fields and reports errors by throwing; libcsv (3.0.3, upstream unchanged since 2014) is a
// C callback API that does not report where a malformed record starts. This reader is ~150 lines, reads
// through a fixed buffer (memory is bounded by the longest record, itself capped by kMaxFieldBytes) and
// names the line of every error.
//
// Strictness: a quote inside an unquoted field, text after a closing quote, an unterminated quoted field,
// and a field longer than kMaxFieldBytes are errors (kInvalidArgument, "line N: ..."). A final record
// without a trailing newline is accepted; blank lines are records with one empty field, which the callers
// reject by field count.
// Thread-safety: one reader per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "common/status.h"

namespace segue {

class CsvReader {
 public:
  static constexpr size_t kMaxFieldBytes = 1 << 20;

  explicit CsvReader(std::istream* in) : in_(in) {}

  // Reads the next record into `fields` (resized to the record's field count). Returns true when a
  // record was read, false at end of input, or an error status.
  Result<bool> Next(std::vector<std::string>* fields);

  // 1-based line on which the last record returned by Next() starts.
  uint64_t record_line() const { return record_line_; }

 private:
  // Returns the next byte or -1 at end of input; counts lines.
  int Get();
  int Peek();
  bool Fill();

  std::istream* in_;
  std::vector<char> buf_ = std::vector<char>(1 << 16);
  size_t pos_ = 0;
  size_t len_ = 0;
  uint64_t line_ = 1;
  uint64_t record_line_ = 0;
};

}  // namespace segue
