#include "tests/support/watch_client.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/client.hpp"

namespace auction::test {

std::unique_ptr<AuctionWatch> watch_auction(v1::AuctionService::Stub& stub,
                                            const std::string& auction_id,
                                            std::optional<std::int64_t> from_version,
                                            StreamOptions<v1::AuctionUpdate> options) {
  auto reader = std::make_unique<AuctionWatch>(std::move(options));
  auto req = std::make_unique<v1::WatchAuctionRequest>();
  req->set_auction_id(auction_id);
  if (from_version) req->set_from_version(*from_version);
  const auto* raw = req.get();
  reader->request = std::move(req);
  stub.async()->WatchAuction(reader->context(), raw, reader.get());
  reader->start();
  return reader;
}

std::unique_ptr<NotificationWatch> watch_notifications(v1::UserService::Stub& stub,
                                                       const std::string& token,
                                                       std::optional<std::int64_t> after_seq,
                                                       StreamOptions<v1::Notification> options) {
  options.token = token;
  if (!options.is_heartbeat) {
    options.is_heartbeat = [](const v1::Notification& n) {
      return n.type() == v1::Notification::HEARTBEAT;
    };
  }
  auto reader = std::make_unique<NotificationWatch>(std::move(options));
  auto req = std::make_unique<v1::WatchNotificationsRequest>();
  if (after_seq) req->set_after_seq(*after_seq);
  const auto* raw = req.get();
  reader->request = std::move(req);
  stub.async()->WatchNotifications(reader->context(), raw, reader.get());
  reader->start();
  return reader;
}

std::shared_ptr<grpc::Channel> make_small_window_channel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 10'000);  // see make_channel
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

std::int64_t rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      std::int64_t kib = -1;
      fields >> kib;
      return kib;
    }
  }
  return -1;
}

std::vector<v1::Notification> all_notifications(v1::UserService::Stub& stub,
                                                const std::string& token) {
  std::vector<v1::Notification> out;
  v1::ListNotificationsRequest req;
  req.set_page_size(100);
  for (int page = 0; page < 100; ++page) {
    auto ctx = Client::context(token);
    v1::ListNotificationsResponse resp;
    const grpc::Status status = stub.ListNotifications(ctx.get(), req, &resp);
    if (!status.ok()) {
      ADD_FAILURE() << "ListNotifications: " << describe(status);
      return out;
    }
    out.insert(out.end(), resp.notifications().begin(), resp.notifications().end());
    if (resp.next_page_token().empty()) return out;
    req.set_page_token(resp.next_page_token());
  }
  ADD_FAILURE() << "ListNotifications: more than 100 pages";
  return out;
}

std::vector<v1::Notification> wait_notifications(
    v1::UserService::Stub& stub, const std::string& token,
    const std::function<bool(const std::vector<v1::Notification>&)>& pred,
    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto list = all_notifications(stub, token);
    if (pred(list) || std::chrono::steady_clock::now() >= deadline) return list;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::size_t count_of(const std::vector<v1::Notification>& list, v1::Notification::Type type,
                     const std::string& auction_id) {
  std::size_t n = 0;
  for (const auto& x : list) {
    if (x.type() == type && x.auction_id() == auction_id) ++n;
  }
  return n;
}

std::string describe(const v1::AuctionUpdate& update) {
  return v1::AuctionUpdate::Type_Name(update.type()) + " v" + std::to_string(update.version());
}

std::string describe(const std::vector<v1::AuctionUpdate>& updates) {
  std::string out = "[";
  for (std::size_t i = 0; i < updates.size(); ++i) {
    if (i > 0) out += ", ";
    if (i == 60 && updates.size() > 80) {  // the first 60 and the last 10
      out += "... " + std::to_string(updates.size() - 70) + " more ..., ";
      i = updates.size() - 10;
    }
    out += describe(updates[i]);
  }
  return out + "]";
}

std::string describe(const v1::Notification& n) {
  return "#" + std::to_string(n.seq()) + " " + v1::Notification::Type_Name(n.type()) + " auction " +
         n.auction_id() + " amount " + std::to_string(n.amount()) + " v" +
         std::to_string(n.auction_version());
}

std::string describe(const std::vector<v1::Notification>& list) {
  std::string out = "[";
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ", ";
    out += describe(list[i]);
  }
  return out + "]";
}

}  // namespace auction::test
