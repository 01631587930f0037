#pragma once
// SHA-256 (txids, block ids, base58check) and original Keccak-256 (addresses, TIP-104).
// Keccak-256 is the pre-NIST padding; NIST SHA3-256 gives different digests and is never
// what Tron means (reference §5.8).

#include <btt/base/bytes.h>

namespace btt::tron {

[[nodiscard]] Hash32 sha256(ByteView data);
[[nodiscard]] Hash32 keccak256(ByteView data);

}  // namespace btt::tron
