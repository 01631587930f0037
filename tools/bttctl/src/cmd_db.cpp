// bttctl db migrate | db status: the schema of a bttnode database.
#include <memory>

#include <fmt/format.h>

#include <btt/ctl/commands.h>
#include <btt/node/store/migrator.h>
#include <btt/node/store/store.h>

namespace btt::ctl {

namespace {

[[noreturn]] void fail_migration(const node::MigrationError& e) {
    // A database this build must not touch is a mismatch (1), not a usage error.
    fail(e.kind() == node::MigrationError::Kind::Failed ? ExitCode::Network : ExitCode::Invalid,
         e.what());
}

// Runs `body`, saying what a database failure means for the exit code.
template <typename Body>
void on_database(Body&& body) {
    try {
        body();
    } catch (const node::MigrationError& e) {
        fail_migration(e);
    } catch (const node::DatabaseUnreachable& e) {
        fail(ExitCode::Network, fmt::format("cannot connect to the database: {}", e.what()));
    } catch (const node::DatabaseFailure& e) {
        fail(ExitCode::Network, fmt::format("database error: {}", e.what()));
    }
}

}  // namespace

void add_db_commands(CLI::App& app, Context& ctx) {
    auto* db = app.add_subcommand("db", "Database schema: apply and inspect migrations");
    db->require_subcommand(1);
    // Per-run storage (run() may be called many times in one process, e.g. by tests).
    auto url = std::make_shared<std::string>();
    auto add_url = [url](CLI::App* cmd) {
        cmd->add_option("--database", *url,
                        "libpq connection string or URL (env BTT_DATABASE_URL), e.g. "
                        "postgresql://btt@127.0.0.1/btt")
            ->envname("BTT_DATABASE_URL")
            ->required();
    };

    auto* migrate = db->add_subcommand("migrate", "Apply the migrations this build knows");
    add_url(migrate);
    migrate->callback([&ctx, url] {
        on_database([&] {
            const auto result = node::migrate(*url, node::embedded_migrations());
            ctx.out.add("applied", result.applied);
            ctx.out.add("version", result.current_version);
        });
    });

    auto* status = db->add_subcommand("status", "Show applied and pending migrations");
    add_url(status);
    status->callback([&ctx, url] {
        on_database([&] {
            const auto& known = node::embedded_migrations();
            const auto applied = node::applied_migrations(*url);
            nlohmann::json rows = nlohmann::json::array();
            for (const auto& m : applied) {
                rows.push_back({{"version", m.version}, {"name", m.name}, {"checksum", m.checksum}});
            }
            ctx.out.add("applied", rows);
            ctx.out.add("version", applied.empty() ? 0 : applied.back().version);
            ctx.out.add("latest_known", known.size());
            try {
                node::require_current_schema(*url, known);
                ctx.out.add("state", "current");
            } catch (const node::MigrationError& e) {
                ctx.out.add("state", e.kind() == node::MigrationError::Kind::Pending
                                         ? "pending"
                                         : "mismatch");
                ctx.out.add("problem", e.what());
                if (e.kind() != node::MigrationError::Kind::Pending) {
                    ctx.exit_code = ExitCode::Invalid;
                }
            }
        });
    });
}

}  // namespace btt::ctl
