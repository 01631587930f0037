#pragma once
// Byte containers used across the project. Fixed-size values (hashes, keys, addresses)
// are std::array so their size is part of the type.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace btt {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
template <std::size_t N>
using ByteArray = std::array<std::uint8_t, N>;

using Hash32 = ByteArray<32>;

// The bytes of an ASCII/UTF-8 string, as they go on the wire.
[[nodiscard]] inline ByteView as_bytes(std::string_view text) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

[[nodiscard]] inline Bytes to_bytes(std::string_view text) {
    const auto view = as_bytes(text);
    return Bytes(view.begin(), view.end());
}

inline void append(Bytes& out, ByteView more) { out.insert(out.end(), more.begin(), more.end()); }

}  // namespace btt
