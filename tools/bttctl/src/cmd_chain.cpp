// bttctl chain head | chain block N | account ADDR | tx send-asset: talking to a Tron full
// node (java-tron or trondev) through the bridge. Exit 3 when the chain cannot be reached.
#include <chrono>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <tron/api/api.pb.h>

#include <btt/base/hex.h>
#include <btt/ctl/commands.h>
#include <btt/ctl/parse.h>
#include <btt/tron/client/tron_client.h>

namespace btt::ctl {

namespace {

struct ChainFlags {
    std::string tron = "127.0.0.1:50051";
    std::string solidity = "127.0.0.1:50061";
    bool tls = false;
};

void add_chain_flags(CLI::App* cmd, ChainFlags& f) {
    cmd->add_option("--tron", f.tron, "full node gRPC HOST:PORT (env BTT_TRON)")->envname("BTT_TRON")->capture_default_str();
    cmd->add_option("--tron-solidity", f.solidity, "solidity gRPC HOST:PORT (env BTT_TRON_SOLIDITY)")
        ->envname("BTT_TRON_SOLIDITY")
        ->capture_default_str();
    cmd->add_flag("--tron-tls", f.tls, "use TLS (system roots) for both endpoints");
}

tron::client::TronClient connect(const ChainFlags& f) {
    tron::client::ClientOptions o;
    o.full_node = {f.tron, f.tls, ""};
    o.solidity = {f.solidity, f.tls, ""};
    o.backoff.max_attempts = 4;
    return tron::client::TronClient(o);
}

template <typename T>
T need(tron::client::Result<T> r, const char* what) {
    if (!r) fail(ExitCode::Network, fmt::format("{}: {}", what, r.error().message));
    return std::move(r).value();
}

const char* class_name(tron::BroadcastClass c) {
    switch (c) {
        case tron::BroadcastClass::Accepted: return "accepted";
        case tron::BroadcastClass::AlreadyKnown: return "already_known";
        case tron::BroadcastClass::RetrySameBytes: return "retry_same_bytes";
        case tron::BroadcastClass::Rebuild: return "rebuild";
        case tron::BroadcastClass::Final: return "final";
    }
    return "final";
}

struct Options {
    ChainFlags chain;
    std::string number, address, to, token, amount, memo, wait = "none";
    KeySource key;
    int timeout_s = 180;
};

void print_block(Context& ctx, const protocol::BlockExtention& b) {
    const auto& raw = b.block_header().raw_data();
    ctx.out.add("number", raw.number());
    ctx.out.add("id", to_hex(as_bytes(b.blockid())));
    ctx.out.add("timestamp", raw.timestamp());
    ctx.out.add("parent", to_hex(as_bytes(raw.parenthash())));
    if (auto w = tron::TronAddress::from_bytes(as_bytes(raw.witness_address()))) ctx.out.add("witness", w->to_base58());
    nlohmann::json txs = nlohmann::json::array();
    for (const auto& t : b.transactions()) {
        nlohmann::json row = {{"txid", to_hex(as_bytes(t.txid()))}};
        const auto decoded = tron::decode_raw_data(as_bytes(t.transaction().raw_data().SerializeAsString()));
        if (decoded && decoded->contracts.size() == 1) {
            const auto& c = decoded->contracts[0];
            row["type"] = c.type;
            if (c.owner) row["owner_address"] = c.owner->to_base58();
            if (c.to) row["to_address"] = c.to->to_base58();
            if (c.amount) row["amount"] = *c.amount;
            if (c.token_id) row["asset_name"] = *c.token_id;
            if (!decoded->data.empty()) row["data"] = to_hex(decoded->data);
        }
        txs.push_back(row);
    }
    ctx.out.add("transactions", txs);
}

}  // namespace

void add_chain_commands(CLI::App& app, Context& ctx) {
    auto opts = std::make_shared<Options>();
    auto* chain = app.add_subcommand("chain", "Read a Tron full node: head, blocks");
    chain->require_subcommand(1);

    auto* head_cmd = chain->add_subcommand("head", "Head and solidified head");
    add_chain_flags(head_cmd, opts->chain);
    head_cmd->callback([&ctx, opts] {
        auto c = connect(opts->chain);
        const auto h = need(c.head(), "head");
        const auto s = need(c.solid_head(), "solidified head");
        ctx.out.add("number", h.number);
        ctx.out.add("id", to_hex(h.id));
        ctx.out.add("timestamp", h.timestamp);
        ctx.out.add("solid_number", s.number);
        ctx.out.add("solid_id", to_hex(s.id));
    });

    auto* block = chain->add_subcommand("block", "One block with its transactions");
    add_chain_flags(block, opts->chain);
    block->add_option("N", opts->number, "block number")->required();
    block->callback([&ctx, opts] {
        const auto n = parse_non_negative("N", opts->number);
        auto c = connect(opts->chain);
        const auto b = need(c.block(n), "block");
        if (!b) fail(ExitCode::Invalid, fmt::format("no block {} on this chain yet", n));
        print_block(ctx, *b);
    });

    auto* account = app.add_subcommand("account", "Balances of an address (TRX and TRC-10)");
    add_chain_flags(account, opts->chain);
    account->add_option("ADDR", opts->address, "base58 or 41-hex address")->required();
    account->callback([&ctx, opts] {
        const auto address = parse_address("ADDR", opts->address);
        auto c = connect(opts->chain);
        const auto b = need(c.account(address, false), "account");
        ctx.out.add("address", address.to_base58());
        ctx.out.add("exists", b.exists);
        ctx.out.add("trx_sun", b.trx);
        ctx.out.add("tokens", b.tokens);
    });

    // `tx` exists already (offline commands): add send-asset to it.
    CLI::App* tx = nullptr;
    for (auto* sub : app.get_subcommands({})) {
        if (sub->get_name() == "tx") tx = sub;
    }
    if (tx == nullptr) tx = app.add_subcommand("tx", "Tron transactions");
    auto* send = tx->add_subcommand("send-asset", "Build, sign and broadcast a TRC-10 transfer; optionally wait");
    add_chain_flags(send, opts->chain);
    add_private_key_options(send, opts->key, "the sender's");
    send->add_option("--to", opts->to, "recipient, base58 or 41-hex")->required();
    send->add_option("--token", opts->token, "TRC-10 token id, e.g. 1002000")->required();
    send->add_option("--amount", opts->amount, "amount in base units")->required();
    send->add_option("--memo", opts->memo, "memo (raw_data.data); costs the memo fee");
    send->add_option("--wait", opts->wait, "none, or solid: wait until solidified (or proven dead)")
        ->check(CLI::IsMember({"none", "solid"}))
        ->capture_default_str();
    send->add_option("--timeout-s", opts->timeout_s, "give up waiting after this long")->capture_default_str();
    send->callback([&ctx, opts] {
        const auto key = load_private_key(opts->key);
        const auto to = parse_address("--to", opts->to);
        const auto amount = parse_positive_amount("--amount", opts->amount);
        auto c = connect(opts->chain);
        // java-tron's own builders: TAPOS from the solidified head, expiration head + 60 s.
        const auto solid = need(c.solid_head(), "solidified head");
        const auto head = need(c.head(), "head");
        const auto built = tron::build_transfer({opts->token, key.address(), to, amount,
                                                 tron::tapos_from_block(solid.number, solid.id),
                                                 head.timestamp + 60'000, head.timestamp, to_bytes(opts->memo)});
        if (!built) fail(ExitCode::Usage, built.error().message());
        const tron::Signature sig[] = {tron::sign_transaction(key, built->txid)};
        const auto outcome = c.broadcast(tron::signed_transaction_bytes(built->raw_data, sig));
        ctx.out.add("txid", to_hex(built->txid));
        ctx.out.add("expiration", head.timestamp + 60'000);
        if (!outcome) {
            // Maybe sent: the txid above is the one to look for.
            ctx.out.add("outcome", "unknown");
            ctx.out.add("reason", outcome.error().message);
            ctx.exit_code = ExitCode::Network;
            return;
        }
        ctx.out.add("outcome", class_name(outcome->kind));
        ctx.out.add("code", outcome->code);
        if (!outcome->message.empty()) ctx.out.add("message", outcome->message);
        if (outcome->kind == tron::BroadcastClass::Final || outcome->kind == tron::BroadcastClass::Rebuild) {
            ctx.exit_code = ExitCode::Invalid;
            return;
        }
        if (outcome->kind == tron::BroadcastClass::RetrySameBytes) {
            ctx.exit_code = ExitCode::Network;
            return;
        }
        if (opts->wait != "solid") return;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opts->timeout_s);
        while (std::chrono::steady_clock::now() < deadline) {
            const auto fate = c.fate(built->txid, head.timestamp + 60'000);
            if (fate && *fate == tron::TxFate::Included) {
                const auto inc = need(c.solid_inclusion(built->txid), "inclusion");
                ctx.out.add("state", "solid");
                if (inc) ctx.out.add("block", inc->block_number);
                return;
            }
            if (fate && *fate == tron::TxFate::Dead) {
                ctx.out.add("state", "dead");
                ctx.exit_code = ExitCode::Invalid;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        ctx.out.add("state", "pending");
        ctx.exit_code = ExitCode::Network;
    });
}

}  // namespace btt::ctl
