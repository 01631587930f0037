// The harness itself: a real server, durable settings, loopback only, isolated databases.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <btt/testkit/pg_cluster.h>

namespace {

using btt::testkit::pg;

TEST(PgHarness, WritesAndReadsBackThroughARealServer) {
    const std::string url = pg().fresh_database();
    pqxx::connection conn(url);
    {
        pqxx::work txn(conn);
        txn.exec("CREATE TABLE t (id integer PRIMARY KEY, amount bigint NOT NULL)");
        txn.exec_params("INSERT INTO t VALUES ($1, $2)", 1, 9'223'372'036'854'775'807LL);
        txn.commit();
    }
    pqxx::connection other(url);
    pqxx::read_transaction txn(other);
    EXPECT_EQ(txn.exec1("SELECT amount FROM t WHERE id = 1")[0].as<long long>(),
              9'223'372'036'854'775'807LL);
}

TEST(PgHarness, RunsWithDurableCommitsOnLoopback) {
    pqxx::connection conn(pg().connection_string());
    pqxx::read_transaction txn(conn);
    EXPECT_EQ(txn.exec1("SHOW fsync")[0].as<std::string>(), "on");
    EXPECT_EQ(txn.exec1("SHOW synchronous_commit")[0].as<std::string>(), "on");
    EXPECT_EQ(txn.exec1("SHOW listen_addresses")[0].as<std::string>(), "127.0.0.1");
    EXPECT_EQ(txn.exec1("SELECT current_setting('server_version_num')::int / 10000")[0].as<int>(),
              15);
}

TEST(PgHarness, GivesEachTestItsOwnDatabase) {
    const std::string first = pg().fresh_database();
    const std::string second = pg().fresh_database();
    ASSERT_NE(first, second);
    pqxx::connection a(first);
    {
        pqxx::work txn(a);
        txn.exec("CREATE TABLE only_in_first (x int)");
        txn.commit();
    }
    pqxx::connection b(second);
    pqxx::read_transaction txn(b);
    EXPECT_FALSE(txn.exec1("SELECT to_regclass('only_in_first') IS NOT NULL")[0].as<bool>());
}

TEST(PgHarness, CommittedRowsSurviveAnImmediateServerStop) {
    const std::string url = pg().fresh_database();
    {
        pqxx::connection conn(url);
        pqxx::work txn(conn);
        txn.exec("CREATE TABLE acked (id integer PRIMARY KEY)");
        txn.exec("INSERT INTO acked SELECT generate_series(1, 100)");
        txn.commit();
    }
    pg().stop_immediately();  // no checkpoint: recovery must replay the WAL
    pg().restart();
    pqxx::connection conn(url);
    pqxx::read_transaction txn(conn);
    EXPECT_EQ(txn.exec1("SELECT count(*) FROM acked")[0].as<int>(), 100);
}

}  // namespace
