// bttctl key new | key address: keys and their Tron addresses.
#include <memory>

#include <btt/base/hex.h>
#include <btt/ctl/commands.h>
#include <btt/ctl/parse.h>
#include <btt/tron/io/random.h>

namespace btt::ctl {

namespace {
void add_key_fields(Output& out, const tron::PublicKey& key) {
    out.add("public_key", to_hex(key.uncompressed));
    out.add("address", key.address().to_base58());
    out.add("address_hex", key.address().to_hex());
}
}  // namespace

void add_key_commands(CLI::App& app, Context& ctx) {
    auto* key = app.add_subcommand("key", "Keys and Tron addresses");
    key->require_subcommand(1);

    key->add_subcommand("new", "Generate a private key from OS randomness (printed: keep it safe)")
        ->callback([&ctx] {
            const auto k = tron::io::generate_private_key();
            ctx.out.add("private_key", k.to_hex());
            add_key_fields(ctx.out, k.public_key());
        });

    struct Options {
        KeySource key;
        std::string public_key;
    };
    auto opts = std::make_shared<Options>();
    auto* address = key->add_subcommand("address", "Address of a private or public key");
    add_private_key_options(address, opts->key, "a");
    address->add_option(
        "--public-key", opts->public_key,
        "public key, hex: 33 bytes compressed, 65 uncompressed (04...) or 64 (X||Y)");
    address->callback([&ctx, opts] {
        if (!opts->key.hex.empty() || !opts->key.file.empty()) {
            if (!opts->public_key.empty()) fail(ExitCode::Usage, "give a private key or --public-key, not both");
            const auto k = load_private_key(opts->key);
            // Echo the key only when it was typed in; never copy a key file to stdout.
            if (opts->key.file.empty()) ctx.out.add("private_key", k.to_hex());
            add_key_fields(ctx.out, k.public_key());
        } else if (!opts->public_key.empty()) {
            auto pub = tron::PublicKey::parse(parse_hex("--public-key", opts->public_key));
            if (!pub) fail(ExitCode::Usage, "--public-key: " + pub.error().message());
            add_key_fields(ctx.out, *pub);
        } else {
            fail(ExitCode::Usage, "give --private-key, --private-key-file or --public-key");
        }
    });
}

}  // namespace btt::ctl
