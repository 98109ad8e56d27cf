#pragma once
/// Makes CAF's mailbox hand-off visible to ThreadSanitizer. Debian's CAF is
/// not built with TSan, so TSan cannot see that everything a sender did
/// before enqueueing a message happens before the actor handles it, and
/// would report every message payload (and actor state moving between
/// scheduler threads) as a race. We state exactly that guarantee: senders
/// release on the actor, and each handler acquires on entry and releases on
/// exit. Without TSan these compile to nothing.
#include <caf/all.hpp>
#include <utility>

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace auction::actors {

inline void tsan_acquire(const caf::abstract_actor* actor) {
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(const_cast<caf::abstract_actor*>(actor));
#else
  (void)actor;
#endif
}

inline void tsan_release(const caf::abstract_actor* actor) {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(const_cast<caf::abstract_actor*>(actor));
#else
  (void)actor;
#endif
}

/// anon_send that publishes the sender's writes to the receiving actor.
template <class Handle, class... Ts>
void send_to(const Handle& actor, Ts&&... xs) {
#if defined(__SANITIZE_THREAD__)
  // Build the message first so that writing it happens before the release.
  // (Normal builds take the typed anon_send below, which the compiler checks
  // against the actor's interface.)
  auto* dest = caf::actor_cast<caf::abstract_actor*>(actor);
  auto element =
      caf::make_mailbox_element(nullptr, caf::make_message_id(), {}, std::forward<Ts>(xs)...);
  tsan_release(dest);
  dest->enqueue(std::move(element), nullptr);
#else
  caf::anon_send(actor, std::forward<Ts>(xs)...);
#endif
}

/// anon_send_exit with the same guarantee as send_to.
template <class Handle>
void stop_actor(const Handle& actor, caf::exit_reason reason) {
#if defined(__SANITIZE_THREAD__)
  auto* dest = caf::actor_cast<caf::abstract_actor*>(actor);
  auto element =
      caf::make_mailbox_element(nullptr, caf::make_message_id(caf::message_priority::high), {},
                                caf::exit_msg{caf::actor_addr{}, reason});
  tsan_release(dest);
  dest->enqueue(std::move(element), nullptr);
#else
  caf::anon_send_exit(actor, reason);
#endif
}

/// The closures of an actor's behaviour are written by make_behavior on the
/// scheduler thread that first runs the actor, and read (their captured
/// `this`) as soon as a handler starts, possibly on another scheduler thread:
/// before HandlerScope can acquire on the actor. make_behavior publishes its
/// behaviour here and every handler starts by acquiring it. (One address for
/// all actors: the only order it adds is "behaviours before handlers".)
inline char behavior_sync_point;

inline void tsan_behavior_published() {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(&behavior_sync_point);
#endif
}

/// First statement of every handler lambda, before it reads its captures.
inline void tsan_behavior_entry() {
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(&behavior_sync_point);
#endif
}

/// Put first in every message handler of an actor.
class HandlerScope {
 public:
  explicit HandlerScope(const caf::abstract_actor* self) : self_(self) { tsan_acquire(self_); }
  ~HandlerScope() { tsan_release(self_); }
  HandlerScope(const HandlerScope&) = delete;
  HandlerScope& operator=(const HandlerScope&) = delete;

 private:
  const caf::abstract_actor* self_;
};

}  // namespace auction::actors
