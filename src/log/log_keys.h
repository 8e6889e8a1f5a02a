// Key layout of the event log's column families (docs/log.md). Big-endian fixed-width integers so that
// RocksDB's bytewise order is numeric order. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace segue::log_keys {

inline void PutBe(uint64_t v, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline uint64_t GetBe(std::string_view s, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(s[pos + i]);
  return v;
}

// events: partition u32 | seq u64  (12 bytes)
inline constexpr size_t kEventKeySize = 12;
inline void AppendEventKey(uint32_t partition, uint64_t seq, std::string* out) {
  PutBe(partition, 4, out);
  PutBe(seq, 8, out);
}
inline std::string EventKey(uint32_t partition, uint64_t seq) {
  std::string k;
  AppendEventKey(partition, seq, &k);
  return k;
}
inline uint32_t EventKeyPartition(std::string_view k) { return static_cast<uint32_t>(GetBe(k, 0, 4)); }
inline uint64_t EventKeySeq(std::string_view k) { return GetBe(k, 4, 8); }

// by_time: (ts_ms with the sign bit flipped, so negatives sort first) u64 | seq u64  (16 bytes);
// the value is the partition u32.
inline constexpr size_t kTimeKeySize = 16;
inline constexpr uint64_t kSignBit = 0x8000000000000000ULL;
inline void AppendTimeKey(int64_t ts_ms, uint64_t seq, std::string* out) {
  PutBe(static_cast<uint64_t>(ts_ms) ^ kSignBit, 8, out);
  PutBe(seq, 8, out);
}
inline std::string TimeKey(int64_t ts_ms, uint64_t seq) {
  std::string k;
  AppendTimeKey(ts_ms, seq, &k);
  return k;
}
inline int64_t TimeKeyTs(std::string_view k) { return static_cast<int64_t>(GetBe(k, 0, 8) ^ kSignBit); }
inline uint64_t TimeKeySeq(std::string_view k) { return GetBe(k, 8, 8); }

}  // namespace segue::log_keys
