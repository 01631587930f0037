#include <btt/node/store/migrator.h>

#include <fmt/format.h>

#include <btt/base/hex.h>
#include <btt/tron/hash.h>

#include "store_sql.h"

namespace btt::node {

namespace {

// Any fixed number works; it only has to differ from other advisory locks we take.
constexpr long long kMigrationLockKey = 0x6274746d6967;  // "bttmig"

void check_migration_set(const std::vector<Migration>& migrations) {
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        const int expected = static_cast<int>(i) + 1;
        if (migrations[i].version != expected) {
            throw MigrationError(MigrationError::Kind::BadMigrationSet, migrations[i].version,
                                 fmt::format("migration {} ({}) should be version {}: versions "
                                             "must run 1, 2, 3 ... without gaps",
                                             migrations[i].version, migrations[i].name, expected));
        }
    }
}

bool has_migrations_table(pqxx::transaction_base& txn) {
    return txn.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL")[0].as<bool>();
}

std::vector<AppliedMigration> read_applied(pqxx::transaction_base& txn) {
    std::vector<AppliedMigration> rows;
    if (!has_migrations_table(txn))
        return rows;
    for (const auto& row :
         txn.exec("SELECT version, name, checksum FROM schema_migrations ORDER BY version")) {
        rows.push_back({row[0].as<int>(), row[1].as<std::string>(), row[2].as<std::string>()});
    }
    return rows;
}

// Throws unless every applied row is one of `migrations` with the same checksum.
void check_applied(const std::vector<AppliedMigration>& applied,
                   const std::vector<Migration>& migrations) {
    for (const auto& row : applied) {
        if (row.version < 1 || static_cast<std::size_t>(row.version) > migrations.size()) {
            throw MigrationError(
                MigrationError::Kind::UnknownVersion, row.version,
                fmt::format("the database has migration {} ({}), which this build does not "
                            "know (newest here: {}); it was migrated by a newer bttnode",
                            row.version, row.name, migrations.size()));
        }
        const Migration& known = migrations[static_cast<std::size_t>(row.version) - 1];
        if (migration_checksum(known.sql) != row.checksum) {
            throw MigrationError(
                MigrationError::Kind::ChecksumMismatch, row.version,
                fmt::format("migration {} was applied as {} with checksum {}, but this build's "
                            "{} has checksum {}: an applied migration must never change",
                            row.version, row.name, row.checksum, known.name,
                            migration_checksum(known.sql)));
        }
    }
}

// Holds the session-level advisory lock for the lifetime of the object.
class MigrationLock {
public:
    explicit MigrationLock(pqxx::connection& connection) : m_connection(connection) {
        pqxx::nontransaction txn(m_connection);
        txn.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
    }
    ~MigrationLock() {
        try {
            pqxx::nontransaction txn(m_connection);
            txn.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
        } catch (const std::exception&) {
            // A broken connection releases session locks by itself.
        }
    }
    MigrationLock(const MigrationLock&) = delete;
    MigrationLock& operator=(const MigrationLock&) = delete;

private:
    pqxx::connection& m_connection;
};

}  // namespace

std::string migration_checksum(const std::string& sql) {
    return to_hex(tron::sha256(as_bytes(sql)));
}

std::vector<AppliedMigration> applied_migrations(pqxx::connection& connection) {
    pqxx::read_transaction txn(connection);
    return read_applied(txn);
}

MigrateResult migrate(pqxx::connection& connection, const std::vector<Migration>& migrations) {
    check_migration_set(migrations);
    MigrationLock lock(connection);
    {
        pqxx::work txn(connection);
        txn.exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY CHECK (version > 0),"
            " name text NOT NULL,"
            " checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())");
        txn.commit();
    }

    MigrateResult result;
    std::vector<AppliedMigration> applied;
    {
        pqxx::read_transaction txn(connection);
        applied = read_applied(txn);
    }
    check_applied(applied, migrations);
    result.current_version = applied.empty() ? 0 : applied.back().version;
    if (static_cast<std::size_t>(result.current_version) != applied.size()) {
        throw MigrationError(MigrationError::Kind::UnknownVersion, result.current_version,
                             "schema_migrations has gaps: the database was changed by hand");
    }

    for (std::size_t i = applied.size(); i < migrations.size(); ++i) {
        const Migration& m = migrations[i];
        try {
            pqxx::work txn(connection);
            txn.exec(m.sql);
            txn.exec_params(
                "INSERT INTO schema_migrations (version, name, checksum) "
                "VALUES ($1, $2, $3)",
                m.version, m.name, migration_checksum(m.sql));
            txn.commit();
        } catch (const pqxx::broken_connection&) {
            throw;  // the caller decides; the migration's transaction did not commit
        } catch (const pqxx::in_doubt_error&) {
            throw;  // commit may or may not have happened: rerunning migrate() will tell
        } catch (const pqxx::sql_error& e) {
            throw MigrationError(
                MigrationError::Kind::Failed, m.version,
                fmt::format("migration {} failed and was rolled back: {}", m.name, e.what()));
        }
        result.applied.push_back(m.version);
        result.current_version = m.version;
    }
    return result;
}

void require_current_schema(pqxx::connection& connection,
                            const std::vector<Migration>& migrations) {
    check_migration_set(migrations);
    const auto applied = applied_migrations(connection);
    check_applied(applied, migrations);
    if (applied.size() != migrations.size()) {
        const int current = applied.empty() ? 0 : applied.back().version;
        throw MigrationError(MigrationError::Kind::Pending, current,
                             fmt::format("the database is at version {} and this build needs {}: "
                                         "run `bttctl db migrate`",
                                         current, migrations.size()));
    }
}

MigrateResult migrate(const std::string& url, const std::vector<Migration>& migrations) {
    return sql::translating([&] {
        pqxx::connection connection(url);
        return migrate(connection, migrations);
    });
}

std::vector<AppliedMigration> applied_migrations(const std::string& url) {
    return sql::translating([&] {
        pqxx::connection connection(url);
        return applied_migrations(connection);
    });
}

void require_current_schema(const std::string& url, const std::vector<Migration>& migrations) {
    sql::translating([&] {
        pqxx::connection connection(url);
        require_current_schema(connection, migrations);
    });
}

}  // namespace btt::node
