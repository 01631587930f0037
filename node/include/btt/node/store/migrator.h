#pragma once
// The schema migration runner (used by bttnode at start and by `bttctl db migrate`).
//
// Migrations are the numbered files of migrations/ (NNNN_what.sql), compiled into the binary.
// Each is applied in its own transaction together with its row in `schema_migrations`
// (version, name, sha256 checksum of the SQL), so a migration is either fully applied and
// recorded or not at all. The runner refuses to touch a database that has a version this
// build does not know (migrated by a newer build) or whose recorded checksum differs from
// the file's (an applied file was edited): both mean the code and the schema disagree, and
// guessing would risk money. Concurrent runners serialise on a PostgreSQL advisory lock.

#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace btt::node {

struct Migration {
    int version;       // 1, 2, 3 ... contiguous; stored in schema_migrations.version
    std::string name;  // file name, e.g. "0001_node_meta.sql"
    std::string sql;
};

// Every migrations/*.sql of this build, in version order.
[[nodiscard]] const std::vector<Migration>& embedded_migrations();

struct AppliedMigration {
    int version;
    std::string name;
    std::string checksum;  // lowercase hex sha256 of the SQL text
};

class MigrationError : public std::runtime_error {
public:
    enum class Kind {
        BadMigrationSet,   // the list itself is wrong (not 1..N in order): a build bug
        UnknownVersion,    // the database has a version this build does not know
        ChecksumMismatch,  // an applied migration's SQL differs from this build's file
        Failed,            // a migration's SQL failed; it was rolled back
        Pending,           // require_current_schema: migrations remain to apply
    };
    MigrationError(Kind kind, int version, const std::string& what)
        : std::runtime_error(what), m_kind(kind), m_version(version) {}
    [[nodiscard]] Kind kind() const noexcept { return m_kind; }
    [[nodiscard]] int version() const noexcept { return m_version; }

private:
    Kind m_kind;
    int m_version;
};

struct MigrateResult {
    std::vector<int> applied;  // versions applied by this call, in order
    int current_version = 0;   // the database's version afterwards
};

[[nodiscard]] std::string migration_checksum(const std::string& sql);

// Brings the database to the newest version of `migrations`.
// Returns what was applied. Throws MigrationError (kinds above; nothing is applied when the
// database is refused, and a failing migration leaves earlier ones applied), or pqxx
// exceptions when the database is unreachable.
MigrateResult migrate(pqxx::connection& connection, const std::vector<Migration>& migrations);

// The same three on a connection of their own to `url`, throwing DatabaseUnreachable or
// DatabaseFailure (store.h) where the ones above throw libpqxx's errors.
MigrateResult migrate(const std::string& url, const std::vector<Migration>& migrations);
[[nodiscard]] std::vector<AppliedMigration> applied_migrations(const std::string& url);
void require_current_schema(const std::string& url, const std::vector<Migration>& migrations);

// The rows of schema_migrations in version order (empty when the table does not exist).
[[nodiscard]] std::vector<AppliedMigration> applied_migrations(pqxx::connection& connection);

// Throws MigrationError unless every applied row matches `migrations` and none is pending:
// what a node checks at start when it is not allowed to migrate by itself.
void require_current_schema(pqxx::connection& connection, const std::vector<Migration>& migrations);

}  // namespace btt::node
