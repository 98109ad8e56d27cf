// main() for the integration suites: the shared cluster/server environment
// and server log tails on failure.
#include <gtest/gtest.h>

#include "tests/support/environment.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new auction::test::SharedEnvironment);
  ::testing::UnitTest::GetInstance()->listeners().Append(new auction::test::ServerLogOnFailure);
  return RUN_ALL_TESTS();
}
