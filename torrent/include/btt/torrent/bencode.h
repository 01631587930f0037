#pragma once
// The small bencoding (BEP 3) that btt_pay messages use: one dictionary whose values are
// integers or byte strings, nothing nested. Decoding is strict (canonical integers, keys
// sorted and unique, no trailing bytes, bounded size) because every byte comes from a
// stranger on the swarm. Pure: no I/O.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include <btt/base/expected.h>

namespace btt::torrent {

using BValue = std::variant<std::int64_t, std::string>;
using BDict = std::map<std::string, BValue>;

// Larger input is refused before parsing: no btt_pay message comes near it.
inline constexpr std::size_t kMaxBencodedSize = 4096;

enum class BencodeError {
    TooLong,        // more than kMaxBencodedSize bytes
    NotADict,       // does not start with 'd'
    Truncated,      // ends inside a value
    BadInteger,     // not i<canonical decimal>e, or out of int64 range
    BadLength,      // a string length that is not canonical decimal or runs past the end
    UnsortedKeys,   // keys not in strictly increasing byte order (duplicates included)
    NestedValue,    // a list or dictionary as a value
    TrailingBytes,  // bytes after the dictionary's end
};

[[nodiscard]] std::string_view to_token(BencodeError e);

// Keys come out sorted (std::map), as BEP 3 demands.
[[nodiscard]] std::string bencode(const BDict& dict);

// The dictionary, or the first reason the input is not a flat canonical one.
[[nodiscard]] Expected<BDict, BencodeError> bdecode_flat_dict(std::string_view input);

}  // namespace btt::torrent
