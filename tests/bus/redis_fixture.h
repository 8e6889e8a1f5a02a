// Test fixture: real Redis servers on loopback (tests/bus/redis_servers.h: RedisSingle, a single
// redis-server with AOF always; RedisCluster, 3 masters + 3 replicas), and SEGUE_SKIP_WITHOUT_REDIS(), which
// skips a test cleanly where redis-server or redis-cli is not installed. Shared by every bus and node test.
//
//   SEGUE_SKIP_WITHOUT_REDIS();
//   test_support::RedisSingle redis;  ASSERT_TRUE(redis.Start().ok());  ... redis.url() ...
//   class MyClusterTest : public test_support::RedisClusterTest {};  // cluster_->url() in its tests
// Not thread-safe; use from the test's main thread.
#pragma once

#include <gtest/gtest.h>

#include "tests/bus/redis_servers.h"
#include "tests/testing/find_program.h"

namespace segue::test_support {

inline bool RedisInstalled() { return FindProgram("redis-server") && FindProgram("redis-cli"); }

// A test suite sharing one cluster among its tests (started once: about 5 s); tests that kill nodes start
// their own RedisCluster instead.
class RedisClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!RedisInstalled()) return;
    cluster_ = new RedisCluster();
    const Status started = cluster_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static inline RedisCluster* cluster_ = nullptr;
};

}  // namespace segue::test_support

#define SEGUE_SKIP_WITHOUT_REDIS()                                                                    \
  do {                                                                                                \
    if (!segue::test_support::RedisInstalled()) {                                                     \
      GTEST_SKIP() << "redis-server / redis-cli not installed (scripts/setup.sh)";                    \
    }                                                                                                 \
  } while (0)

