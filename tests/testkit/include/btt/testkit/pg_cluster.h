#pragma once
// A throwaway PostgreSQL 15 cluster for integration tests: initdb into a fresh folder under
// the system temp dir (as the `postgres` system user when run as root, since initdb refuses
// root), started with pg_ctl on a free 127.0.0.1 port with fsync and synchronous_commit on,
// stopped and removed by the destructor. If the test process dies on a signal the
// postmaster is killed too; clusters left by a process that died of SIGKILL are swept by
// the next start. Never a mock: the point is the real commit path.

#include <memory>
#include <string>

namespace btt::testkit {

class PgCluster {
public:
    // Creates and starts a cluster. Throws std::runtime_error with initdb's or pg_ctl's log
    // when it cannot (no PostgreSQL installed, no free port ...).
    static std::unique_ptr<PgCluster> start();
    ~PgCluster();
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

    // libpq connection string of database `dbname` (default: the "postgres" database).
    [[nodiscard]] std::string connection_string(const std::string& dbname = "postgres") const;
    // Creates a new empty database with a unique name and returns its connection string.
    [[nodiscard]] std::string fresh_database();

    [[nodiscard]] int port() const noexcept { return m_port; }
    [[nodiscard]] const std::string& folder() const noexcept { return m_folder; }

    // For crash tests: stop hard (like a power cut for the server: immediate mode) and
    // start the same cluster again on the same port.
    void stop_immediately();
    void restart();

private:
    PgCluster() = default;
    void initdb();
    void pg_ctl_start();

    std::string m_folder;   // everything of this cluster lives below it
    std::string m_bindir;   // initdb, pg_ctl, postgres
    int m_port = 0;
    int m_database_count = 0;
    bool m_running = false;
};

// The cluster of the current pg_tests process (created by its test environment).
[[nodiscard]] PgCluster& pg();

// Installs the cluster as the process-wide one and hooks the termination signals so it is
// stopped on SIGINT/SIGTERM/SIGABRT/SIGSEGV too. Used by the pg_tests main.
void install_pg_environment();

}  // namespace btt::testkit
