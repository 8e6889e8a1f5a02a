// Test helper: posts the lines of an NDJSON events file to a `segue serve` in batches, like a client that
// retries a 503 until its batch is acknowledged (202). It records what the server answered: events
// accepted and reported as duplicates, 503s (each must carry Retry-After) and the slowest answer, so a
// test can check that a Redis outage is refused fast and that every acknowledged event is kept once.
// Not thread-safe: one poster per thread (each owns its keep-alive connection).
#pragma once

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/serving/server_process.h"

namespace segue::serving {

inline std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class RetryingPoster {
 public:
  RetryingPoster(int port, const std::vector<std::string>& lines, size_t batch)
      : client_(port), lines_(lines), batch_(batch) {}

  size_t batches() const { return (lines_.size() + batch_ - 1) / batch_; }

  // Batch `b` once; its reply. A 202 adds to accepted()/duplicates(), a 503 to unavailable().
  Reply PostOnce(size_t b) {
    std::string body;
    for (size_t i = b * batch_; i < std::min(lines_.size(), (b + 1) * batch_); ++i) body += lines_[i] + "\n";
    const auto start = std::chrono::steady_clock::now();
    Reply r = client_.Send(http::verb::post, "/v1/events", body, "application/x-ndjson");
    slowest_ = std::max(slowest_, std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - start));
    if (r.status == 202) {
      const nlohmann::json ack = nlohmann::json::parse(r.body);
      accepted_ += ack.value("accepted", 0);
      duplicates_ += ack.value("duplicates", 0);
    } else if (r.status == 503) {
      ++unavailable_;
      if (r.retry_after.empty()) ++without_retry_after_;
    }
    return r;
  }

  // Batches [from, to), each retried after `pause` while it gets 503 (or no answer), for at most
  // `budget` in all; false when a batch got another status or the budget ran out.
  bool Post(size_t from, size_t to, std::chrono::milliseconds pause, std::chrono::seconds budget) {
    const auto deadline = std::chrono::steady_clock::now() + budget;
    for (size_t b = from; b < to; ++b) {
      for (Reply r = PostOnce(b); r.status != 202; r = PostOnce(b)) {
        if ((r.status != 503 && r.status != 0) || std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(pause);
      }
    }
    return true;
  }

  int64_t accepted() const { return accepted_; }
  int64_t duplicates() const { return duplicates_; }
  int unavailable() const { return unavailable_; }
  int without_retry_after() const { return without_retry_after_; }
  std::chrono::milliseconds slowest() const { return slowest_; }

 private:
  Client client_;
  const std::vector<std::string>& lines_;
  const size_t batch_;
  int64_t accepted_ = 0;
  int64_t duplicates_ = 0;
  int unavailable_ = 0;
  int without_retry_after_ = 0;
  std::chrono::milliseconds slowest_{0};
};

}  // namespace segue::serving
