// The harness itself: a real server, durable settings, loopback only, isolated databases.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

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

// A zombie counts as gone: the sandbox's PID 1 may never reap the orphaned postmaster.
bool is_running(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

TEST(PgHarness, AnInterruptedRunStopsItsServerAndRemovesItsFolder) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // A test process with its own cluster, interrupted as Ctrl-C or a CI timeout would.
        close(fds[0]);
        try {
            auto cluster = btt::testkit::PgCluster::start();
            std::ifstream pid_file(cluster->folder() + "/data/postmaster.pid");
            std::string postmaster;
            std::getline(pid_file, postmaster);
            const std::string report = cluster->folder() + "\n" + postmaster + "\n";
            if (write(fds[1], report.data(), report.size()) != static_cast<ssize_t>(report.size())) _exit(97);
            close(fds[1]);
            raise(SIGTERM);
        } catch (...) {
        }
        _exit(98);
    }
    close(fds[1]);
    std::string report;
    char buf[512];
    for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;) report.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(150);
    while (waitpid(child, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    EXPECT_EQ(WTERMSIG(status), SIGTERM);
    const auto newline = report.find('\n');
    ASSERT_NE(newline, std::string::npos) << report;
    const std::string folder = report.substr(0, newline);
    const pid_t postmaster = static_cast<pid_t>(std::stol(report.substr(newline + 1)));
    EXPECT_FALSE(std::filesystem::exists(folder)) << folder;
    EXPECT_FALSE(is_running(postmaster)) << postmaster;
}

}  // namespace
