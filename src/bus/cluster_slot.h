// The Redis Cluster hash slot of a key, as the cluster specification defines it: CRC16 (XMODEM: polynomial
// 0x1021, initial value 0) of the key modulo 16384, where a key containing a hash tag `{...}` with at least
// one character between the first `{` and the next `}` hashes only that tag. Keys sharing a tag share a
// slot, which is how a partition's keys (`segue:{p}:...`) stay on one node. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace segue::bus {

inline constexpr uint16_t kClusterSlots = 16384;

uint16_t Crc16Xmodem(std::string_view data);
uint16_t KeySlot(std::string_view key);

}  // namespace segue::bus
