// bttctl message sign|verify (TIP-104 signMessageV2) and proof sign|verify (the
// BTT-CHANNEL-V1 balance proof of DESIGN §3, built by tron's one builder).
#include <memory>
#include <optional>

#include <fmt/format.h>

#include <btt/base/hex.h>
#include <btt/channels/proof.h>
#include <btt/channels/reject.h>
#include <btt/ctl/commands.h>
#include <btt/ctl/parse.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

namespace btt::ctl {

namespace {

struct Options {
    KeySource key;
    std::string payload_hex, signature, channel, amount, expected_signer;
    std::optional<std::string> message;  // set, even to "", when --message was given
    bool has_payload_hex = false;
};

// The payload as bytes: --payload-hex, or --message taken as UTF-8 text (what TronWeb's
// signMessageV2 does with a string). Exactly one of them.
void add_payload_options(CLI::App* cmd, Options& o) {
    auto* hex = cmd->add_option_function<std::string>(
        "--payload-hex",
        [&o](const std::string& v) {
            o.payload_hex = v;
            o.has_payload_hex = true;
        },
        "the message bytes, hex (may be empty)");
    cmd->add_option("--message", o.message, "the message as UTF-8 text (instead of --payload-hex)")
        ->excludes(hex);
}

Bytes payload_of(const Options& o) {
    if (o.message)
        return to_bytes(*o.message);
    if (!o.has_payload_hex)
        fail(ExitCode::Usage, "give --payload-hex or --message");
    return parse_hex("--payload-hex", o.payload_hex);
}

// Prints the signer, or marks the result invalid (exit 1) with the reason.
void report_signer(Context& ctx, const Expected<tron::TronAddress, tron::SignatureError>& signer,
                   const std::string& expected) {
    if (!signer) {
        ctx.out.add("valid", false);
        ctx.out.add("reason", signer.error().message());
        ctx.exit_code = ExitCode::Invalid;
        return;
    }
    ctx.out.add("signer", signer->to_base58());
    ctx.out.add("signer_hex", signer->to_hex());
    const bool matches =
        expected.empty() || parse_address("--expected-signer", expected) == *signer;
    ctx.out.add("valid", matches);
    if (!matches) {
        ctx.out.add("reason", "signer is not the expected address");
        ctx.exit_code = ExitCode::Invalid;
    }
}

}  // namespace

void add_message_commands(CLI::App& app, Context& ctx) {
    auto* message = app.add_subcommand("message", "TIP-104 message signatures (signMessageV2)");
    message->require_subcommand(1);
    auto opts = std::make_shared<Options>();

    auto* sign = message->add_subcommand("sign", "Sign a payload as TronWeb's signMessageV2");
    add_private_key_options(sign, opts->key, "the signer's");
    add_payload_options(sign, *opts);
    sign->callback([&ctx, opts] {
        const auto key = load_private_key(opts->key);
        const auto payload = payload_of(*opts);
        ctx.out.add("digest", to_hex(tron::tip104_digest(payload)));
        ctx.out.add("signature", to_hex(tron::sign_message_v2(key, payload)));
        ctx.out.add("signer", key.address().to_base58());
    });

    auto* verify = message->add_subcommand(
        "verify", "Recover the signer of a signMessageV2 signature (exit 1 if none)");
    add_payload_options(verify, *opts);
    verify->add_option("--signature", opts->signature, "65 bytes r||s||v, hex")->required();
    verify->add_option("--expected-signer", opts->expected_signer, "exit 1 unless this signed");
    verify->callback([&ctx, opts] {
        const auto payload = payload_of(*opts);
        const auto sig = parse_signature("--signature", opts->signature);
        ctx.out.add("digest", to_hex(tron::tip104_digest(payload)));
        report_signer(ctx, tron::recover_message_v2(payload, sig), opts->expected_signer);
    });
}

void add_proof_commands(CLI::App& app, Context& ctx) {
    auto* proof = app.add_subcommand("proof", "Channel balance proofs (BTT-CHANNEL-V1)");
    proof->require_subcommand(1);
    auto opts = std::make_shared<Options>();

    auto* sign = proof->add_subcommand("sign", "Sign a cumulative balance proof as the payer");
    add_private_key_options(sign, opts->key, "the payer's");
    sign->add_option("--channel", opts->channel, "channel id (funding txid), 64 hex digits")
        ->required();
    sign->add_option("--amount", opts->amount, "cumulative amount, base units, 1..2^63-1")
        ->required();
    sign->callback([&ctx, opts] {
        const auto key = load_private_key(opts->key);
        const auto channel = parse_hash32("--channel", opts->channel);
        const auto amount = parse_positive_amount("--amount", opts->amount);
        const auto msg = tron::balance_proof_message(channel, static_cast<std::uint64_t>(amount));
        ctx.out.add("message_hex", to_hex(msg));
        ctx.out.add("signature", to_hex(tron::sign_message_v2(key, msg)));
        ctx.out.add("signer", key.address().to_base58());
    });

    auto* verify = proof->add_subcommand(
        "verify", "Recover a balance proof's signer (exit 1 if invalid or high-S)");
    verify->add_option("--channel", opts->channel, "channel id, 64 hex digits")->required();
    verify->add_option("--amount", opts->amount, "cumulative amount, base units")->required();
    verify->add_option("--signature", opts->signature, "65 bytes r||s||v, hex")->required();
    verify->add_option("--expected-signer", opts->expected_signer, "exit 1 unless this signed");
    verify->callback([&ctx, opts] {
        const auto channel = parse_hash32("--channel", opts->channel);
        const auto amount = parse_positive_amount("--amount", opts->amount);
        const auto sig = parse_signature("--signature", opts->signature);
        const auto msg = tron::balance_proof_message(channel, static_cast<std::uint64_t>(amount));
        ctx.out.add("message_hex", to_hex(msg));
        // The node's own rule (channels::check_proof), so bttctl never accepts a proof the
        // node refuses or the other way round (issue 12).
        const auto checked = channels::check_proof({Bytes(channel.begin(), channel.end()),
                                                    static_cast<std::uint64_t>(amount),
                                                    Bytes(sig.begin(), sig.end())});
        if (!checked) {
            std::string reason = std::string(channels::token_of(checked.error())) + ": " +
                                 std::string(channels::sentence_of(checked.error()));
            // Why no key recovers (e.g. high S), for people; the verdict is check_proof's.
            if (const auto why = tron::recover_message_v2(msg, sig, tron::SPolicy::RefuseHighS);
                !why) {
                reason += " (" + why.error().message() + ")";
            }
            ctx.out.add("valid", false);
            ctx.out.add("reason", reason);
            ctx.exit_code = ExitCode::Invalid;
            return;
        }
        report_signer(ctx, checked->signer, opts->expected_signer);
    });
}

}  // namespace btt::ctl
