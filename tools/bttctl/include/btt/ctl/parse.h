#pragma once
// Turning command-line text into validated values, failing with exit code 2 and a
// sentence that names the flag and what is wrong with it.

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include <btt/base/bytes.h>
#include <btt/tron/address.h>
#include <btt/tron/keys.h>

namespace btt::ctl {

[[nodiscard]] tron::PrivateKey parse_private_key(const std::string& flag, const std::string& text);

// A private key given as --private-key HEX or --private-key-file F (64 hex + optional
// newline, mode 0600 or stricter; keeps the key out of process listings and shell history).
struct KeySource {
    std::string hex;
    std::string file;
};
void add_private_key_options(CLI::App* cmd, KeySource& source, const std::string& whose);
// Fails with exit 2 when neither or a bad one is given.
[[nodiscard]] tron::PrivateKey load_private_key(const KeySource& source);
[[nodiscard]] tron::TronAddress parse_address(const std::string& flag, const std::string& text);
[[nodiscard]] Bytes parse_hex(const std::string& flag, const std::string& text);
[[nodiscard]] Hash32 parse_hash32(const std::string& flag, const std::string& text);
[[nodiscard]] tron::Signature parse_signature(const std::string& flag, const std::string& text);
// Decimal, no sign, 1 .. 2^63-1 (amounts are int64 on chain).
[[nodiscard]] std::int64_t parse_positive_amount(const std::string& flag, const std::string& text);
// Decimal, no sign, 0 .. 2^63-1 (times in ms).
[[nodiscard]] std::int64_t parse_non_negative(const std::string& flag, const std::string& text);

}  // namespace btt::ctl
