// Transaction building and decoding: refusals, round trips, wire splitting.
#include <gtest/gtest.h>

#include <btt/base/hex.h>
#include <btt/testkit/seeded_rng.h>
#include <btt/tron/transaction.h>

namespace {

using namespace btt::tron;

TronAddress addr(std::uint8_t fill) {
    btt::ByteArray<21> raw{};
    raw.fill(fill);
    raw[0] = 0x41;
    return TronAddress::from_bytes(raw).value();
}

TransferSpec sample() {
    return TransferSpec{std::string("1002000"), addr(1), addr(2), 5, Tapos{}, 1'700'000'060'000,
                        1'700'000'000'000, {}};
}

TEST(TransactionBuild, RefusesNonPositiveAmounts) {
    for (std::int64_t amount : {std::int64_t{0}, std::int64_t{-1}, INT64_MIN}) {
        auto spec = sample();
        spec.amount = amount;
        const auto r = build_transfer(spec);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, TxBuildError::Kind::NonPositiveAmount);
    }
    auto spec = sample();
    spec.amount = INT64_MAX;
    EXPECT_TRUE(build_transfer(spec));
}

TEST(TransactionBuild, RefusesTokenIdsThatAreNotDigits) {
    for (const char* id : {"", "BTT", "1002000 ", "-1", "12345678901234567890"}) {
        auto spec = sample();
        spec.token_id = id;
        const auto r = build_transfer(spec);
        ASSERT_FALSE(r) << id;
        EXPECT_EQ(r.error().kind, TxBuildError::Kind::BadTokenId);
    }
}

TEST(TransactionBuild, RandomTransfersRoundTripThroughDecode) {
    btt::testkit::SeededRng rng;
    for (int i = 0; i < 500; ++i) {
        TransferSpec spec = sample();
        if (rng.uniform(0, 1) == 0) spec.token_id.reset();
        else spec.token_id = std::to_string(rng.uniform(1'000'001, 9'999'999));
        auto o = rng.array<21>();
        o[0] = 0x41;
        auto t = rng.array<21>();
        t[0] = 0x41;
        spec.owner = TronAddress::from_bytes(o).value();
        spec.to = TronAddress::from_bytes(t).value();
        spec.amount = static_cast<std::int64_t>(rng.uniform(1, INT64_MAX));
        spec.tapos = Tapos{rng.array<2>(), rng.array<8>()};
        spec.expiration_ms = static_cast<std::int64_t>(rng.uniform(0, 1ull << 50));
        spec.timestamp_ms = static_cast<std::int64_t>(rng.uniform(0, 1ull << 50));
        spec.memo = rng.bytes(rng.uniform(0, 300));
        const auto built = build_transfer(spec).value();
        const auto d = decode_raw_data(built.raw_data).value();
        EXPECT_EQ(d.txid, built.txid);
        EXPECT_EQ(d.expiration, spec.expiration_ms);
        EXPECT_EQ(d.timestamp, spec.timestamp_ms);
        EXPECT_EQ(d.data, spec.memo);
        EXPECT_EQ(btt::to_hex(d.ref_block_bytes), btt::to_hex(spec.tapos.ref_block_bytes));
        ASSERT_EQ(d.contracts.size(), 1u);
        EXPECT_EQ(*d.contracts[0].owner, spec.owner);
        EXPECT_EQ(*d.contracts[0].to, spec.to);
        EXPECT_EQ(*d.contracts[0].amount, spec.amount);
        EXPECT_EQ(d.contracts[0].token_id, spec.token_id);
    }
}

TEST(TransactionDecode, RefusesBytesThatAreNotATransaction) {
    for (const char* hex : {"ff", "0a05", "5a03080212", "0a"}) {
        const auto r = decode_raw_data(btt::from_hex(hex).value());
        ASSERT_FALSE(r) << hex;
        EXPECT_EQ(r.error().kind, TxDecodeError::Kind::NotProtobuf) << hex;
    }
}

TEST(TransactionDecode, RefusesTransferWithBadAddressOrMismatchedTypeUrl) {
    const auto built = build_transfer(sample()).value();
    // Replace the 21-byte owner (0x41 0x01 ...) prefix byte 0x41 with 0xa0.
    auto raw = built.raw_data;
    const auto owner_hex = addr(1).to_hex();
    auto text = btt::to_hex(raw);
    const auto pos = text.find(owner_hex);
    ASSERT_NE(pos, std::string::npos);
    text.replace(pos, 2, "a0");
    const auto bad_owner = decode_raw_data(btt::from_hex(text).value());
    ASSERT_FALSE(bad_owner);
    EXPECT_EQ(bad_owner.error().kind, TxDecodeError::Kind::BadAddress);
    // Contract type 2 with the TransferContract URL.
    auto spec = sample();
    spec.token_id.reset();
    auto trx_text = btt::to_hex(build_transfer(spec).value().raw_data);
    const auto type_pos = trx_text.find("0801");  // Contract.type = 1
    ASSERT_NE(type_pos, std::string::npos);
    trx_text.replace(type_pos, 4, "0802");
    const auto mismatched = decode_raw_data(btt::from_hex(trx_text).value());
    ASSERT_FALSE(mismatched);
    EXPECT_EQ(mismatched.error().kind, TxDecodeError::Kind::BadContract);
}

TEST(TransactionWire, SplitKeepsTheExactRawBytesAndSkipsRet) {
    const auto built = build_transfer(sample()).value();
    Signature sig{};
    sig.fill(7);
    const Signature sigs[] = {sig, sig};
    auto wire = signed_transaction_bytes(built.raw_data, sigs);
    const btt::Bytes ret = {0x2a, 0x02, 0x18, 0x01};  // ret {contractRet: SUCCESS}
    btt::append(wire, ret);
    const auto parts = split_signed_transaction(wire);
    ASSERT_TRUE(parts);
    EXPECT_EQ(parts->raw_data, built.raw_data);
    ASSERT_EQ(parts->signatures.size(), 2u);
    EXPECT_EQ(parts->signatures[1], btt::Bytes(sig.begin(), sig.end()));
    EXPECT_FALSE(split_signed_transaction(btt::from_hex("0a05aa").value()));  // truncated
    btt::Bytes twice = signed_transaction_bytes(built.raw_data, {});
    btt::append(twice, signed_transaction_bytes(built.raw_data, {}));
    EXPECT_FALSE(split_signed_transaction(twice));
}

TEST(Tapos, UsesLowBytesOfNumberAndIdBytesEightToFifteen) {
    btt::Hash32 id{};
    for (std::size_t i = 0; i < 32; ++i) id[i] = static_cast<std::uint8_t>(i);
    const auto t = tapos_from_block(0x12345678, id);
    EXPECT_EQ(btt::to_hex(t.ref_block_bytes), "5678");
    EXPECT_EQ(btt::to_hex(t.ref_block_hash), "08090a0b0c0d0e0f");
    EXPECT_EQ(btt::to_hex(block_id(1, id)).substr(0, 16), "0000000000000001");
}

}  // namespace
