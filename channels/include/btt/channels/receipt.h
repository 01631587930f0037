#pragma once
// Checking a batch receipt (DESIGN §3 "Receipt", §9 Receipt): the node's signed promise
// that it committed (channel id, amount). The node signs one header per group-commit
// batch; a receipt is that header, its signature, and the audit path from the receipt's
// leaf to the header's root. Anyone holding the node's receipt address can check it, with
// no trust in the node: bttload, bttctl and the tests all call verify_batch_receipt.
//
// Decides: whether a receipt is valid. Leaves to others: building batches and signing
// them (node/), checking the chain of batch headers (prev_hash) across batches.

#include <cstdint>
#include <vector>

#include <btt/base/bytes.h>
#include <btt/base/expected.h>
#include <btt/channels/amount.h>
#include <btt/channels/ids.h>
#include <btt/tron/address.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/keys.h>

namespace btt::channels {

struct BatchReceipt {
    tron::BatchHeader header;
    tron::Signature batch_signature{};  // TIP-104 over batch_header_message(header)
    std::uint32_t leaf_index = 0;       // the receipt's leaf within the batch
    std::vector<Hash32> path;           // RFC 6962 audit path, leaf to root
    ChannelId channel;
    Amount amount;                      // the cumulative amount the receipt commits to
};

enum class ReceiptError {
    BadPath,       // leaf_index >= leaf_count, or the path's length does not fit the tree
    RootMismatch,  // the leaf and path lead to another root than the header's
    BadSignature,  // malformed, high-S, or no key recovers
    WrongSigner,   // the header is signed, but not by the receipt key
};

// "bad_path", "root_mismatch", "bad_signature", "wrong_signer".
[[nodiscard]] const char* error_token(ReceiptError e) noexcept;

// The Merkle leaf hash of the receipt for (channel, amount):
// keccak256(0x00 || "BTT-RECEIPT-V1" || channel id || amount (uint64 big-endian)).
[[nodiscard]] Hash32 receipt_leaf_hash(const ChannelId& channel, Amount amount);

// Returns nothing when the receipt holds: the leaf of (channel, amount) at leaf_index leads
// through `path` to header.root, and the TIP-104 signature over the 88 header bytes
// recovers (high-S refused) to `receipt_address`. Otherwise the first failure, in the
// order BadPath, RootMismatch, BadSignature, WrongSigner. No I/O.
[[nodiscard]] Expected<void, ReceiptError> verify_batch_receipt(
    const BatchReceipt& receipt, const tron::TronAddress& receipt_address);

}  // namespace btt::channels
