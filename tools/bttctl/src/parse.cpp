#include <btt/ctl/parse.h>

#include <charconv>
#include <limits>

#include <fmt/format.h>

#include <btt/base/hex.h>
#include <btt/ctl/context.h>
#include <btt/tron/io/key_file.h>

namespace btt::ctl {

tron::PrivateKey parse_private_key(const std::string& flag, const std::string& text) {
    auto key = tron::PrivateKey::from_hex(text);
    if (!key) fail(ExitCode::Usage, fmt::format("{}: {}", flag, key.error().message()));
    return std::move(key).value();
}

void add_private_key_options(CLI::App* cmd, KeySource& source, const std::string& whose) {
    auto* hex = cmd->add_option("--private-key", source.hex, whose + " private key, 64 hex digits");
    auto* file = cmd->add_option("--private-key-file", source.file,
                                 whose + " private key file (64 hex digits, mode 0600)");
    hex->excludes(file);
}

tron::PrivateKey load_private_key(const KeySource& source) {
    if (!source.file.empty()) {
        auto key = tron::io::read_private_key_file(source.file);
        if (!key) fail(ExitCode::Usage, "--private-key-file: " + key.error().message());
        return std::move(key).value();
    }
    if (source.hex.empty()) fail(ExitCode::Usage, "give --private-key or --private-key-file");
    return parse_private_key("--private-key", source.hex);
}

tron::TronAddress parse_address(const std::string& flag, const std::string& text) {
    auto address = tron::TronAddress::parse(text);
    if (!address) fail(ExitCode::Usage, fmt::format("{}: {}", flag, address.error().message()));
    return *address;
}

Bytes parse_hex(const std::string& flag, const std::string& text) {
    auto bytes = btt::from_hex(text);
    if (!bytes) fail(ExitCode::Usage, fmt::format("{}: {}", flag, bytes.error().message()));
    return std::move(bytes).value();
}

Hash32 parse_hash32(const std::string& flag, const std::string& text) {
    const Bytes bytes = parse_hex(flag, text);
    if (bytes.size() != 32) {
        fail(ExitCode::Usage, fmt::format("{}: expected 32 bytes (64 hex digits), got {}", flag,
                                          bytes.size()));
    }
    Hash32 out{};
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
}

tron::Signature parse_signature(const std::string& flag, const std::string& text) {
    const Bytes bytes = parse_hex(flag, text);
    if (bytes.size() != 65) {
        fail(ExitCode::Usage, fmt::format("{}: a signature is 65 bytes (r || s || v, 130 hex "
                                          "digits), got {}",
                                          flag, bytes.size()));
    }
    tron::Signature out{};
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
}

namespace {
std::int64_t parse_decimal(const std::string& flag, const std::string& text, std::int64_t min) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
        fail(ExitCode::Usage,
             fmt::format("{}: '{}' is not a whole number{}", flag, text,
                         !text.empty() && text[0] == '-' ? " (negative values are not allowed)" : ""));
    }
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range) {
        fail(ExitCode::Usage, fmt::format("{}: {} is larger than the maximum {}", flag, text,
                                          std::numeric_limits<std::int64_t>::max()));
    }
    if (ec != std::errc() || end != text.data() + text.size()) {
        fail(ExitCode::Usage, fmt::format("{}: '{}' is not a whole number", flag, text));
    }
    if (value < min) fail(ExitCode::Usage, fmt::format("{}: must be at least {}", flag, min));
    return value;
}
}  // namespace

std::int64_t parse_positive_amount(const std::string& flag, const std::string& text) {
    return parse_decimal(flag, text, 1);
}

std::int64_t parse_non_negative(const std::string& flag, const std::string& text) {
    return parse_decimal(flag, text, 0);
}

}  // namespace btt::ctl
