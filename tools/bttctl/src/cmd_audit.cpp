// bttctl audit reconcile --config FILE: the escrow reconciliation of DESIGN §8/§9, run by an
// auditor against the node's own PostgreSQL and solidity node (no token, no node process):
// the escrow's solidified balance of the token against the node's liabilities, both at one
// solidified height. The arithmetic is the node's (btt::node::reconcile), not a copy.
//
// Reads the config file only: no key file is opened (load_config_file never does), so an
// auditor needs the config and database credentials, never a key.
//
// Exit codes: 0 no deficit (a surplus is no alarm), 1 deficit, 2 bad config file,
// 3 the database or the chain cannot be read, or the node's watcher has not applied the
// solidified head within --wait-s (liabilities at that height are unknown).
#include <stdlib.h>

#include <chrono>
#include <memory>
#include <string>

#include <fmt/format.h>

#include <btt/ctl/commands.h>
#include <btt/node/app/config.h>
#include <btt/node/engine/reconcile.h>
#include <btt/node/store/settlement_store.h>
#include <btt/tron/client/tron_client.h>

namespace btt::ctl {

namespace {

struct Options {
    std::string config;
    int wait_s = 30;
    std::string token_id;  // empty: the node's channels.token_id
};

// libpq's messages run over several lines ("...\n\tIs the server running..."): one line,
// as every bttctl reason.
std::string one_line(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\t')
            c = ' ';
    }
    std::string out;
    for (const char c : text) {
        if (c == ' ' && (out.empty() || out.back() == ' '))
            continue;
        out += c;
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

std::unique_ptr<node::SettlementStore> open_store(const node::Config& config) {
    // libpq waits forever for a host that drops packets; an auditor's check should give up.
    // The environment is only a default: connect_timeout in database.url wins.
    ::setenv("PGCONNECT_TIMEOUT", "10", /*overwrite=*/0);
    const std::string where = node::redact_database_url(config.database.url);
    try {
        return std::make_unique<node::SettlementStore>(config.database.url);
    } catch (const node::DatabaseUnreachable& e) {
        fail(ExitCode::Network,
             fmt::format("cannot connect to the database ({}): {}", where, one_line(e.what())));
    } catch (const std::exception& e) {
        fail(ExitCode::Usage, fmt::format("database.url ({}): {}", where, one_line(e.what())));
    }
}

tron::client::TronClient open_chain(const node::Config& config) {
    tron::client::ClientOptions o;
    o.full_node = {config.tron.full_node, config.tron.tls, ""};
    o.solidity = {config.tron.solidity_node, config.tron.tls, ""};
    o.deadline = config.tron.deadline;
    o.backoff.max_attempts = 4;  // an auditor waits seconds, not the node's patience
    return tron::client::TronClient(o);
}

void reconcile(Context& ctx, const Options& opts) {
    // No overrides: the auditor checks the node as its file configures it.
    const auto config = node::load_config_file(opts.config, {});
    if (!config)
        fail(ExitCode::Usage, config.error().message());

    auto store = open_store(*config);
    auto chain = open_chain(*config);
    // A healthy watcher trails a moving solidified head by a block: wait for it (bounded)
    // rather than fail a check that would pass a moment later.
    node::ReconcileWait wait;
    wait.within = std::chrono::seconds(opts.wait_s);
    const std::string& token = opts.token_id.empty() ? config->channels.token_id : opts.token_id;
    const auto r = node::reconcile(*store, chain, config->escrow.address, token, wait);
    if (!r) {
        using K = node::ReconcileError::Kind;
        switch (r.error().kind) {
            case K::Store:
                fail(ExitCode::Network, "cannot read the database: " + one_line(r.error().message));
            case K::Chain:
                fail(ExitCode::Network, fmt::format("cannot read the chain (solidity node {}): {}",
                                                    config->tron.solidity_node, r.error().message));
            case K::WatcherBehind:
                fail(ExitCode::Network,
                     fmt::format("the node's chain watcher did not reach the solidified head "
                                 "within {} s, so deposits up to it are not all known ({}); is "
                                 "the node running and following the chain?",
                                 opts.wait_s, r.error().message));
        }
        fail(ExitCode::Network, r.error().message);
    }
    // Amounts as decimal strings (DESIGN §9): int64 base units that JSON readers keeping
    // doubles would round.
    ctx.out.add("token_id", token);
    ctx.out.add("height", r->height);
    ctx.out.add("balance", std::to_string(r->balance));
    ctx.out.add("liabilities", std::to_string(r->liabilities));
    ctx.out.add("deficit", std::to_string(r->deficit));
    ctx.out.add("surplus", std::to_string(r->surplus));
    ctx.out.add("ok", r->ok());
    if (!r->ok())
        ctx.exit_code = ExitCode::Invalid;
}

}  // namespace

void add_audit_commands(CLI::App& app, Context& ctx) {
    // The operators' issue adds export and verify to the same group.
    CLI::App* audit = nullptr;
    for (auto* sub : app.get_subcommands({})) {
        if (sub->get_name() == "audit")
            audit = sub;
    }
    if (audit == nullptr) {
        audit = app.add_subcommand("audit", "Auditor's checks of a bttnode");
        audit->require_subcommand(1);
    }
    // Per-run storage (run() may be called many times in one process, e.g. by tests).
    auto opts = std::make_shared<Options>();
    auto* rec = audit->add_subcommand(
        "reconcile",
        "Escrow balance on the solidified chain against the node's liabilities, at one height "
        "(reads the node's database and solidity node; exit 1 on a deficit)");
    rec->add_option("--config", opts->config, "the node's configuration file (bttnode.toml)")
        ->required();
    rec->add_option("--wait-s", opts->wait_s,
                    "how long to wait for the node's watcher to reach the solidified head "
                    "(it trails a moving chain by a block or so); exit 3 after that")
        ->check(CLI::Range(0, 3600))
        ->capture_default_str();
    rec->add_option("--token-id", opts->token_id,
                    "reconcile another TRC-10 token than the node's channels.token_id: held "
                    "transfers of a foreign token show as its surplus")
        ->check([](const std::string& s) {
            const bool ok = !s.empty() && s.size() <= 19 && s.front() != '0' &&
                            s.find_first_not_of("0123456789") == std::string::npos &&
                            (s.size() < 19 || s <= "9223372036854775807");
            return ok ? std::string() : std::string("must be a TRC-10 token id (1 to 19 decimal "
                                                    "digits, no leading zero)");
        });
    rec->callback([&ctx, opts] { reconcile(ctx, *opts); });
    add_audit_ledger_commands(audit, ctx);
}

}  // namespace btt::ctl
