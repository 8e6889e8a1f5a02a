// Stable hashing. These values are part of the on-disk and wire contract (the user → partition map must
// be the same in every version and on every node, so it can map onto Redis Streams later): never change
// the function, only add new ones.
#pragma once

#include <cstdint>
#include <string_view>

namespace segue {

// 64-bit FNV-1a.
constexpr uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// The partition that owns a listener: FNV-1a of user_id modulo the partition count.
constexpr uint32_t PartitionOf(std::string_view user_id, uint32_t partitions) {
  return static_cast<uint32_t>(Fnv1a64(user_id) % partitions);
}

}  // namespace segue
