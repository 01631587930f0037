#include <btt/tron/address.h>

#include <algorithm>
#include <array>

#include <btt/base/hex.h>
#include <btt/tron/hash.h>

namespace btt::tron {

namespace {

constexpr std::string_view kAlphabet =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

constexpr std::array<int, 128> make_alphabet_index() {
    std::array<int, 128> index{};
    for (auto& i : index) i = -1;
    for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
        index[static_cast<std::size_t>(kAlphabet[i])] = static_cast<int>(i);
    }
    return index;
}
constexpr auto kAlphabetIndex = make_alphabet_index();

ByteArray<4> checksum_of(ByteView payload) {
    const Hash32 once = sha256(payload);
    const Hash32 twice = sha256(once);
    return {twice[0], twice[1], twice[2], twice[3]};
}

// Decodes plain base58 (leading '1's are zero bytes).
Expected<Bytes, AddressError> base58_decode(std::string_view text) {
    std::size_t zeros = 0;
    while (zeros < text.size() && text[zeros] == '1') ++zeros;
    Bytes number;  // big-endian, without the leading zeros
    for (std::size_t pos = zeros; pos < text.size(); ++pos) {
        const auto c = static_cast<unsigned char>(text[pos]);
        const int digit = c < 128 ? kAlphabetIndex[c] : -1;
        if (digit < 0) {
            return unexpected(AddressError{AddressError::Kind::BadBase58Character,
                                           "not a base58 character at position " +
                                               std::to_string(pos)});
        }
        unsigned carry = static_cast<unsigned>(digit);
        for (auto it = number.rbegin(); it != number.rend(); ++it) {
            carry += 58u * *it;
            *it = static_cast<std::uint8_t>(carry & 0xff);
            carry >>= 8;
        }
        while (carry > 0) {
            number.insert(number.begin(), static_cast<std::uint8_t>(carry & 0xff));
            carry >>= 8;
        }
    }
    Bytes out(zeros, 0);
    append(out, number);
    return out;
}

}  // namespace

std::string AddressError::message() const {
    switch (kind) {
        case Kind::BadBase58Character:
            return "invalid address: " + detail;
        case Kind::BadChecksum:
            return "invalid address: base58check checksum mismatch" +
                   (detail.empty() ? "" : " (" + detail + ")");
        case Kind::WrongLength:
            return "invalid address: wrong length: " + detail;
        case Kind::WrongPrefix:
            return "invalid address: first byte must be 0x41, " + detail;
        case Kind::BadHex:
            return "invalid address: " + detail;
    }
    return "invalid address";
}

std::string base58_encode(ByteView data) {
    std::size_t zeros = 0;
    while (zeros < data.size() && data[zeros] == 0) ++zeros;
    std::vector<std::uint8_t> digits;  // base 58, little-endian
    for (std::size_t i = zeros; i < data.size(); ++i) {
        unsigned carry = data[i];
        for (auto& d : digits) {
            carry += static_cast<unsigned>(d) << 8;
            d = static_cast<std::uint8_t>(carry % 58);
            carry /= 58;
        }
        while (carry > 0) {
            digits.push_back(static_cast<std::uint8_t>(carry % 58));
            carry /= 58;
        }
    }
    std::string out(zeros, '1');
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) out += kAlphabet[*it];
    return out;
}

std::string base58check_encode(ByteView payload) {
    Bytes with_checksum(payload.begin(), payload.end());
    append(with_checksum, checksum_of(payload));
    return base58_encode(with_checksum);
}

Expected<Bytes, AddressError> base58check_decode(std::string_view text) {
    auto raw = base58_decode(text);
    if (!raw) return unexpected(raw.error());
    if (raw->size() < 4) {
        return unexpected(AddressError{AddressError::Kind::WrongLength,
                                       std::to_string(raw->size()) + " bytes, no room for a checksum"});
    }
    Bytes payload(raw->begin(), raw->end() - 4);
    const auto expected = checksum_of(payload);
    if (!std::equal(expected.begin(), expected.end(), raw->end() - 4)) {
        return unexpected(AddressError{AddressError::Kind::BadChecksum, ""});
    }
    return payload;
}

Expected<TronAddress, AddressError> TronAddress::from_bytes(ByteView bytes) {
    if (bytes.size() != kSize) {
        return unexpected(AddressError{AddressError::Kind::WrongLength,
                                       std::to_string(bytes.size()) + " bytes, expected 21"});
    }
    if (bytes[0] != kPrefix) {
        return unexpected(
            AddressError{AddressError::Kind::WrongPrefix, "found 0x" + btt::to_hex(bytes.first(1))});
    }
    ByteArray<kSize> out{};
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return TronAddress(out);
}

Expected<TronAddress, AddressError> TronAddress::from_base58(std::string_view text) {
    if (text.size() != 34) {
        return unexpected(AddressError{AddressError::Kind::WrongLength,
                                       std::to_string(text.size()) +
                                           " base58 characters, expected 34"});
    }
    auto payload = base58check_decode(text);
    if (!payload) return unexpected(payload.error());
    return from_bytes(*payload);
}

Expected<TronAddress, AddressError> TronAddress::from_hex(std::string_view text) {
    auto bytes = btt::from_hex(text);
    if (!bytes) return unexpected(AddressError{AddressError::Kind::BadHex, bytes.error().message()});
    return from_bytes(*bytes);
}

Expected<TronAddress, AddressError> TronAddress::parse(std::string_view text) {
    // Tron's base58 form always starts with 'T'. Any other 34-character base58 string (a
    // Bitcoin address, say) goes the base58 way too, so the refusal names its real fault
    // (wrong prefix, bad checksum) instead of "not hex".
    const bool base58_shaped =
        text.size() == 34 && std::all_of(text.begin(), text.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u < 128 && kAlphabetIndex[u] >= 0;
        });
    if ((!text.empty() && text[0] == 'T') || base58_shaped) return from_base58(text);
    return from_hex(text);
}

std::string TronAddress::to_base58() const { return base58check_encode(m_bytes); }

std::string TronAddress::to_hex() const { return btt::to_hex(m_bytes); }

}  // namespace btt::tron
