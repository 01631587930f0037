#pragma once
// The only place the bytes of the project's signed channel messages are built (DESIGN §3,
// §8). The payer signs balance proofs, the node signs receipts, payer or payee sign close
// requests; all through TIP-104 (tip104.h). Signer and verifier call these same functions.
// The domain strings and layouts are wire formats: never change them.

#include <cstdint>
#include <string_view>

#include <btt/base/bytes.h>

namespace btt::tron {

inline constexpr std::string_view kBalanceProofDomain = "BTT-CHANNEL-V1";
inline constexpr std::string_view kReceiptDomain = "BTT-RECEIPT-V1";
inline constexpr std::string_view kCloseDomain = "BTT-CLOSE-V1";

// "BTT-CHANNEL-V1" || channel id (32) || cumulative amount (uint64 big-endian): 54 bytes.
[[nodiscard]] Bytes balance_proof_message(const Hash32& channel_id, std::uint64_t cumulative_amount);
// "BTT-RECEIPT-V1" || channel id (32) || cumulative amount (uint64 big-endian): 54 bytes.
[[nodiscard]] Bytes receipt_message(const Hash32& channel_id, std::uint64_t cumulative_amount);
// "BTT-CLOSE-V1" || channel id (32): 44 bytes.
[[nodiscard]] Bytes close_message(const Hash32& channel_id);

}  // namespace btt::tron
