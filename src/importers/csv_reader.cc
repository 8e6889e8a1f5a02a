#include "importers/csv_reader.h"

namespace segue {

bool CsvReader::Fill() {
  if (pos_ < len_) return true;
  in_->read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  len_ = static_cast<size_t>(in_->gcount());
  pos_ = 0;
  return len_ > 0;
}

int CsvReader::Peek() { return Fill() ? static_cast<unsigned char>(buf_[pos_]) : -1; }

int CsvReader::Get() {
  if (!Fill()) return -1;
  const int c = static_cast<unsigned char>(buf_[pos_++]);
  if (c == '\n') ++line_;
  return c;
}

Result<bool> CsvReader::Next(std::vector<std::string>* fields) {
  if (Peek() < 0) return false;
  record_line_ = line_;
  size_t n = 0;
  auto field = [&]() -> std::string& {
    if (fields->size() <= n) fields->emplace_back();
    std::string& f = (*fields)[n];
    return f;
  };
  auto too_long = [&] {
    return Status::InvalidArgument("line " + std::to_string(line_) + ": field " + std::to_string(n + 1) +
                                   " is longer than " + std::to_string(kMaxFieldBytes) + " bytes");
  };
  field().clear();
  for (;;) {
    int c = Get();
    if (c == '"' && field().empty()) {
      // Quoted field: runs to the next quote that is not doubled.
      const uint64_t open_line = line_;
      std::string& f = field();
      for (;;) {
        c = Get();
        if (c < 0) {
          return Status::InvalidArgument("line " + std::to_string(open_line) + ": field " +
                                         std::to_string(n + 1) + ": quoted field is not closed before end of input");
        }
        if (c == '"') {
          if (Peek() == '"') {
            Get();
          } else {
            break;
          }
        }
        if (f.size() >= kMaxFieldBytes) return too_long();
        f.push_back(static_cast<char>(c));
      }
      c = Get();
      if (c == '\r' && Peek() == '\n') c = Get();
      if (c != ',' && c != '\n' && c >= 0) {
        return Status::InvalidArgument("line " + std::to_string(line_) + ": field " + std::to_string(n + 1) +
                                       ": unexpected character after closing quote");
      }
    } else {
      std::string& f = field();
      while (c >= 0 && c != ',' && c != '\n') {
        if (c == '\r' && Peek() == '\n') {
          c = Get();
          break;
        }
        if (c == '"') {
          return Status::InvalidArgument("line " + std::to_string(line_) + ": field " + std::to_string(n + 1) +
                                         ": quote inside an unquoted field");
        }
        if (f.size() >= kMaxFieldBytes) return too_long();
        f.push_back(static_cast<char>(c));
        c = Get();
      }
    }
    ++n;
    if (c != ',') break;
    field().clear();
  }
  fields->resize(n);
  return true;
}

}  // namespace segue
