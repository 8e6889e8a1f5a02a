#include "importers/csv_table.h"

#include <algorithm>

#include <simdjson.h>

namespace segue {

CsvTable::CsvTable(std::string path, std::span<const std::string_view> columns, std::unique_ptr<std::ifstream> in)
    : path_(std::move(path)), columns_(columns), in_(std::move(in)), reader_(std::make_unique<CsvReader>(in_.get())) {}

Result<CsvTable> CsvTable::Open(const std::string& path, std::span<const std::string_view> columns) {
  auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in) return Status::IoError(path + ": cannot open");
  CsvTable table(path, columns, std::move(in));
  Result<bool> got = table.reader_->Next(&table.fields_);
  if (!got.ok()) return Status::InvalidArgument(path + ": " + got.status().message());
  if (!*got) return Status::InvalidArgument(path + ": empty file (expected a header row)");
  table.width_ = table.fields_.size();
  for (size_t c = 0; c < columns.size(); ++c) {
    auto it = std::find(table.fields_.begin(), table.fields_.end(), columns[c]);
    if (it == table.fields_.end()) {
      return Status::InvalidArgument(path + ": line 1: column '" + std::string(columns[c]) +
                                     "': required column is missing from the header");
    }
    table.index_.push_back(static_cast<size_t>(it - table.fields_.begin()));
  }
  return table;
}

Result<bool> CsvTable::Next() {
  Result<bool> got = reader_->Next(&fields_);
  if (!got.ok()) return Status::InvalidArgument(path_ + ": " + got.status().message());
  if (!*got) {
    if (in_->bad()) return Status::IoError(path_ + ": read error");
    return false;
  }
  if (fields_.size() != width_) {
    return Status::InvalidArgument(path_ + ": line " + std::to_string(line()) + ": expected " +
                                   std::to_string(width_) + " fields, found " + std::to_string(fields_.size()));
  }
  // The importers copy these fields into events and tracks, whose JSON must be UTF-8: reject the row here
  // rather than write output the server rejects (found by fuzz/catalog_csv).
  for (size_t c = 0; c < index_.size(); ++c) {
    const std::string& field = fields_[index_[c]];
    if (!simdjson::validate_utf8(field.data(), field.size())) return Error(c, "not valid UTF-8");
  }
  return true;
}

Status CsvTable::Error(size_t column, const std::string& what) const {
  return Status::InvalidArgument(path_ + ": line " + std::to_string(line()) + ": column '" +
                                 std::string(columns_[column]) + "': " + what);
}

}  // namespace segue
