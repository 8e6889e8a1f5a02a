// `segue serve --bus` with two nodes on one redis-server, one SIGKILLed mid-stream (serve_bus_fixture.h).
#include "tests/nodes/serve_bus_fixture.h"

namespace segue::serving {
namespace {

TEST_F(ServeBusTest, KillNineMidStreamKeepsEveryAcknowledgedEventExactlyOnce) {
  test_support::RedisSingle redis;
  ASSERT_TRUE(redis.Start().ok());
  KillOneOf(2, redis.url());
}

}  // namespace
}  // namespace segue::serving
