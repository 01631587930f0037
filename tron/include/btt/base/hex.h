#pragma once
// Lowercase hex text <-> bytes. Decoding refuses odd lengths and non-hex characters and
// says which; it accepts upper case and an optional "0x" prefix, because wallets and SDKs
// print both.

#include <optional>
#include <string>
#include <string_view>

#include <btt/base/bytes.h>
#include <btt/base/expected.h>

namespace btt {

struct HexError {
    enum class Kind { OddLength, BadCharacter, WrongLength };
    Kind kind;
    std::size_t position = 0;  // BadCharacter: offset in the input; WrongLength: bytes found
    [[nodiscard]] std::string message() const;
};

[[nodiscard]] std::string to_hex(ByteView bytes);

// Returns the decoded bytes, or OddLength / BadCharacter (with the offending position).
[[nodiscard]] Expected<Bytes, HexError> from_hex(std::string_view text);

// Returns exactly N decoded bytes, or the decoding error, or WrongLength.
template <std::size_t N>
[[nodiscard]] Expected<ByteArray<N>, HexError> from_hex_fixed(std::string_view text) {
    auto bytes = from_hex(text);
    if (!bytes) return unexpected(bytes.error());
    if (bytes->size() != N) return unexpected(HexError{HexError::Kind::WrongLength, bytes->size()});
    ByteArray<N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = (*bytes)[i];
    return out;
}

}  // namespace btt
