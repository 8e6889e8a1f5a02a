#include "serving/content_coding.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>

namespace segue::serving {
namespace {

std::string NormalisedCoding(std::string_view coding) {
  while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
  while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
  std::string out(coding);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<std::string> Gunzip(std::string_view in, size_t limit) {
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (CRC-32, size), not a raw or zlib stream.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Status::Internal("gzip: inflateInit2 failed");
  struct End {
    z_stream* zs;
    ~End() { inflateEnd(zs); }
  } end{&zs};
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  // Grow geometrically but never past limit + 1: one byte beyond the limit proves the body too large.
  size_t capacity = std::min(limit + 1, std::max<size_t>(in.size() * 4, 4096));
  for (;;) {
    size_t used = zs.total_out;
    out.resize(capacity);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    zs.avail_out = static_cast<uInt>(capacity - used);
    int rc = inflate(&zs, Z_NO_FLUSH);
    if (zs.total_out > limit) {
      return Status::ResourceExhausted("the gzip-decoded request body exceeds the limit of " + std::to_string(limit) +
                                       " bytes");
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in != 0) return Status::Corruption("gzip: data after the end of the compressed stream");
      out.resize(zs.total_out);
      return out;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Status::Corruption(std::string("gzip: ") + (zs.msg ? zs.msg : "invalid compressed data"));
    }
    if (zs.avail_out != 0 && zs.avail_in == 0) return Status::Corruption("gzip: the compressed body is truncated");
    capacity = std::min(limit + 1, capacity * 2);
  }
}

bool IsIdentity(const std::string& c) { return c.empty() || c == "identity"; }
bool IsGzip(const std::string& c) { return c == "gzip" || c == "x-gzip"; }

}  // namespace

Status CheckContentEncoding(std::string_view coding) {
  std::string c = NormalisedCoding(coding);
  if (IsIdentity(c) || IsGzip(c)) return Status::Ok();
  return Status::InvalidArgument("unsupported content coding \"" + std::string(coding) +
                                 "\" (supported: gzip, identity)");
}

Result<std::string> DecodeContentEncoding(std::string_view coding, std::string body, size_t limit) {
  if (Status s = CheckContentEncoding(coding); !s.ok()) return s;
  std::string c = NormalisedCoding(coding);
  if (IsIdentity(c)) return body;
  return Gunzip(body, limit);
}

}  // namespace segue::serving
