// CsvTable: a CSV file with a header row, read row by row with columns addressed by header name. Shared
// by the CSV importers so that they all report problems the same way: "<path>: line N: column 'c': what".
//
// Open() fails (kIoError / kInvalidArgument) when the file cannot be read, is empty, or its header lacks
// a required column; Next() fails on malformed CSV (csv_reader.h), a row whose field count differs
// from the header's, or a field of a required column that is not valid UTF-8. Column order is free and
// extra columns are ignored.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "importers/csv_reader.h"

namespace segue {

class CsvTable {
 public:
  // `columns` are the required header names; Get(i) returns the field of columns[i].
  static Result<CsvTable> Open(const std::string& path, std::span<const std::string_view> columns);

  // Reads the next data row. Returns true when a row was read, false at end of input.
  Result<bool> Next();

  const std::string& Get(size_t column) const { return fields_[index_[column]]; }
  std::string_view ColumnName(size_t column) const { return columns_[column]; }
  uint64_t line() const { return reader_->record_line(); }
  // kInvalidArgument "<path>: line N: column '<name>': <what>" for the current row.
  Status Error(size_t column, const std::string& what) const;

 private:
  CsvTable(std::string path, std::span<const std::string_view> columns, std::unique_ptr<std::ifstream> in);

  std::string path_;
  std::span<const std::string_view> columns_;
  std::unique_ptr<std::ifstream> in_;
  std::unique_ptr<CsvReader> reader_;
  std::vector<size_t> index_;
  size_t width_ = 0;
  std::vector<std::string> fields_;
};

}  // namespace segue
