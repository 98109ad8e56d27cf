#include "query_pool.hpp"

#include <spdlog/spdlog.h>

namespace auction::persistence {

QueryPool::QueryPool(const Database& db, int threads, std::size_t max_queued)
    : db_(db), max_queued_(max_queued) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

QueryPool::~QueryPool() { stop(); }

bool QueryPool::submit(Task task) {
  std::lock_guard lock(mu_);
  if (stopping_ || tasks_.size() >= max_queued_) return false;
  tasks_.push_back(std::move(task));
  cv_.notify_one();
  return true;
}

void QueryPool::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void QueryPool::loop() {
  Repository repo(db_);
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    try {
      task(repo);
    } catch (const std::exception& e) {
      // Tasks report their own errors; this is a last line of defence.
      spdlog::error("query task failed: {}", e.what());
    }
  }
}

}  // namespace auction::persistence
