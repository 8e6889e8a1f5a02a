// Request bodies that give a fresh `segue serve` something to recommend, shared by the process-level push
// tests: a small catalog (40 tracks unless asked for more), and other listeners' completed plays of every
// track so the retrievers propose them. Test-only.
#pragma once

#include <cstdint>
#include <string>

#include "server_process.h"

namespace segue::serving {

inline constexpr int kFixtureTracks = 40;

// POST /v1/tracks body: tracks t0..t{n-1}, n/4 artists, two genres.
inline std::string FixtureTracksJson(int n = kFixtureTracks) {
  std::string tracks = "[";
  for (int i = 0; i < n; ++i) {
    tracks += std::string(i ? "," : "") + R"({"id":"t)" + std::to_string(i) + R"(","title":"T","artist":"a)" +
              std::to_string(i % (n / 4)) + R"(","genres":[")" + (i % 2 ? "rock" : "pop") + R"("],"duration_ms":200000})";
  }
  return tracks + "]";
}

// POST /v1/events body: listeners o0..o9 each play and complete n/5 tracks from `t0_ms` on, every track
// played by someone.
inline std::string FixtureOtherListenersJson(int64_t t0_ms, int n = kFixtureTracks) {
  std::string others = "[";
  for (int u = 0; u < 10; ++u) {
    for (int i = 0; i < n / 5; ++i) {
      const std::string user = "o" + std::to_string(u), track = "t" + std::to_string((u * (n / 10 - 1) + i) % n);
      const int64_t ts = t0_ms + i * 200'000;
      others += std::string(others.size() > 1 ? "," : "") + EventJson(user + "p" + std::to_string(i), user, "play", ts, track) +
                "," + EventJson(user + "c" + std::to_string(i), user, "complete", ts + 199'000, track);
    }
  }
  return others + "]";
}

}  // namespace segue::serving
