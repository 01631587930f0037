#pragma once
// Turning command-line text into validated values, failing with exit code 2 and a
// sentence that names the flag and what is wrong with it.

#include <cstdint>
#include <string>

#include <btt/base/bytes.h>
#include <btt/tron/address.h>
#include <btt/tron/keys.h>

namespace btt::ctl {

[[nodiscard]] tron::PrivateKey parse_private_key(const std::string& flag, const std::string& text);
[[nodiscard]] tron::TronAddress parse_address(const std::string& flag, const std::string& text);
[[nodiscard]] Bytes parse_hex(const std::string& flag, const std::string& text);
[[nodiscard]] Hash32 parse_hash32(const std::string& flag, const std::string& text);
[[nodiscard]] tron::Signature parse_signature(const std::string& flag, const std::string& text);
// Decimal, no sign, 1 .. 2^63-1 (amounts are int64 on chain).
[[nodiscard]] std::int64_t parse_positive_amount(const std::string& flag, const std::string& text);
// Decimal, no sign, 0 .. 2^63-1 (times in ms).
[[nodiscard]] std::int64_t parse_non_negative(const std::string& flag, const std::string& text);

}  // namespace btt::ctl
