// Balance proofs: every Reject triggered, with the channel unchanged; boundaries; flips.
#include <gtest/gtest.h>

#include <btt/base/hex.h>
#include <btt/channels/proof.h>

#include "fixtures.h"

namespace {

using namespace btt::channels;
using namespace btt::channels::test;

const UnixSeconds kNow{kOpenedAt.value + 100};

Reject check_reject(const ProofMsg& m) {
    const auto r = check_proof(m);
    EXPECT_FALSE(r);
    return r ? Reject::Internal : r.error();
}

// judge() refuses with `expected`, and apply() then changes nothing.
void expect_refused(Channel channel, const VerifiedProof& p, Reject expected, UnixSeconds now = kNow) {
    const Channel before = channel;
    const Verdict v = judge(&channel, p, now);
    EXPECT_EQ(v.outcome, Outcome::Rejected);
    EXPECT_EQ(v.reason, expected) << token_of(v.reason);
    const auto applied = apply(channel, p, now);
    ASSERT_FALSE(applied);
    EXPECT_EQ(applied.error(), Reject::Internal);
    EXPECT_TRUE(same_state(before, channel));
}

TEST(CheckProof, RefusesMalformedFields) {
    const auto good = proof_msg(channel_id(), 5);
    auto short_id = good;
    short_id.channel_id.pop_back();
    EXPECT_EQ(check_reject(short_id), Reject::Malformed);
    auto short_sig = good;
    short_sig.signature.pop_back();
    EXPECT_EQ(check_reject(short_sig), Reject::Malformed);
    auto long_sig = good;
    long_sig.signature.push_back(0);
    EXPECT_EQ(check_reject(long_sig), Reject::Malformed);
    EXPECT_EQ(check_reject(proof_msg(channel_id(), 0)), Reject::Malformed);
    EXPECT_EQ(check_reject(proof_msg(channel_id(), 1ull << 63)), Reject::Malformed);
    EXPECT_EQ(check_reject(proof_msg(channel_id(), ~0ull)), Reject::Malformed);
    for (int v : {2, 26, 29, 31, 255}) {
        auto bad_v = good;
        bad_v.signature[64] = static_cast<std::uint8_t>(v);
        EXPECT_EQ(check_reject(bad_v), Reject::Malformed) << v;
    }
    EXPECT_TRUE(check_proof(proof_msg(channel_id(), (1ull << 63) - 1)));
}

TEST(CheckProof, AcceptsRecoveryBytesZeroAndOne) {
    auto m = proof_msg(channel_id(), 5);
    m.signature[64] = static_cast<std::uint8_t>(m.signature[64] - 27);
    const auto p = check_proof(m);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->signer, btt::testkit::alice().address());
}

TEST(CheckProof, RefusesHighSAndUnrecoverableSignatures) {
    auto m = proof_msg(channel_id(), 5);
    // s -> n - s, parity flipped: the malleated twin of a valid signature.
    const auto n = btt::from_hex_fixed<32>("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").value();
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
        const int d = n[static_cast<std::size_t>(i)] - m.signature[static_cast<std::size_t>(32 + i)] - borrow;
        m.signature[static_cast<std::size_t>(32 + i)] = static_cast<std::uint8_t>(d & 0xff);
        borrow = d < 0;
    }
    m.signature[64] = m.signature[64] == 27 ? 28 : 27;
    EXPECT_EQ(check_reject(m), Reject::BadSignature);
    auto zero = proof_msg(channel_id(), 5);
    std::fill(zero.signature.begin(), zero.signature.begin() + 64, 0);
    EXPECT_EQ(check_reject(zero), Reject::BadSignature);
}

TEST(CheckProof, SingleBitFlipsNeverYieldAlicesProof) {
    const auto good = proof_msg(channel_id(), 123'456);
    const auto alice = btt::testkit::alice().address();
    for (std::size_t bit = 0; bit < good.signature.size() * 8; ++bit) {
        auto m = good;
        m.signature[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        const auto r = check_proof(m);
        EXPECT_TRUE(!r || r->signer != alice) << "signature bit " << bit;
    }
    for (std::size_t bit = 0; bit < 256; ++bit) {
        auto m = good;
        m.channel_id[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        const auto r = check_proof(m);
        EXPECT_TRUE(!r || r->signer != alice) << "channel bit " << bit;
    }
    for (int bit = 0; bit < 63; ++bit) {
        auto m = good;
        m.amount ^= 1ull << bit;
        const auto r = check_proof(m);
        EXPECT_TRUE(!r || r->signer != alice) << "amount bit " << bit;
    }
}

TEST(Judge, AcceptsThenAppliesAndBuildsTheReceipt) {
    Channel c = open_channel(10'000'000);
    const auto p = verified(c.id, 4'000'000);
    EXPECT_EQ(judge(&c, p, kNow).outcome, Outcome::Accepted);
    const auto e = apply(c, p, kNow);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->previous, amt(0));
    EXPECT_EQ(e->accepted, amt(4'000'000));
    EXPECT_EQ(e->delta, amt(4'000'000));
    EXPECT_EQ(c.accepted, amt(4'000'000));
    EXPECT_EQ(c.accepted_signature, p.signature);
    EXPECT_EQ(e->receipt.channel, c.id);
    EXPECT_EQ(e->receipt.amount, amt(4'000'000));
    EXPECT_EQ(e->receipt.message, btt::tron::receipt_message(c.id.bytes(), 4'000'000));
}

TEST(Judge, EveryRefusalInOrderLeavesTheChannelUnchanged) {
    Channel c = open_channel(10'000'000);
    ASSERT_TRUE(apply(c, verified(c.id, 5'000'000), kNow));

    {
        Channel copy = c;
        const Verdict v = judge(nullptr, verified(c.id, 6'000'000), kNow);
        EXPECT_EQ(v.reason, Reject::UnknownChannel);
        EXPECT_TRUE(same_state(copy, c));
    }
    expect_refused(c, verified(c.id, 6'000'000, btt::testkit::bob()), Reject::WrongSigner);
    for (auto state : {ChannelState::Settling, ChannelState::Closed}) {
        Channel s = c;
        s.state = state;
        expect_refused(s, verified(c.id, 6'000'000), Reject::ChannelNotOpen);
    }
    expect_refused(c, verified(c.id, 6'000'000), Reject::ChannelExpired, c.expiry);
    expect_refused(c, verified(c.id, 10'000'001), Reject::AmountExceedsDeposit);
    expect_refused(c, verified(c.id, 4'999'999), Reject::AmountNotIncreasing);
    // Order: a wrong signer on an expired channel is reported as wrong_signer.
    expect_refused(c, verified(c.id, 99'000'000, btt::testkit::carol()), Reject::WrongSigner, c.expiry);
    // Expired beats over-deposit.
    expect_refused(c, verified(c.id, 99'000'000), Reject::ChannelExpired, c.expiry);
}

TEST(Judge, Boundaries) {
    Channel c = open_channel(10'000'000);
    const UnixSeconds last_second{c.expiry.value - 1};
    EXPECT_EQ(judge(&c, verified(c.id, 10'000'000), last_second).outcome, Outcome::Accepted);
    EXPECT_EQ(judge(&c, verified(c.id, 10'000'001), last_second).reason, Reject::AmountExceedsDeposit);
    EXPECT_EQ(judge(&c, verified(c.id, 1), c.expiry).reason, Reject::ChannelExpired);
    EXPECT_EQ(judge(&c, verified(c.id, 1), kNow).outcome, Outcome::Accepted);
}

TEST(Judge, SameAmountTwiceIsADuplicateInEveryState) {
    Channel c = open_channel(10'000'000);
    const auto p = verified(c.id, 7'000'000);
    ASSERT_TRUE(apply(c, p, kNow));
    for (auto state : {ChannelState::Open, ChannelState::Closing, ChannelState::Settling, ChannelState::Closed}) {
        Channel s = c;
        s.state = state;
        const Channel before = s;
        EXPECT_EQ(judge(&s, p, kNow).outcome, Outcome::Duplicate);
        EXPECT_EQ(judge(&s, p, s.expiry).outcome, Outcome::Duplicate);  // even after expiry
        EXPECT_FALSE(apply(s, p, kNow));
        EXPECT_TRUE(same_state(before, s));
    }
    // Someone else's signature over the same amount is still wrong_signer, not a duplicate.
    EXPECT_EQ(judge(&c, verified(c.id, 7'000'000, btt::testkit::bob()), kNow).reason, Reject::WrongSigner);
}

TEST(Judge, ClosingChannelsStillAcceptNewerProofs) {
    Channel c = open_channel(10'000'000);
    c.state = ChannelState::Closing;
    EXPECT_EQ(judge(&c, verified(c.id, 3), kNow).outcome, Outcome::Accepted);
}

TEST(Judge, ClosingChannelsRefuseProofsFromSettleAtOnEvenBeforeATimerMovesThem) {
    Channel c = open_channel(10'000'000);
    ASSERT_TRUE(apply(c, verified(c.id, 2'000'000), kNow));
    c.state = ChannelState::Closing;
    c.settle_at = UnixSeconds{kNow.value + 600};
    const UnixSeconds last_second{c.settle_at->value - 1};
    EXPECT_EQ(judge(&c, verified(c.id, 3'000'000), last_second).outcome, Outcome::Accepted);
    expect_refused(c, verified(c.id, 3'000'000), Reject::ChannelNotOpen, *c.settle_at);
    expect_refused(c, verified(c.id, 3'000'000), Reject::ChannelNotOpen,
                   UnixSeconds{c.settle_at->value + 1});
    // Refused after the duplicate check: the last accepted amount is still acknowledged.
    EXPECT_EQ(judge(&c, verified(c.id, 2'000'000), *c.settle_at).outcome, Outcome::Duplicate);
    // And after the signer check: a stranger is still wrong_signer.
    expect_refused(c, verified(c.id, 3'000'000, btt::testkit::carol()), Reject::WrongSigner,
                   *c.settle_at);
    // An OPEN channel knows no settle_at.
    Channel open = c;
    open.state = ChannelState::Open;
    EXPECT_EQ(judge(&open, verified(c.id, 3'000'000), *c.settle_at).outcome, Outcome::Accepted);
}

TEST(JudgeDeathTest, AChannelOtherThanTheProofsIsACallerBug) {
    Channel c = open_channel(10'000'000);
    const auto foreign = verified(channel_id(0x99), 6'000'000);
    EXPECT_DEATH((void)judge(&c, foreign, kNow), "not the proof's channel");
    EXPECT_DEATH((void)apply(c, foreign, kNow), "not the proof's channel");
}

}  // namespace
