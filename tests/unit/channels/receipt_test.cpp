// Batch receipts (DESIGN §3): every receipt of a signed batch verifies; each failure kind
// is reached; single-bit flips of amount, channel, path, root, header and signature are
// refused; so is any key but the receipt key.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include <btt/base/hex.h>
#include <btt/channels/receipt.h>
#include <btt/tron/merkle.h>
#include <btt/tron/tip104.h>

#include "fixtures.h"

namespace {

using namespace btt::channels;
using namespace btt::channels::test;
using btt::Hash32;

const btt::tron::TronAddress& node_address() {
    static const auto address = btt::testkit::node_key().address();
    return address;
}

// A batch of `n` receipts, (channel 0x10+i, amount 1000 * (i + 1)), signed by `signer` as
// the node does: leaves in order, RFC 6962 keccak tree, TIP-104 over the header bytes.
// Returns one receipt per leaf.
std::vector<BatchReceipt> signed_batch(
    std::size_t n, const btt::tron::PrivateKey& signer = btt::testkit::node_key(),
    std::uint64_t seq = 1) {
    std::vector<Hash32> leaves;
    for (std::size_t i = 0; i < n; ++i) {
        leaves.push_back(receipt_leaf_hash(channel_id(static_cast<std::uint8_t>(0x10 + i)),
                                           amt(static_cast<std::int64_t>(1000 * (i + 1)))));
    }
    const btt::tron::MerkleTree tree(leaves);
    btt::tron::BatchHeader header;
    header.seq = seq;
    header.prev_hash.fill(seq == 1 ? 0x00 : 0x5e);
    header.leaf_count = static_cast<std::uint32_t>(n);
    header.root = tree.root();
    const auto signature =
        btt::tron::sign_message_v2(signer, btt::tron::batch_header_message(header));
    std::vector<BatchReceipt> receipts;
    for (std::size_t i = 0; i < n; ++i) {
        receipts.push_back(BatchReceipt{header, signature, static_cast<std::uint32_t>(i),
                                        tree.audit_path(i),
                                        channel_id(static_cast<std::uint8_t>(0x10 + i)),
                                        amt(static_cast<std::int64_t>(1000 * (i + 1)))});
    }
    return receipts;
}

// The failure, or nullopt when the receipt verifies.
std::optional<ReceiptError> failure(const BatchReceipt& r,
                                    const btt::tron::TronAddress& address = node_address()) {
    const auto result = verify_batch_receipt(r, address);
    if (result) return std::nullopt;
    return result.error();
}

template <std::size_t N>
void flip(std::array<std::uint8_t, N>& bytes, std::size_t bit) {
    bytes[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
}

TEST(BatchReceipt, EveryReceiptOfBatchesOfOneTwoThreeAndSevenLeavesVerifies) {
    for (std::size_t n : {1u, 2u, 3u, 7u}) {
        const auto receipts = signed_batch(n);
        ASSERT_EQ(receipts.size(), n);
        for (const auto& r : receipts) {
            EXPECT_EQ(failure(r), std::nullopt) << "leaf " << r.leaf_index << " of " << n;
        }
    }
    // A later batch in the chain verifies the same way.
    EXPECT_EQ(failure(signed_batch(3, btt::testkit::node_key(), 42)[2]), std::nullopt);
}

TEST(BatchReceipt, TheLeafIsTheReceiptMessageThatApplyReturns) {
    const ChannelId c = channel_id(0x33);
    const Amount a = amt(123'456);
    EXPECT_EQ(receipt_leaf_hash(c, a), btt::tron::merkle_leaf_hash(receipt_for(c, a).message,
                                                                    btt::tron::keccak256));
}

TEST(BatchReceipt, AnIndexOutsideTheBatchOrAPathOfTheWrongLengthIsABadPath) {
    const auto receipts = signed_batch(7);
    auto outside = receipts[6];
    outside.leaf_index = 7;
    EXPECT_EQ(failure(outside), ReceiptError::BadPath);
    auto longer = receipts[2];
    longer.path.push_back(longer.header.root);
    EXPECT_EQ(failure(longer), ReceiptError::BadPath);
    auto shorter = receipts[2];
    shorter.path.pop_back();
    EXPECT_EQ(failure(shorter), ReceiptError::BadPath);
    auto empty_batch = signed_batch(1)[0];
    empty_batch.header.leaf_count = 0;
    EXPECT_EQ(failure(empty_batch), ReceiptError::BadPath);
}

TEST(BatchReceipt, AnotherAmountOrChannelIsARootMismatch) {
    const auto receipts = signed_batch(3);
    auto more = receipts[1];
    more.amount = amt(more.amount.value() + 1);
    EXPECT_EQ(failure(more), ReceiptError::RootMismatch);
    auto other = receipts[1];
    other.channel = receipts[0].channel;
    EXPECT_EQ(failure(other), ReceiptError::RootMismatch);
    // Another leaf's index with this leaf's path leads elsewhere too.
    auto moved = receipts[1];
    moved.leaf_index = 0;
    EXPECT_EQ(failure(moved), ReceiptError::RootMismatch);
}

TEST(BatchReceipt, MalformedHighSOrUnrecoverableSignaturesAreBadSignatures) {
    const auto good = signed_batch(2)[0];
    auto bad_v = good;
    bad_v.batch_signature[64] = 5;
    EXPECT_EQ(failure(bad_v), ReceiptError::BadSignature);
    auto zero = good;
    std::fill(zero.batch_signature.begin(), zero.batch_signature.begin() + 64, 0);
    EXPECT_EQ(failure(zero), ReceiptError::BadSignature);
    // s -> n - s with the parity flipped: the malleated twin of the node's signature.
    const auto order = btt::from_hex_fixed<32>(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").value();
    auto high_s = good;
    int borrow = 0;
    for (std::size_t i = 32; i-- > 0;) {
        const int d = order[i] - good.batch_signature[32 + i] - borrow;
        high_s.batch_signature[32 + i] = static_cast<std::uint8_t>(d & 0xff);
        borrow = d < 0;
    }
    high_s.batch_signature[64] = good.batch_signature[64] == 27 ? 28 : 27;
    EXPECT_EQ(failure(high_s), ReceiptError::BadSignature);
    // Recovery bytes 0 and 1 are accepted like 27 and 28.
    auto zero_one = good;
    zero_one.batch_signature[64] = static_cast<std::uint8_t>(good.batch_signature[64] - 27);
    EXPECT_EQ(failure(zero_one), std::nullopt);
}

TEST(BatchReceipt, AnyKeyButTheReceiptKeyIsTheWrongSigner) {
    const auto by_node = signed_batch(3)[1];
    EXPECT_EQ(failure(by_node, btt::testkit::bob().address()), ReceiptError::WrongSigner);
    EXPECT_EQ(failure(by_node, btt::testkit::escrow().address()), ReceiptError::WrongSigner);
    const auto by_bob = signed_batch(3, btt::testkit::bob())[1];
    EXPECT_EQ(failure(by_bob), ReceiptError::WrongSigner);
    EXPECT_EQ(failure(by_bob, btt::testkit::bob().address()), std::nullopt);
}

TEST(BatchReceipt, SingleBitFlipsOfAmountChannelPathRootHeaderOrSignatureAreRefused) {
    const auto good = signed_batch(7)[4];
    ASSERT_EQ(failure(good), std::nullopt);
    ASSERT_EQ(good.path.size(), 3u);
    for (int bit = 0; bit < 63; ++bit) {
        auto r = good;
        r.amount = amt(r.amount.value() ^ (std::int64_t{1} << bit));
        EXPECT_EQ(failure(r), ReceiptError::RootMismatch) << "amount bit " << bit;
    }
    for (std::size_t bit = 0; bit < 256; ++bit) {
        auto r = good;
        Hash32 id = r.channel.bytes();
        flip(id, bit);
        r.channel = ChannelId(id);
        EXPECT_EQ(failure(r), ReceiptError::RootMismatch) << "channel bit " << bit;
    }
    for (std::size_t k = 0; k < good.path.size(); ++k) {
        for (std::size_t bit = 0; bit < 256; ++bit) {
            auto r = good;
            flip(r.path[k], bit);
            EXPECT_EQ(failure(r), ReceiptError::RootMismatch) << "path[" << k << "] bit " << bit;
        }
    }
    for (std::size_t bit = 0; bit < 256; ++bit) {
        auto r = good;
        flip(r.header.root, bit);
        EXPECT_EQ(failure(r), ReceiptError::RootMismatch) << "root bit " << bit;
    }
    for (std::size_t bit = 0; bit < 256; ++bit) {
        auto r = good;
        flip(r.header.prev_hash, bit);
        EXPECT_TRUE(failure(r)) << "prev hash bit " << bit;
    }
    for (int bit = 0; bit < 64; ++bit) {
        auto r = good;
        r.header.seq ^= std::uint64_t{1} << bit;
        EXPECT_TRUE(failure(r)) << "seq bit " << bit;
    }
    for (int bit = 0; bit < 32; ++bit) {
        auto r = good;
        r.header.leaf_count ^= std::uint32_t{1} << bit;
        EXPECT_TRUE(failure(r)) << "leaf count bit " << bit;
    }
    for (std::size_t bit = 0; bit < good.batch_signature.size() * 8; ++bit) {
        auto r = good;
        flip(r.batch_signature, bit);
        EXPECT_TRUE(failure(r)) << "signature bit " << bit;
    }
}

TEST(BatchReceipt, ErrorTokensAreFixed) {
    EXPECT_STREQ(error_token(ReceiptError::BadPath), "bad_path");
    EXPECT_STREQ(error_token(ReceiptError::RootMismatch), "root_mismatch");
    EXPECT_STREQ(error_token(ReceiptError::BadSignature), "bad_signature");
    EXPECT_STREQ(error_token(ReceiptError::WrongSigner), "wrong_signer");
}

}  // namespace
