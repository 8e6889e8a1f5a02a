// The `segue serve --bus` kill test (serve_bus_fixture.h) on a Redis Cluster (3 masters + 3 replicas, started
// by the test) with three nodes: the partitions' keys spread over the masters by their hash tags, every
// script of a partition on its slot's master. Slow (the cluster takes ~5 s to form): ctest -L slow.
#include "tests/nodes/serve_bus_fixture.h"

namespace segue::serving {
namespace {

TEST_F(ServeBusTest, ThreeNodesOnAClusterOneKilled) {
  test_support::RedisCluster cluster;
  ASSERT_TRUE(cluster.Start().ok());
  KillOneOf(3, cluster.url());
}

}  // namespace
}  // namespace segue::serving
