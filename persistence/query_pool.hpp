#pragma once
/// A few threads, each with its own Repository (connection), for queries
/// and non-bid writes, so that no blocking database call ever runs on a
/// CAF scheduler thread or a gRPC callback thread.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "repository.hpp"

namespace auction::persistence {

class QueryPool {
 public:
  using Task = std::function<void(Repository&)>;
  QueryPool(const Database& db, int threads, std::size_t max_queued = 20'000);
  ~QueryPool();
  QueryPool(const QueryPool&) = delete;
  QueryPool& operator=(const QueryPool&) = delete;

  /// False when stopping or overloaded; the caller answers for the task.
  [[nodiscard]] bool submit(Task task);
  /// Runs what is queued, then joins the threads.
  void stop();

 private:
  void loop();
  const Database& db_;
  const std::size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace auction::persistence
