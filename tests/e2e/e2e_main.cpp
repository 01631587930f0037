// e2e_tests: bttnode (the real executable) + trondev + a throwaway PostgreSQL cluster.
#include <gtest/gtest.h>

#include <btt/testkit/pg_cluster.h>

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    btt::testkit::install_pg_environment();
    return RUN_ALL_TESTS();
}
