#pragma once
// Tron addresses: 21 bytes, 0x41 followed by the last 20 bytes of keccak256(X || Y) of the
// public key (reference §5.8). Text forms: base58check (34 characters, starting with 'T')
// and hex ("41" + 40 digits). Built only by the validating parsers below, so a TronAddress
// in hand always has the right length and prefix.

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include <btt/base/bytes.h>
#include <btt/base/expected.h>

namespace btt::tron {

struct AddressError {
    enum class Kind {
        BadBase58Character,  // a character outside the Bitcoin base58 alphabet
        BadChecksum,         // base58check's 4-byte checksum does not match
        WrongLength,         // not 21 bytes (or not 34 base58 / 42 hex characters)
        WrongPrefix,         // first byte is not 0x41
        BadHex,              // hex form with a non-hex digit or an odd length
    };
    Kind kind;
    std::string detail;
    [[nodiscard]] std::string message() const;
};

class TronAddress {
public:
    static constexpr std::uint8_t kPrefix = 0x41;
    static constexpr std::size_t kSize = 21;

    // The zero address 41 00..00 (T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb): well-formed, owned by
    // no known key. Lets aggregates holding addresses be default-constructed.
    TronAddress() { m_bytes[0] = kPrefix; }

    // Each returns the address or says precisely what is wrong with the input.
    [[nodiscard]] static Expected<TronAddress, AddressError> from_base58(std::string_view text);
    [[nodiscard]] static Expected<TronAddress, AddressError> from_hex(std::string_view text);
    [[nodiscard]] static Expected<TronAddress, AddressError> from_bytes(ByteView bytes);
    // Base58check when the text starts with 'T' or is 34 base58 characters, hex otherwise
    // ("41" + 40 digits, optional 0x).
    [[nodiscard]] static Expected<TronAddress, AddressError> parse(std::string_view text);

    [[nodiscard]] std::string to_base58() const;
    [[nodiscard]] std::string to_hex() const;
    [[nodiscard]] const ByteArray<kSize>& bytes() const noexcept { return m_bytes; }

    auto operator<=>(const TronAddress&) const = default;

private:
    explicit TronAddress(const ByteArray<kSize>& bytes) : m_bytes(bytes) {}
    ByteArray<kSize> m_bytes{};
};

// Base58 (Bitcoin alphabet) without and with the 4-byte double-SHA-256 checksum.
[[nodiscard]] std::string base58_encode(ByteView data);
[[nodiscard]] std::string base58check_encode(ByteView payload);
// Returns the payload (checksum removed and verified) or BadBase58Character / BadChecksum /
// WrongLength (shorter than a checksum).
[[nodiscard]] Expected<Bytes, AddressError> base58check_decode(std::string_view text);

}  // namespace btt::tron

template <>
struct std::hash<btt::tron::TronAddress> {
    std::size_t operator()(const btt::tron::TronAddress& a) const noexcept {
        std::size_t h = 0;
        for (const auto b : a.bytes()) h = h * 131 + b;
        return h;
    }
};
