// register, login, logout, whoami, my-bids, my-auctions.
#include <iostream>
#include <optional>

#include <google/protobuf/util/time_util.h>

#include "commands.hpp"
#include "format.hpp"
#include "json_output.hpp"
#include "login_store.hpp"
#include "paging.hpp"
#include "parse.hpp"
#include "password.hpp"
#include "views.hpp"

namespace auction::cli {
namespace {

struct RegisterArgs {
  std::string username;
  std::string display_name;
  std::optional<std::string> password;
};

struct LoginArgs {
  std::string username;
  std::optional<std::string> password;
};

struct NoArgs {};

struct MyAuctionsArgs {
  std::string status;
  Paging paging;
};

void add_password_option(CLI::App* sub, std::optional<std::string>& password) {
  // The flag beats a non-empty AUCTION_PASSWORD, which beats stdin.
  sub->add_option("--password", password, "Password (else one line from stdin)")
      ->envname("AUCTION_PASSWORD");
}

int run_register(const GlobalOptions& opts, const RegisterArgs& args) {
  Client client(opts, Auth::kAnonymous);
  v1::RegisterRequest req;
  req.set_username(args.username);
  req.set_display_name(args.display_name);
  req.set_password(resolve_password(args.password));
  auto user = client.call(client.users(), &v1::UserService::Stub::Register, req);
  if (opts.json) {
    print_json(std::cout, user);
  } else {
    std::cout << "registered " << name_with_id(user.username(), user.id()) << "\n";
  }
  return kExitOk;
}

int run_login(const GlobalOptions& opts, const LoginArgs& args) {
  Client client(opts, Auth::kAnonymous);
  v1::LoginRequest req;
  req.set_username(args.username);
  req.set_password(resolve_password(args.password));
  auto reply = client.call(client.users(), &v1::UserService::Stub::Login, req);

  StoredLogin login;
  login.server = opts.server;
  login.username = reply.user().username().empty() ? args.username : reply.user().username();
  login.user_id = reply.user().id();
  login.token = reply.token();
  if (reply.has_expires_at()) {
    login.expires_at = google::protobuf::util::TimeUtil::ToString(reply.expires_at());
    login.expires_at_unix = reply.expires_at().seconds();
  }
  auto path = login_path();
  save_login(path, login);

  if (opts.json) {
    print_json(std::cout, reply);
  } else {
    std::cout << "logged in as " << name_with_id(login.username, login.user_id) << " on "
              << opts.server << "\n";
    if (reply.has_expires_at()) {
      std::cout << "token expires at " << timestamp(reply.expires_at()) << " ("
                << relative(reply.expires_at(), Clock::now()) << ")\n";
    }
    std::cout << "saved to " << path.string() << "\n";
  }
  return kExitOk;
}

int run_logout(const GlobalOptions& opts, const NoArgs& /*args*/) {
  auto path = login_path();
  bool removed = remove_login(path);
  if (opts.json) {
    print_json(std::cout, nlohmann::json{{"logged_out", removed}, {"path", path.string()}});
  } else if (removed) {
    std::cout << "logged out (removed " << path.string() << ")\n";
  } else {
    std::cout << "not logged in\n";
  }
  return kExitOk;
}

int run_whoami(const GlobalOptions& opts, const NoArgs& /*args*/) {
  Client client(opts);
  auto user = client.call(client.users(), &v1::UserService::Stub::GetMe, v1::GetMeRequest{});
  if (opts.json) {
    print_json(std::cout, user);
  } else {
    print_user(std::cout, user);
  }
  return kExitOk;
}

int run_my_bids(const GlobalOptions& opts, const Paging& paging) {
  Client client(opts);
  auto reply = fetch_pages<v1::ListMyBidsResponse>(paging, [&](const std::string& token) {
    v1::ListMyBidsRequest req;
    req.set_page_size(effective_page_size(paging));
    req.set_page_token(token);
    return client.call(client.users(), &v1::UserService::Stub::ListMyBids, req);
  });
  if (opts.json) {
    print_json(std::cout, reply);
  } else {
    print_my_bids(std::cout, reply.bids());
    print_next_page(std::cout, reply.next_page_token());
  }
  return kExitOk;
}

int run_my_auctions(const GlobalOptions& opts, const MyAuctionsArgs& args) {
  auto status = args.status.empty() ? v1::AUCTION_STATUS_UNSPECIFIED : parse_status(args.status);
  Client client(opts);
  auto reply = fetch_pages<v1::ListMyAuctionsResponse>(args.paging, [&](const std::string& token) {
    v1::ListMyAuctionsRequest req;
    req.set_status(status);
    req.set_page_size(effective_page_size(args.paging));
    req.set_page_token(token);
    return client.call(client.users(), &v1::UserService::Stub::ListMyAuctions, req);
  });
  if (opts.json) {
    print_json(std::cout, reply);
  } else {
    print_auction_table(std::cout, reply.auctions(), Clock::now());
    print_next_page(std::cout, reply.next_page_token());
  }
  return kExitOk;
}

}  // namespace

void add_paging_options(CLI::App* sub, Paging& paging) {
  sub->add_option("--page-size", paging.page_size,
                  "Items per page (server default 20, at most 100)")
      ->check(CLI::Range(1, 100));
  sub->add_option("--page-token", paging.page_token, "Continue from this page token");
  sub->add_flag("--all", paging.all, "Follow next_page_token to the last page");
}

void add_user_commands(CLI::App& app, CliContext& ctx) {
  {
    auto args = std::make_shared<RegisterArgs>();
    auto* sub = app.add_subcommand("register", "Create a user account");
    sub->add_option("USERNAME", args->username, "3..32 of [a-z0-9_]")->required();
    sub->add_option("DISPLAY_NAME", args->display_name, "Name shown to others")->required();
    add_password_option(sub, args->password);
    on_run(sub, ctx, args, run_register);
  }
  {
    auto args = std::make_shared<LoginArgs>();
    auto* sub = app.add_subcommand("login", "Log in and store the token (0600 file)");
    sub->add_option("USERNAME", args->username)->required();
    add_password_option(sub, args->password);
    on_run(sub, ctx, args, run_login);
  }
  {
    auto args = std::make_shared<NoArgs>();
    on_run(app.add_subcommand("logout", "Forget the stored login"), ctx, args, run_logout);
    on_run(app.add_subcommand("whoami", "Show the logged-in user (GetMe)"), ctx, args, run_whoami);
  }
  {
    auto args = std::make_shared<Paging>();
    auto* sub = app.add_subcommand("my-bids", "Your bid attempts, newest first (ListMyBids)");
    add_paging_options(sub, *args);
    on_run(sub, ctx, args, run_my_bids);
  }
  {
    auto args = std::make_shared<MyAuctionsArgs>();
    auto* sub =
        app.add_subcommand("my-auctions", "Auctions you sell, newest first (ListMyAuctions)");
    sub->add_option("--status", args->status, "Only auctions in this state")->check(status_names());
    add_paging_options(sub, args->paging);
    on_run(sub, ctx, args, run_my_auctions);
  }
}

}  // namespace auction::cli
