#pragma once
/// The connection to auctiond: one channel, the service stubs, and per-call
/// contexts carrying the deadline and the bearer token.
#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "auction/v1/auction.grpc.pb.h"
#include "errors.hpp"

namespace auction::cli {

/// Options that apply to every subcommand.
struct GlobalOptions {
  std::string server;             ///< HOST:PORT
  bool json = false;              ///< machine-readable output
  std::string token;              ///< overrides the stored login
  double timeout_seconds = 10.0;  ///< deadline per call
  bool tls = false;               ///< TLS with the system's roots
  std::string ca_cert;            ///< TLS with this PEM root (implies tls)

  std::chrono::milliseconds timeout() const;
};

/// A channel to `opts.server`, plain-text unless TLS was asked for.
std::shared_ptr<grpc::Channel> make_channel(const GlobalOptions& opts,
                                            const grpc::ChannelArguments& args = {});

/// Whether calls carry the caller's token.
enum class Auth { kCaller, kAnonymous };

class Client {
 public:
  /// kCaller: --token, else the stored login (if any). kAnonymous: no token
  /// (register, login). `args` tune the channel (e.g. stream_channel_args()).
  explicit Client(const GlobalOptions& opts, Auth auth = Auth::kCaller,
                  const grpc::ChannelArguments& args = {});

  v1::AuctionService::Stub& auctions() { return *auctions_; }
  v1::UserService::Stub& users() { return *users_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const GlobalOptions& options() const { return opts_; }

  /// A fresh context: deadline now + timeout, bearer token when known.
  std::unique_ptr<grpc::ClientContext> context() const;

  /// For a long-lived server stream: the bearer token when known, no
  /// deadline (the caller bounds the stream, e.g. by cancelling it).
  std::unique_ptr<grpc::ClientContext> stream_context() const;

  /// Advice for an UNAUTHENTICATED status ("" when there is none).
  const std::string& auth_hint() const { return auth_hint_; }

  /// One unary call; throws RpcError (with a login hint on UNAUTHENTICATED).
  template <class Stub, class Request, class Response>
  Response call(Stub& stub,
                grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                const Request& request) const {
    auto ctx = context();
    Response response;
    grpc::Status status = (stub.*method)(ctx.get(), request, &response);
    if (!status.ok()) fail(status);
    return response;
  }

 private:
  [[noreturn]] void fail(const grpc::Status& status) const;

  GlobalOptions opts_;
  std::string token_;
  std::string auth_hint_;  ///< why a call may be unauthenticated
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::AuctionService::Stub> auctions_;
  std::unique_ptr<v1::UserService::Stub> users_;
};

}  // namespace auction::cli
