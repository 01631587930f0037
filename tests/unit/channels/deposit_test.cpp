// Classifying transfers to the escrow: open, top-up, held, or unclaimed with its reason.
#include <gtest/gtest.h>

#include <btt/channels/deposit.h>

#include "fixtures.h"

namespace {

using namespace btt::channels;
using namespace btt::channels::test;
using btt::testkit::actor;

IncomingTransfer transfer(std::int64_t amount, const std::string& memo,
                          const btt::tron::TronAddress& from = btt::testkit::alice().address()) {
    btt::Hash32 txid{};
    txid.fill(0x7e);
    return IncomingTransfer{TxId(txid), from, rules().escrow, "1002000", amt(amount),
                            btt::to_bytes(memo), kOpenedAt};
}

std::string open_memo(std::int64_t expiry, const btt::tron::TronAddress& payee = btt::testkit::bob().address()) {
    return "btt-channel:v1:open:" + payee.to_base58() + ":" + std::to_string(expiry);
}

std::string topup_memo(const ChannelId& id) { return "btt-channel:v1:topup:" + id.to_hex(); }

UnclaimedReason unclaimed(const DepositOutcome& o) {
    EXPECT_TRUE(std::holds_alternative<Unclaimed>(o));
    // An impossible value when the outcome is not Unclaimed (the EXPECT above reports it).
    return std::holds_alternative<Unclaimed>(o) ? std::get<Unclaimed>(o).reason
                                                : static_cast<UnclaimedReason>(0);
}

constexpr const Channel* kNone = nullptr;

TEST(Deposit, OpensAChannelFromAValidTransfer) {
    const auto t = transfer(5'000'000, open_memo(kExpiry.value));
    const auto o = classify_deposit(rules(), t, kNone);
    ASSERT_TRUE(std::holds_alternative<OpenChannel>(o));
    const Channel& c = std::get<OpenChannel>(o).channel;
    EXPECT_EQ(c.id.bytes(), t.txid.bytes());
    EXPECT_EQ(c.payer, btt::testkit::alice().address());
    EXPECT_EQ(c.payee, btt::testkit::bob().address());
    EXPECT_EQ(c.deposit, amt(5'000'000));
    EXPECT_EQ(c.expiry, kExpiry);
    EXPECT_EQ(c.state, ChannelState::Open);
    EXPECT_TRUE(c.accepted.is_zero());
}

TEST(Deposit, MinimumDepositBoundary) {
    const auto r = rules();
    EXPECT_TRUE(std::holds_alternative<OpenChannel>(
        classify_deposit(r, transfer(r.min_deposit.value(), open_memo(kExpiry.value)), kNone)));
    EXPECT_EQ(unclaimed(classify_deposit(r, transfer(r.min_deposit.value() - 1, open_memo(kExpiry.value)), kNone)),
              UnclaimedReason::BelowMinimumDeposit);
}

TEST(Deposit, ExpiryHorizonBoundaries) {
    const auto r = rules();
    const auto lo = kOpenedAt.plus(r.min_expiry_horizon).value;
    const auto hi = kOpenedAt.plus(r.max_expiry_horizon).value;
    for (auto e : {lo, hi}) {
        EXPECT_TRUE(std::holds_alternative<OpenChannel>(classify_deposit(r, transfer(2'000'000, open_memo(e)), kNone)));
    }
    for (auto e : {lo - 1, hi + 1, std::int64_t{0}}) {
        EXPECT_EQ(unclaimed(classify_deposit(r, transfer(2'000'000, open_memo(e)), kNone)),
                  UnclaimedReason::ExpiryOutOfRange);
    }
}

TEST(Deposit, EveryUnclaimedReason) {
    const auto r = rules();
    auto wrong_token = transfer(2'000'000, open_memo(kExpiry.value));
    wrong_token.token_id = "1000001";
    EXPECT_EQ(unclaimed(classify_deposit(r, wrong_token, kNone)), UnclaimedReason::WrongToken);
    EXPECT_EQ(unclaimed(classify_deposit(r, transfer(2'000'000, "hello"), kNone)), UnclaimedReason::BadMemo);
    EXPECT_EQ(unclaimed(classify_deposit(r, transfer(2'000'000, ""), kNone)), UnclaimedReason::BadMemo);
    EXPECT_EQ(unclaimed(classify_deposit(r, transfer(2'000'000, open_memo(kExpiry.value, r.escrow)), kNone)),
              UnclaimedReason::PayeeIsEscrow);
    EXPECT_EQ(unclaimed(classify_deposit(r, transfer(2'000'000, open_memo(kExpiry.value, actor("peer-escrow"))), kNone)),
              UnclaimedReason::PayeeIsEscrow);
    EXPECT_EQ(unclaimed(classify_deposit(r, transfer(0, open_memo(kExpiry.value)), kNone)),
              UnclaimedReason::ZeroAmount);
    EXPECT_EQ(unclaimed(classify_deposit(r, transfer(1, topup_memo(channel_id())), kNone)),
              UnclaimedReason::UnknownChannel);
}

TEST(Deposit, TransfersFromPeerEscrowsAreHeldNotRefunded) {
    const auto o = classify_deposit(rules(), transfer(2'000'000, "anything", actor("peer-escrow")), kNone);
    EXPECT_TRUE(std::holds_alternative<HeldForOperator>(o));
}

TEST(Deposit, TopUpRules) {
    Channel c = open_channel(10'000'000);
    const Channel* existing = &c;
    ASSERT_EQ(topup_target(btt::to_bytes(topup_memo(c.id))), c.id);
    const auto ok = classify_deposit(rules(), transfer(1, topup_memo(c.id)), existing);
    ASSERT_TRUE(std::holds_alternative<TopUp>(ok));
    EXPECT_EQ(std::get<TopUp>(ok).new_deposit, amt(10'000'001));
    EXPECT_EQ(c.deposit, amt(10'000'000));  // classification never mutates
    EXPECT_EQ(unclaimed(classify_deposit(rules(), transfer(5, topup_memo(c.id), btt::testkit::carol().address()), existing)),
              UnclaimedReason::TopUpNotFromPayer);
    EXPECT_EQ(unclaimed(classify_deposit(rules(), transfer(Amount::kMax, topup_memo(c.id)), existing)),
              UnclaimedReason::DepositOverflow);
    for (auto state : {ChannelState::Closing, ChannelState::Settling, ChannelState::Closed}) {
        c.state = state;
        EXPECT_EQ(unclaimed(classify_deposit(rules(), transfer(5, topup_memo(c.id)), existing)),
                  UnclaimedReason::ChannelNotOpen);
    }
    c.state = ChannelState::Open;
    auto late = transfer(5, topup_memo(c.id));
    late.block_time = c.expiry;
    EXPECT_EQ(unclaimed(classify_deposit(rules(), late, existing)), UnclaimedReason::ChannelNotOpen);
    // A channel funded in another token (the configured token changed since) takes no top-up.
    c.token_id = "1000001";
    EXPECT_EQ(unclaimed(classify_deposit(rules(), transfer(5, topup_memo(c.id)), existing)),
              UnclaimedReason::WrongToken);
}

TEST(Deposit, TopUpTargetNamesOnlyTheChannelOfAWellFormedTopUpMemo) {
    const ChannelId id = channel_id(0x5a);
    EXPECT_EQ(topup_target(btt::to_bytes(topup_memo(id))), id);
    EXPECT_EQ(topup_target(btt::to_bytes(open_memo(kExpiry.value))), std::nullopt);
    EXPECT_EQ(topup_target(btt::to_bytes(topup_memo(id) + " ")), std::nullopt);
    std::string upper = topup_memo(id);
    upper.back() = 'A';
    EXPECT_EQ(topup_target(btt::to_bytes(upper)), std::nullopt);
    EXPECT_EQ(topup_target({}), std::nullopt);
}

TEST(Deposit, AChannelHandedInIsIgnoredForOpensAndBadMemos) {
    const Channel c = open_channel(10'000'000);
    EXPECT_TRUE(std::holds_alternative<OpenChannel>(
        classify_deposit(rules(), transfer(2'000'000, open_memo(kExpiry.value)), &c)));
    EXPECT_EQ(unclaimed(classify_deposit(rules(), transfer(2'000'000, "hello"), &c)),
              UnclaimedReason::BadMemo);
}

TEST(DepositDeathTest, ATransferNotToTheEscrowIsACallerBug) {
    auto elsewhere = transfer(2'000'000, open_memo(kExpiry.value));
    elsewhere.to = actor("carol");
    EXPECT_DEATH((void)classify_deposit(rules(), elsewhere, kNone), "not to our escrow");
}

TEST(DepositDeathTest, AChannelOtherThanTheOneTheMemoNamesIsACallerBug) {
    const Channel c = open_channel(10'000'000, 0x11);
    const auto t = transfer(5, topup_memo(channel_id(0x22)));
    EXPECT_DEATH((void)classify_deposit(rules(), t, &c), "not the one the memo names");
}

}  // namespace

namespace {

bool held(const DepositOutcome& o) {
    EXPECT_TRUE(std::holds_alternative<Unclaimed>(o));
    return std::holds_alternative<Unclaimed>(o) && std::get<Unclaimed>(o).held;
}

// DESIGN §10: only the settled token at or above min_refund is refunded by itself; a
// foreign token (whatever its amount) and dust are held for the operator.
TEST(Deposit, ForeignTokensAndDustAreHeldOnlyTheSettledTokenFromMinRefundIsRefunded) {
    auto r = rules();
    r.min_refund = amt(1'000'000);
    auto foreign = transfer(500'000'000, "hello");
    foreign.token_id = "1000001";
    EXPECT_TRUE(held(classify_deposit(r, foreign, kNone)));
    foreign.amount = amt(INT64_MAX);
    EXPECT_TRUE(held(classify_deposit(r, foreign, kNone)));
    EXPECT_EQ(unclaimed(classify_deposit(r, foreign, kNone)), UnclaimedReason::WrongToken);
    EXPECT_TRUE(held(classify_deposit(r, transfer(999'999, "hello"), kNone)));
    EXPECT_EQ(unclaimed(classify_deposit(r, transfer(999'999, "hello"), kNone)),
              UnclaimedReason::BadMemo);
    EXPECT_FALSE(held(classify_deposit(r, transfer(1'000'000, "hello"), kNone)));
    EXPECT_TRUE(held(classify_deposit(r, transfer(0, "hello"), kNone)));
    // Dust under the minimum deposit is held; a refused open of at least min_refund is not.
    r.min_deposit = amt(5'000'000);
    EXPECT_FALSE(held(classify_deposit(r, transfer(2'000'000, open_memo(kExpiry.value)), kNone)));
    r.min_refund = amt(3'000'000);
    EXPECT_TRUE(held(classify_deposit(r, transfer(2'000'000, open_memo(kExpiry.value)), kNone)));
    // What opens or tops up is never affected.
    EXPECT_TRUE(std::holds_alternative<OpenChannel>(
        classify_deposit(r, transfer(5'000'000, open_memo(kExpiry.value)), kNone)));
}

}  // namespace
