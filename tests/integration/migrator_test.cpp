// The migration runner against a real server: order, atomicity, refusals, concurrency.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <btt/node/store/migrator.h>
#include <btt/testkit/pg_cluster.h>

namespace {

using btt::node::Migration;
using btt::node::MigrationError;
using btt::testkit::pg;

const std::vector<Migration> kTwo = {
    {1, "0001_a.sql", "CREATE TABLE a (id integer PRIMARY KEY);"},
    {2, "0002_b.sql", "CREATE TABLE b (id integer PRIMARY KEY); INSERT INTO b VALUES (7);"},
};

bool table_exists(pqxx::connection& conn, const std::string& name) {
    pqxx::read_transaction txn(conn);
    return txn.exec_params1("SELECT to_regclass($1) IS NOT NULL", name)[0].as<bool>();
}

MigrationError::Kind refusal_kind(pqxx::connection& conn, const std::vector<Migration>& set) {
    try {
        (void)btt::node::migrate(conn, set);
    } catch (const MigrationError& e) {
        return e.kind();
    }
    ADD_FAILURE() << "migrate() did not refuse";
    return MigrationError::Kind::Failed;
}

TEST(Migrator, AppliesEveryEmbeddedMigrationInOrderAndRecordsChecksums) {
    pqxx::connection conn(pg().fresh_database());
    const auto& embedded = btt::node::embedded_migrations();
    ASSERT_FALSE(embedded.empty());
    const auto result = btt::node::migrate(conn, embedded);
    EXPECT_EQ(result.applied.size(), embedded.size());
    EXPECT_EQ(result.current_version, static_cast<int>(embedded.size()));
    const auto applied = btt::node::applied_migrations(conn);
    ASSERT_EQ(applied.size(), embedded.size());
    for (std::size_t i = 0; i < applied.size(); ++i) {
        EXPECT_EQ(applied[i].version, static_cast<int>(i) + 1);
        EXPECT_EQ(applied[i].name, embedded[i].name);
        EXPECT_EQ(applied[i].checksum, btt::node::migration_checksum(embedded[i].sql));
        EXPECT_EQ(applied[i].checksum.size(), 64u);
    }
    EXPECT_TRUE(table_exists(conn, "node_meta"));
    EXPECT_NO_THROW(btt::node::require_current_schema(conn, embedded));
}

// Issue 20, item 9: no function of the node resolves names through its caller's
// search_path (a temporary table named receipt_batches must not stand in for ours).
TEST(Migrator, EveryFunctionOfTheNodePinsItsSearchPath) {
    pqxx::connection conn(pg().fresh_database());
    (void)btt::node::migrate(conn, btt::node::embedded_migrations());
    pqxx::read_transaction txn(conn);
    const auto rows = txn.exec(
        "SELECT n.nspname || '.' || p.proname, coalesce(array_to_string(p.proconfig, ' '), '') "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'");
    ASSERT_GE(rows.size(), 2u);  // intake_commit_batch and audit.utf8_or_null at least
    bool saw_commit = false;
    for (const auto& r : rows) {
        const auto name = r[0].as<std::string>();
        const auto config = r[1].as<std::string>();
        saw_commit = saw_commit || name == "public.intake_commit_batch";
        EXPECT_NE(config.find("search_path="), std::string::npos) << name << ": " << config;
        EXPECT_EQ(config.find("search_path=\"$user\""), std::string::npos) << name;
    }
    EXPECT_TRUE(saw_commit);
}

TEST(Migrator, SecondRunAppliesNothing) {
    pqxx::connection conn(pg().fresh_database());
    (void)btt::node::migrate(conn, kTwo);
    const auto again = btt::node::migrate(conn, kTwo);
    EXPECT_TRUE(again.applied.empty());
    EXPECT_EQ(again.current_version, 2);
    pqxx::read_transaction txn(conn);
    EXPECT_EQ(txn.exec1("SELECT count(*) FROM b")[0].as<int>(), 1);  // not inserted twice
}

TEST(Migrator, AppliesOnlyTheNewOnes) {
    pqxx::connection conn(pg().fresh_database());
    (void)btt::node::migrate(conn, {kTwo[0]});
    EXPECT_FALSE(table_exists(conn, "b"));
    const auto result = btt::node::migrate(conn, kTwo);
    EXPECT_EQ(result.applied, std::vector<int>{2});
    EXPECT_TRUE(table_exists(conn, "b"));
}

TEST(Migrator, FailingMigrationIsRolledBackWholeAndEarlierOnesStay) {
    pqxx::connection conn(pg().fresh_database());
    auto set = kTwo;
    set.push_back({3, "0003_bad.sql", "CREATE TABLE c (id int); SELECT no_such_function();"});
    try {
        (void)btt::node::migrate(conn, set);
        FAIL() << "a failing migration was reported as applied";
    } catch (const MigrationError& e) {
        EXPECT_EQ(e.kind(), MigrationError::Kind::Failed);
        EXPECT_EQ(e.version(), 3);
    }
    EXPECT_TRUE(table_exists(conn, "b"));
    EXPECT_FALSE(table_exists(conn, "c"));  // the half of 0003 that ran is gone
    EXPECT_EQ(btt::node::applied_migrations(conn).size(), 2u);
}

TEST(Migrator, RefusesADatabaseFromANewerBuild) {
    pqxx::connection conn(pg().fresh_database());
    (void)btt::node::migrate(conn, kTwo);
    EXPECT_EQ(refusal_kind(conn, {kTwo[0]}), MigrationError::Kind::UnknownVersion);
    EXPECT_THROW(btt::node::require_current_schema(conn, {kTwo[0]}), MigrationError);
}

TEST(Migrator, RefusesAnEditedMigrationAndAppliesNothingAfterIt) {
    pqxx::connection conn(pg().fresh_database());
    (void)btt::node::migrate(conn, {kTwo[0]});
    auto edited = kTwo;
    edited[0].sql += " -- edited";
    EXPECT_EQ(refusal_kind(conn, edited), MigrationError::Kind::ChecksumMismatch);
    EXPECT_FALSE(table_exists(conn, "b"));
}

TEST(Migrator, RefusesASetWithGapsBeforeTouchingTheDatabase) {
    pqxx::connection conn(pg().fresh_database());
    const std::vector<Migration> gap = {kTwo[0], {3, "0003_c.sql", "CREATE TABLE c (id int);"}};
    EXPECT_EQ(refusal_kind(conn, gap), MigrationError::Kind::BadMigrationSet);
    EXPECT_FALSE(table_exists(conn, "schema_migrations"));
}

TEST(Migrator, RequireCurrentSchemaReportsPendingMigrations) {
    pqxx::connection conn(pg().fresh_database());
    (void)btt::node::migrate(conn, {kTwo[0]});
    try {
        btt::node::require_current_schema(conn, kTwo);
        FAIL() << "pending migration not reported";
    } catch (const MigrationError& e) {
        EXPECT_EQ(e.kind(), MigrationError::Kind::Pending);
        EXPECT_EQ(e.version(), 1);
    }
}

TEST(Migrator, ConcurrentRunnersApplyEachMigrationOnce) {
    const std::string url = pg().fresh_database();
    // A slow first migration widens the window in which two runners could both apply it.
    const std::vector<Migration> set = {
        {1, "0001_slow.sql", "SELECT pg_sleep(0.2); CREATE TABLE once (id int);"},
        {2, "0002_row.sql", "INSERT INTO once VALUES (1);"},
    };
    std::atomic<int> applied_total{0};
    std::atomic<int> errors{0};
    std::vector<std::thread> runners;
    for (int i = 0; i < 4; ++i) {
        runners.emplace_back([&] {
            try {
                pqxx::connection conn(url);
                applied_total += static_cast<int>(btt::node::migrate(conn, set).applied.size());
            } catch (const std::exception&) {
                ++errors;
            }
        });
    }
    for (auto& t : runners) t.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(applied_total.load(), 2);
    pqxx::connection conn(url);
    pqxx::read_transaction txn(conn);
    EXPECT_EQ(txn.exec1("SELECT count(*) FROM once")[0].as<int>(), 1);
}

}  // namespace
