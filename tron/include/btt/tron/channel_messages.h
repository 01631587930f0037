#pragma once
// The only place the bytes of the project's signed channel messages are built (DESIGN §3,
// §8). The payer signs balance proofs, payer or payee sign close requests, the node signs
// batch headers whose Merkle leaves are receipts (merkle.h); all through TIP-104
// (tip104.h). Signer and verifier call these same functions.
// The domain strings and layouts are wire formats: never change them.

#include <cstdint>
#include <string_view>

#include <btt/base/bytes.h>

namespace btt::tron {

inline constexpr std::string_view kBalanceProofDomain = "BTT-CHANNEL-V1";
inline constexpr std::string_view kReceiptDomain = "BTT-RECEIPT-V1";
inline constexpr std::string_view kCloseDomain = "BTT-CLOSE-V1";
inline constexpr std::string_view kBatchDomain = "BTT-BATCH-V1";

// "BTT-CHANNEL-V1" || channel id (32) || cumulative amount (uint64 big-endian): 54 bytes.
[[nodiscard]] Bytes balance_proof_message(const Hash32& channel_id, std::uint64_t cumulative_amount);
// "BTT-RECEIPT-V1" || channel id (32) || cumulative amount (uint64 big-endian): 54 bytes.
[[nodiscard]] Bytes receipt_message(const Hash32& channel_id, std::uint64_t cumulative_amount);
// "BTT-CLOSE-V1" || channel id (32): 44 bytes.
[[nodiscard]] Bytes close_message(const Hash32& channel_id);

// One group-commit batch of receipts (DESIGN §3): batches are numbered 1, 2, 3, … without
// gaps and each names the hash of the one before, so the node's history is a hash chain
// (as Certificate Transparency's signed tree heads).
struct BatchHeader {
    std::uint64_t seq = 0;
    Hash32 prev_hash{};  // batch_hash of batch seq - 1; zeros for seq 1
    std::uint32_t leaf_count = 0;
    Hash32 root{};       // RFC 6962 root over the batch's receipt leaves, keccak256
};

// "BTT-BATCH-V1" || seq (uint64 big-endian) || previous batch hash (32) ||
// leaf count (uint32 big-endian) || root (32): 88 bytes. The node signs these raw bytes.
[[nodiscard]] Bytes batch_header_message(const BatchHeader& header);
// keccak256(batch_header_message(header)): what the next batch's prev_hash holds.
[[nodiscard]] Hash32 batch_hash(const BatchHeader& header);

}  // namespace btt::tron
