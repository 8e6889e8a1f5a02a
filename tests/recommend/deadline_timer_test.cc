#include "recommend/deadline_timer.h"

#include <gtest/gtest.h>

#include <future>

namespace segue::recommend {
namespace {

using namespace std::chrono_literals;

TEST(DeadlineTimerTest, RunsCallbacksInDeadlineOrder) {
  DeadlineTimer timer;
  std::mutex mu;
  std::vector<int> order;
  std::promise<void> last;
  const auto now = DeadlineTimer::Clock::now();
  timer.At(now + 30ms, [&] {
    std::lock_guard lock(mu);
    order.push_back(3);
    last.set_value();
  });
  timer.At(now + 10ms, [&] {
    std::lock_guard lock(mu);
    order.push_back(1);
  });
  timer.At(now + 10ms, [&] {
    std::lock_guard lock(mu);
    order.push_back(2);
  });
  last.get_future().wait();
  std::lock_guard lock(mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(DeadlineTimerTest, DropsCallbacksPendingAtDestruction) {
  bool ran = false;
  {
    DeadlineTimer timer;
    timer.At(DeadlineTimer::Clock::now() + 1h, [&] { ran = true; });
  }
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace segue::recommend
