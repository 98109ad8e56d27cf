#include "client.hpp"

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "login_store.hpp"

namespace auction::cli {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw CliError("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::chrono::milliseconds GlobalOptions::timeout() const {
  return std::chrono::milliseconds(static_cast<std::int64_t>(timeout_seconds * 1000.0));
}

std::shared_ptr<grpc::Channel> make_channel(const GlobalOptions& opts,
                                            const grpc::ChannelArguments& args) {
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (opts.tls || !opts.ca_cert.empty()) {
    grpc::SslCredentialsOptions ssl;
    if (!opts.ca_cert.empty()) ssl.pem_root_certs = read_file(opts.ca_cert);
    creds = grpc::SslCredentials(ssl);
  } else {
    creds = grpc::InsecureChannelCredentials();
  }
  return grpc::CreateCustomChannel(opts.server, creds, args);
}

Client::Client(const GlobalOptions& opts, Auth auth, const grpc::ChannelArguments& args)
    : opts_(opts),
      channel_(make_channel(opts, args)),
      auctions_(v1::AuctionService::NewStub(channel_)),
      users_(v1::UserService::NewStub(channel_)) {
  if (auth == Auth::kAnonymous) return;
  if (!opts.token.empty()) {
    token_ = opts.token;
    auth_hint_ = "the token given with --token was refused";
    return;
  }
  std::optional<StoredLogin> stored;
  try {
    stored = load_login(login_path());
  } catch (const CliError& e) {
    // Reads work without a login; say why writes will not.
    std::cerr << "warning: ignoring the stored login: " << e.what() << "\n";
    auth_hint_ = e.what();
    return;
  }
  if (!stored || stored->token.empty()) {
    auth_hint_ = "not logged in: run `auction-cli login USERNAME` or pass --token";
    return;
  }
  token_ = stored->token;
  if (stored->expires_at_unix != 0 && stored->expires_at_unix <= unix_now()) {
    auth_hint_ = "the stored login expired at " + stored->expires_at + ": run `auction-cli login " +
                 stored->username + "` again";
  } else if (stored->server != opts.server) {
    auth_hint_ = "the stored login is for server " + stored->server + ", not " + opts.server +
                 ": run `auction-cli login` for this server";
  } else {
    auth_hint_ = "the stored login of " + stored->username +
                 " was refused: run `auction-cli login " + stored->username + "` again";
  }
}

std::unique_ptr<grpc::ClientContext> Client::context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + opts_.timeout());
  if (!token_.empty()) ctx->AddMetadata("authorization", "Bearer " + token_);
  return ctx;
}

std::unique_ptr<grpc::ClientContext> Client::stream_context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token_.empty()) ctx->AddMetadata("authorization", "Bearer " + token_);
  return ctx;
}

void Client::fail(const grpc::Status& status) const {
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED && !auth_hint_.empty()) {
    throw RpcError(status, auth_hint_);
  }
  throw RpcError(status);
}

}  // namespace auction::cli
