#include <btt/channels/receipt.h>

#include <btt/tron/hash.h>
#include <btt/tron/merkle.h>
#include <btt/tron/tip104.h>

namespace btt::channels {

const char* error_token(ReceiptError e) noexcept {
    switch (e) {
        case ReceiptError::BadPath: return "bad_path";
        case ReceiptError::RootMismatch: return "root_mismatch";
        case ReceiptError::BadSignature: return "bad_signature";
        case ReceiptError::WrongSigner: return "wrong_signer";
    }
    return "unknown";
}

Hash32 receipt_leaf_hash(const ChannelId& channel, Amount amount) {
    const auto data =
        tron::receipt_message(channel.bytes(), static_cast<std::uint64_t>(amount.value()));
    return tron::merkle_leaf_hash(data, tron::keccak256);
}

Expected<void, ReceiptError> verify_batch_receipt(const BatchReceipt& receipt,
                                                  const tron::TronAddress& receipt_address) {
    // The path is checked first: it costs a few hashes, the signature an EC recovery.
    const auto root = tron::merkle_root_from_path(
        receipt_leaf_hash(receipt.channel, receipt.amount), receipt.leaf_index,
        receipt.header.leaf_count, receipt.path, tron::keccak256);
    if (!root) return unexpected(ReceiptError::BadPath);
    if (*root != receipt.header.root) return unexpected(ReceiptError::RootMismatch);
    // The signature covers the raw header bytes, not the batch hash (DESIGN §9), so any
    // Tron wallet's verifyMessageV2 can check it. High-S is refused (DESIGN §8).
    const auto signer = tron::recover_message_v2(tron::batch_header_message(receipt.header),
                                                 receipt.batch_signature,
                                                 tron::SPolicy::RefuseHighS);
    if (!signer) return unexpected(ReceiptError::BadSignature);
    if (*signer != receipt_address) return unexpected(ReceiptError::WrongSigner);
    return {};
}

}  // namespace btt::channels
