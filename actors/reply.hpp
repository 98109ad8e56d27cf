#pragma once
/// One-shot reply handles carried inside actor messages. Whoever holds the
/// last reference and has not answered answers UNAVAILABLE on destruction,
/// so "the actor never answered" (a dropped message, an actor that quit)
/// can never leave a caller hanging.
#include <atomic>
#include <functional>
#include <memory>
#include <utility>

#include "domain/result.hpp"

namespace auction::actors {

template <class T>
class Reply {
 public:
  using Callback = std::function<void(Result<T>)>;
  explicit Reply(Callback cb) : cb_(std::move(cb)) {}
  ~Reply() {
    if (!done_.exchange(true)) {
      cb_(unavailable("the auction service did not answer; the outcome is unknown, please retry"));
    }
  }
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;

  /// Answers once; later calls are ignored.
  void operator()(Result<T> r) {
    if (!done_.exchange(true)) cb_(std::move(r));
  }

 private:
  Callback cb_;
  std::atomic<bool> done_{false};
};

template <class T>
using ReplyPtr = std::shared_ptr<Reply<T>>;

template <class T, class F>
ReplyPtr<T> make_reply(F&& f) {
  return std::make_shared<Reply<T>>(std::forward<F>(f));
}

}  // namespace auction::actors
