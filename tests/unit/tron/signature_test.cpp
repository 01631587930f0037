// Keys, signatures and recovery: round trips, the accepted v bytes of each rule set,
// high-S handling, and single-bit flips.
#include <gtest/gtest.h>

#include <btt/base/hex.h>
#include <btt/testkit/seeded_rng.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/keys.h>
#include <btt/tron/tip104.h>

namespace {

using namespace btt::tron;

const btt::ByteArray<32> kOrder = btt::from_hex_fixed<32>(
    "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").value();

PrivateKey key_from_seed(btt::testkit::SeededRng& rng) {
    for (;;) {
        auto k = PrivateKey::from_bytes(rng.array<32>());
        if (k) return std::move(k).value();
    }
}

// The same signature with s replaced by n - s and the recovery parity flipped: valid
// ECDSA, but malleated (high-S).
Signature malleate(const Signature& sig) {
    Signature out = sig;
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
        const int d = kOrder[static_cast<std::size_t>(i)] - sig[static_cast<std::size_t>(32 + i)] - borrow;
        out[static_cast<std::size_t>(32 + i)] = static_cast<std::uint8_t>(d & 0xff);
        borrow = d < 0 ? 1 : 0;
    }
    out[64] = sig[64] == 27 ? 28 : 27;
    return out;
}

TEST(Keys, RefuseOutOfRangeAndWrongLength) {
    EXPECT_EQ(PrivateKey::from_hex(std::string(64, '0')).error().kind, KeyError::Kind::OutOfRange);
    EXPECT_EQ(PrivateKey::from_bytes(kOrder).error().kind, KeyError::Kind::OutOfRange);
    EXPECT_EQ(PrivateKey::from_hex(std::string(62, '1')).error().kind, KeyError::Kind::WrongLength);
    EXPECT_EQ(PrivateKey::from_hex(std::string(63, '1') + "x").error().kind, KeyError::Kind::BadHex);
    EXPECT_TRUE(PrivateKey::from_hex(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"));  // n - 1
}

TEST(Keys, PublicKeyParsingRefusesPointsOffTheCurve) {
    btt::Bytes bad(33, 0);
    bad[0] = 0x02;
    bad[32] = 0x07;  // x = 7: no curve point has it
    EXPECT_EQ(PublicKey::parse(bad).error().kind, KeyError::Kind::BadPublicKey);
    EXPECT_EQ(PublicKey::parse(btt::Bytes(63, 1)).error().kind, KeyError::Kind::WrongLength);
    EXPECT_EQ(PublicKey::parse(btt::Bytes(64, 1)).error().kind, KeyError::Kind::BadPublicKey);
}

TEST(Keys, PublicKeyFormsOfOneKeyGiveOneAddress) {
    const auto key = PrivateKey::from_hex(std::string(63, '0') + "7").value();
    const auto full = key.public_key().uncompressed;
    const btt::ByteView xy = btt::ByteView(full).subspan(1);  // 64 bytes, no 04 marker
    const auto compressed = key.public_key().compressed();
    for (const btt::ByteView form : {btt::ByteView(full), xy, btt::ByteView(compressed)}) {
        const auto pub = PublicKey::parse(form);
        ASSERT_TRUE(pub) << form.size();
        EXPECT_EQ(pub->address(), key.address()) << form.size();
        EXPECT_EQ(pub->uncompressed, full) << form.size();
    }
}

TEST(Signatures, SignThenRecoverGivesTheSignerForRandomKeysAndMessages) {
    btt::testkit::SeededRng rng;
    for (int i = 0; i < 300; ++i) {
        const auto key = key_from_seed(rng);
        const auto message = rng.bytes(rng.uniform(0, 200));
        const Signature sig = sign_message_v2(key, message);
        EXPECT_TRUE(sig[64] == 27 || sig[64] == 28);
        EXPECT_FALSE(is_high_s(sig));
        EXPECT_EQ(recover_message_v2(message, sig).value(), key.address());
        EXPECT_EQ(sign_message_v2(key, message), sig);  // RFC 6979: deterministic
    }
}

TEST(Signatures, MessageRulesAcceptZeroOneAndTwentySevenTwentyEight) {
    const auto key = PrivateKey::from_hex(std::string(63, '0') + "3").value();
    const auto msg = btt::to_bytes("v byte");
    Signature sig = sign_message_v2(key, msg);
    Signature raw = sig;
    raw[64] = static_cast<std::uint8_t>(sig[64] - 27);
    EXPECT_EQ(recover_message_v2(msg, raw).value(), key.address());
    for (int v : {2, 3, 26, 29, 30, 31, 35, 255}) {
        Signature other = sig;
        other[64] = static_cast<std::uint8_t>(v);
        const auto r = recover_message_v2(msg, other);
        ASSERT_FALSE(r) << v;
        EXPECT_EQ(r.error().kind, SignatureError::Kind::BadRecoveryByte);
    }
}

TEST(Signatures, HighSIsRefusedForMessagesAndAcceptedForTransactions) {
    btt::testkit::SeededRng rng;
    for (int i = 0; i < 50; ++i) {
        const auto key = key_from_seed(rng);
        const auto digest = rng.array<32>();
        const Signature low = key.sign_digest(digest);
        const Signature high = malleate(low);
        ASSERT_TRUE(is_high_s(high));
        const auto refused = recover_signer(digest, high, SPolicy::RefuseHighS);
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().kind, SignatureError::Kind::HighS);
        // The malleated signature is the same ECDSA signature: same signer.
        EXPECT_EQ(recover_signer(digest, high, SPolicy::AcceptHighS).value(), key.address());
        EXPECT_EQ(recover_transaction_signer(digest, high).value(), key.address());
    }
}

TEST(Signatures, TransactionRulesFollowJavaTronsVByteRange) {
    const auto key = PrivateKey::from_hex(std::string(63, '0') + "5").value();
    const auto txid = btt::from_hex_fixed<32>(std::string(64, 'a')).value();
    const Signature sig = key.sign_digest(txid);
    const int recid = sig[64] - 27;
    // Accepted forms of the same recovery id: recid, recid + 4 (compressed marker), and
    // both again + 27.
    for (int v : {recid, recid + 4, recid + 27, recid + 31}) {
        Signature s = sig;
        s[64] = static_cast<std::uint8_t>(v);
        EXPECT_EQ(recover_transaction_signer(txid, s).value(), key.address()) << v;
    }
    for (int v : {8, 9, 26, 35, 36, 127, 128, 200, 255}) {
        Signature s = sig;
        s[64] = static_cast<std::uint8_t>(v);
        const auto r = recover_transaction_signer(txid, s);
        ASSERT_FALSE(r) << v;
        EXPECT_EQ(r.error().kind, SignatureError::Kind::BadRecoveryByte) << v;
    }
}

TEST(Signatures, SingleBitFlipsOfProofSignatureChannelOrAmountNeverVerify) {
    btt::testkit::SeededRng rng;
    const auto key = key_from_seed(rng);
    const auto channel = rng.array<32>();
    const std::uint64_t amount = rng.uniform(1, 1'000'000'000);
    const auto message = balance_proof_message(channel, amount);
    const Signature sig = sign_message_v2(key, message);
    ASSERT_EQ(recover_message_v2(message, sig).value(), key.address());
    for (std::size_t bit = 0; bit < 65 * 8; ++bit) {
        Signature flipped = sig;
        flipped[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        const auto r = recover_message_v2(message, flipped);
        EXPECT_TRUE(!r || *r != key.address()) << "signature bit " << bit;
    }
    for (std::size_t bit = 0; bit < 32 * 8; ++bit) {
        auto other = channel;
        other[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        const auto r = recover_message_v2(balance_proof_message(other, amount), sig);
        EXPECT_TRUE(!r || *r != key.address()) << "channel bit " << bit;
    }
    for (int bit = 0; bit < 64; ++bit) {
        const auto r = recover_message_v2(balance_proof_message(channel, amount ^ (1ull << bit)), sig);
        EXPECT_TRUE(!r || *r != key.address()) << "amount bit " << bit;
    }
}

TEST(Signatures, OutOfRangeRAndSAreNotRecoverable) {
    const auto digest = btt::from_hex_fixed<32>(std::string(64, '1')).value();
    Signature sig{};
    std::fill(sig.begin(), sig.begin() + 64, 0xff);  // r, s >= n
    sig[64] = 27;
    EXPECT_EQ(recover_signer(digest, sig, SPolicy::AcceptHighS).error().kind,
              SignatureError::Kind::NotRecoverable);
    Signature zero{};
    zero[64] = 27;
    EXPECT_FALSE(recover_signer(digest, zero, SPolicy::AcceptHighS));
}

TEST(ChannelMessages, LayoutsAreFixed) {
    btt::Hash32 channel{};
    for (std::size_t i = 0; i < channel.size(); ++i) channel[i] = static_cast<std::uint8_t>(i);
    const auto proof = balance_proof_message(channel, 0x0102030405060708ull);
    ASSERT_EQ(proof.size(), 54u);
    EXPECT_EQ(btt::to_hex(btt::ByteView(proof).first(14)), btt::to_hex(btt::as_bytes("BTT-CHANNEL-V1")));
    EXPECT_EQ(btt::to_hex(btt::ByteView(proof).last(8)), "0102030405060708");
    const auto receipt = receipt_message(channel, 5);
    ASSERT_EQ(receipt.size(), 54u);
    EXPECT_EQ(btt::to_hex(btt::ByteView(receipt).first(14)), btt::to_hex(btt::as_bytes("BTT-RECEIPT-V1")));
    const auto close = close_message(channel);
    ASSERT_EQ(close.size(), 44u);
    EXPECT_EQ(btt::to_hex(btt::ByteView(close).first(12)), btt::to_hex(btt::as_bytes("BTT-CLOSE-V1")));
    EXPECT_EQ(btt::to_hex(btt::ByteView(close).last(32)), btt::to_hex(channel));
    // A proof signature never verifies as a receipt: the domains separate them.
    EXPECT_NE(tip104_digest(proof), tip104_digest(receipt_message(channel, 0x0102030405060708ull)));
}

}  // namespace
