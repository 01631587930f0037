// bttctl tx transfer-asset | transfer | decode | verify: offline Tron transactions,
// byte-exact with java-tron (reference §3, §5, §7). Nothing here touches the network.
#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include <btt/base/hex.h>
#include <btt/ctl/commands.h>
#include <btt/ctl/parse.h>
#include <btt/tron/transaction.h>

namespace btt::ctl {

namespace {

struct Options {
    KeySource key;
    std::string to, token, amount, ref_block_bytes, ref_block_hash, expiration,
        timestamp, memo, memo_hex, raw_data_hex, signature;
};

void add_build_flags(CLI::App* cmd, Options& o, bool with_token) {
    add_private_key_options(cmd, o.key, "the sender's");
    cmd->add_option("--to", o.to, "recipient, base58 (T...) or hex (41...)")->required();
    if (with_token) {
        cmd->add_option("--token", o.token, "TRC-10 token id, e.g. 1002000 (BTT)")->required();
        cmd->add_option("--amount", o.amount, "amount in the token's base units")->required();
    } else {
        cmd->add_option("--amount", o.amount, "amount in sun (1 TRX = 1,000,000 sun)")->required();
    }
    cmd->add_option("--ref-block-bytes", o.ref_block_bytes, "TAPOS: 2 bytes, hex")->required();
    cmd->add_option("--ref-block-hash", o.ref_block_hash, "TAPOS: 8 bytes, hex")->required();
    cmd->add_option("--expiration", o.expiration, "expiration, ms since the epoch")->required();
    cmd->add_option("--timestamp", o.timestamp, "creation time, ms since the epoch")->required();
    auto* memo = cmd->add_option("--memo", o.memo, "memo text (raw_data.data); costs a memo fee");
    cmd->add_option("--memo-hex", o.memo_hex, "memo bytes, hex")->excludes(memo);
}

void build_and_sign(Context& ctx, const Options& o, bool with_token) {
    const auto key = load_private_key(o.key);
    tron::TransferSpec spec{std::nullopt,
                            key.address(),
                            parse_address("--to", o.to),
                            parse_positive_amount("--amount", o.amount),
                            {},
                            parse_non_negative("--expiration", o.expiration),
                            parse_non_negative("--timestamp", o.timestamp),
                            {}};
    if (with_token) spec.token_id = o.token;
    const auto rbb = parse_hex("--ref-block-bytes", o.ref_block_bytes);
    const auto rbh = parse_hex("--ref-block-hash", o.ref_block_hash);
    if (rbb.size() != 2) fail(ExitCode::Usage, "--ref-block-bytes: expected 2 bytes (4 hex digits)");
    if (rbh.size() != 8) fail(ExitCode::Usage, "--ref-block-hash: expected 8 bytes (16 hex digits)");
    std::copy(rbb.begin(), rbb.end(), spec.tapos.ref_block_bytes.begin());
    std::copy(rbh.begin(), rbh.end(), spec.tapos.ref_block_hash.begin());
    spec.memo = o.memo_hex.empty() ? to_bytes(o.memo) : parse_hex("--memo-hex", o.memo_hex);
    if (spec.owner == spec.to) fail(ExitCode::Usage, "--to: cannot transfer to yourself");

    const auto built = tron::build_transfer(spec);
    if (!built) fail(ExitCode::Usage, built.error().message());
    const auto sig = tron::sign_transaction(key, built->txid);
    const tron::Signature sigs[] = {sig};
    ctx.out.add("raw_data_hex", to_hex(built->raw_data));
    ctx.out.add("txid", to_hex(built->txid));
    ctx.out.add("signature", to_hex(sig));
    ctx.out.add("signed_tx_hex", to_hex(tron::signed_transaction_bytes(built->raw_data, sigs)));
}

std::string contract_type_name(int type) {
    switch (type) {
        case 1:
            return "TransferContract";
        case 2:
            return "TransferAssetContract";
        default:
            return fmt::format("ContractType({})", type);
    }
}

// Fields with java-tron's snake_case names; addresses in base58 (java-tron's visible=true).
// Memos are usually text (the channel memos are ASCII): shown as text too when they are
// well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF, as a
// strict decoder such as the SDK's TextDecoder requires); anything else stays hex only.
bool is_utf8(const Bytes& b) {
    for (std::size_t i = 0; i < b.size();) {
        const std::uint8_t c = b[i];
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (n == 0 || i + n > b.size()) return false;
        std::uint32_t cp = n == 1 ? c : c & (0x7f >> n);
        for (std::size_t k = 1; k < n; ++k) {
            if ((b[i + k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (b[i + k] & 0x3fu);
        }
        const std::uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += n;
    }
    return true;
}

void print_decoded(Context& ctx, const tron::DecodedRaw& d) {
    ctx.out.add("txid", to_hex(d.txid));
    ctx.out.add("ref_block_bytes", to_hex(d.ref_block_bytes));
    if (d.ref_block_num != 0) ctx.out.add("ref_block_num", d.ref_block_num);
    ctx.out.add("ref_block_hash", to_hex(d.ref_block_hash));
    ctx.out.add("expiration", d.expiration);
    ctx.out.add("timestamp", d.timestamp);
    ctx.out.add("data", to_hex(d.data));
    if (d.fee_limit != 0) ctx.out.add("fee_limit", d.fee_limit);
    nlohmann::json contracts = nlohmann::json::array();
    for (const auto& c : d.contracts) {
        nlohmann::json value = nlohmann::json::object();
        if (c.token_id) value["asset_name"] = *c.token_id;
        if (c.owner) value["owner_address"] = c.owner->to_base58();
        if (c.to) value["to_address"] = c.to->to_base58();
        if (c.amount) value["amount"] = *c.amount;
        nlohmann::json contract = {{"type", contract_type_name(c.type)},
                                   {"parameter", {{"type_url", c.type_url}, {"value", value}}}};
        if (c.permission_id != 0) contract["Permission_id"] = c.permission_id;
        contracts.push_back(contract);
    }
    ctx.out.add("contract", contracts);
    // The single transfer's fields again at the top, for scripts.
    if (d.contracts.size() == 1) {
        const auto& c = d.contracts[0];
        ctx.out.add("contract_type", contract_type_name(c.type));
        if (c.token_id) ctx.out.add("asset_name", *c.token_id);
        if (c.owner) ctx.out.add("owner_address", c.owner->to_base58());
        if (c.to) ctx.out.add("to_address", c.to->to_base58());
        if (c.amount) ctx.out.add("amount", *c.amount);
        // The wire forms too, as java-tron's JSON (visible=false) shows them.
        if (c.token_id) ctx.out.add("asset_name_hex", to_hex(as_bytes(*c.token_id)));
        if (c.owner) ctx.out.add("owner_address_hex", c.owner->to_hex());
        if (c.to) ctx.out.add("to_address_hex", c.to->to_hex());
    }
    if (!d.data.empty() && is_utf8(d.data)) ctx.out.add("data_text", std::string(d.data.begin(), d.data.end()));
}

tron::DecodedRaw decode_or_fail(const std::string& hex) {
    const auto raw = parse_hex("--raw-data-hex", hex);
    auto decoded = tron::decode_raw_data(raw);
    if (!decoded) fail(ExitCode::Usage, "--raw-data-hex: " + decoded.error().message());
    return std::move(decoded).value();
}

}  // namespace

void add_tx_commands(CLI::App& app, Context& ctx) {
    auto* tx = app.add_subcommand("tx", "Tron transactions: build, sign, decode, verify");
    tx->require_subcommand(1);
    auto opts = std::make_shared<Options>();

    auto* asset = tx->add_subcommand("transfer-asset", "Build and sign a TRC-10 TransferAsset");
    add_build_flags(asset, *opts, true);
    asset->callback([&ctx, opts] { build_and_sign(ctx, *opts, true); });

    auto* trx = tx->add_subcommand("transfer", "Build and sign a TRX Transfer (amount in sun)");
    add_build_flags(trx, *opts, false);
    trx->callback([&ctx, opts] { build_and_sign(ctx, *opts, false); });

    auto* decode = tx->add_subcommand("decode", "Print every field of a raw_data");
    decode->add_option("--raw-data-hex", opts->raw_data_hex, "Transaction.raw bytes, hex")->required();
    decode->callback([&ctx, opts] { print_decoded(ctx, decode_or_fail(opts->raw_data_hex)); });

    auto* verify = tx->add_subcommand(
        "verify", "Recover a transaction's signer; exit 1 unless it is the contract's owner");
    verify->add_option("--raw-data-hex", opts->raw_data_hex, "Transaction.raw bytes, hex")->required();
    verify->add_option("--signature", opts->signature, "65 bytes r||s||v, hex")->required();
    verify->callback([&ctx, opts] {
        const auto decoded = decode_or_fail(opts->raw_data_hex);
        const auto sig = parse_signature("--signature", opts->signature);
        ctx.out.add("txid", to_hex(decoded.txid));
        const auto signer = tron::recover_transaction_signer(decoded.txid, sig);
        if (!signer) {
            ctx.out.add("valid", false);
            ctx.out.add("reason", signer.error().message());
            ctx.exit_code = ExitCode::Invalid;
            return;
        }
        ctx.out.add("signer", signer->to_base58());
        ctx.out.add("signer_hex", signer->to_hex());
        const auto* contract = decoded.contracts.size() == 1 ? &decoded.contracts[0] : nullptr;
        if (contract != nullptr && contract->owner) {
            const bool owner_signed = *contract->owner == *signer;
            ctx.out.add("owner_address", contract->owner->to_base58());
            ctx.out.add("valid", owner_signed);
            if (!owner_signed) {
                ctx.out.add("reason", "the signer is not the contract's owner_address");
                ctx.exit_code = ExitCode::Invalid;
            }
        } else {
            ctx.out.add("valid", true);
        }
    });
}

}  // namespace btt::ctl
