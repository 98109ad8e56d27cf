#include "tests/support/environment.hpp"

#include <iostream>
#include <memory>

namespace auction::test {
namespace {

struct Shared {
  std::unique_ptr<PgCluster> cluster;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<Client> client;
  std::unique_ptr<Db> db;
};

Shared& shared() {
  static Shared s;
  return s;
}

}  // namespace

void SharedEnvironment::TearDown() {
  Shared& s = shared();
  s.client.reset();
  s.db.reset();
  s.server.reset();
  s.cluster.reset();
}

void ServerLogOnFailure::OnTestEnd(const ::testing::TestInfo& info) {
  if (info.result() == nullptr || !info.result()->Failed()) return;
  const std::string tails = live_server_log_tails(40);
  if (!tails.empty()) std::cerr << tails << "---\n";
}

PgCluster& shared_cluster() {
  Shared& s = shared();
  if (!s.cluster) s.cluster = std::make_unique<PgCluster>();
  return *s.cluster;
}

ServerProcess& shared_server() {
  Shared& s = shared();
  if (!s.server) {
    s.server = std::make_unique<ServerProcess>(shared_cluster().url(), shared_cluster().dir());
  }
  return *s.server;
}

Client& shared_client() {
  Shared& s = shared();
  if (!s.client) s.client = std::make_unique<Client>(shared_server().channel());
  return *s.client;
}

Db& shared_db() {
  Shared& s = shared();
  if (!s.db) s.db = std::make_unique<Db>(shared_cluster().url());
  return *s.db;
}

}  // namespace auction::test
