// pg_tests: integration tests against a real, throwaway PostgreSQL cluster (one per run).
#include <gtest/gtest.h>

#include <btt/testkit/pg_cluster.h>

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    btt::testkit::install_pg_environment();
    return RUN_ALL_TESTS();
}
