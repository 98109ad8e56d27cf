#pragma once
/// One PostgreSQL cluster and one auctiond per test binary, started on first
/// use (listing the tests starts nothing) and stopped when the binary ends.
/// Tests that restart or kill a server start their own ServerProcess on the
/// shared cluster.
#include <gtest/gtest.h>

#include "tests/support/client.hpp"
#include "tests/support/database.hpp"
#include "tests/support/pg_cluster.hpp"
#include "tests/support/server_process.hpp"

namespace auction::test {

/// Registered by the suites' main (tests/support/test_main.cpp).
class SharedEnvironment : public ::testing::Environment {
 public:
  void TearDown() override;
};

/// Prints the tail of every live server's log when a test fails.
class ServerLogOnFailure : public ::testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const ::testing::TestInfo& info) override;
};

PgCluster& shared_cluster();
ServerProcess& shared_server();
/// A client of the shared server.
Client& shared_client();
/// The shared cluster's database.
Db& shared_db();

}  // namespace auction::test
