#include <btt/base/hex.h>

#include <fmt/format.h>

namespace btt {

std::string HexError::message() const {
    switch (kind) {
        case Kind::OddLength:
            return "hex text has an odd number of digits";
        case Kind::BadCharacter:
            return fmt::format("not a hex digit at position {}", position);
        case Kind::WrongLength:
            return fmt::format("wrong length: {} bytes", position);
    }
    return "bad hex";
}

std::string to_hex(ByteView bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(bytes.size() * 2, '0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        out[2 * i] = kDigits[bytes[i] >> 4];
        out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
    }
    return out;
}

namespace {
int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

Expected<Bytes, HexError> from_hex(std::string_view text) {
    std::size_t offset = 0;
    if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) offset = 2;
    const std::string_view digits = text.substr(offset);
    if (digits.size() % 2 != 0) return unexpected(HexError{HexError::Kind::OddLength});
    Bytes out(digits.size() / 2);
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        const int hi = digit_value(digits[i]);
        if (hi < 0) return unexpected(HexError{HexError::Kind::BadCharacter, offset + i});
        const int lo = digit_value(digits[i + 1]);
        if (lo < 0) return unexpected(HexError{HexError::Kind::BadCharacter, offset + i + 1});
        out[i / 2] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return out;
}

}  // namespace btt
