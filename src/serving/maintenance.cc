#include "serving/maintenance.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace segue::serving {

struct Maintenance::Task {
  Task(boost::asio::io_context& ioc, std::chrono::milliseconds p, std::function<void()> t)
      : timer(ioc), period(p), run(std::move(t)) {}
  void Arm() {
    timer.expires_after(period);
    timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      run();
      Arm();
    });
  }
  boost::asio::steady_timer timer;
  std::chrono::milliseconds period;
  std::function<void()> run;
};

Maintenance::Maintenance() : work_(boost::asio::make_work_guard(ioc_)) {}

Maintenance::~Maintenance() { Stop(); }

void Maintenance::Every(std::chrono::milliseconds period, std::function<void()> task) {
  tasks_.push_back(std::make_unique<Task>(ioc_, period, std::move(task)));
}

void Maintenance::Post(std::function<void()> task) { boost::asio::post(ioc_, std::move(task)); }

void Maintenance::Start() {
  for (auto& t : tasks_) t->Arm();
  thread_ = std::thread([this] { ioc_.run(); });
}

void Maintenance::Stop() {
  work_.reset();
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace segue::serving
