// Netting, fees and refunds; each plan also passes the conservation check
// (conservation_test.cpp tampers with the stored rows).
#include <gtest/gtest.h>

#include <btt/channels/conservation.h>
#include <btt/channels/settlement.h>

#include "fixtures.h"
#include "stored_ledger.h"

namespace {

using namespace btt::channels;
using namespace btt::channels::test;
using btt::testkit::actor;

Channel settling(std::int64_t deposit, std::int64_t accepted, std::uint8_t id,
                 const btt::tron::TronAddress& payer = btt::testkit::alice().address(),
                 const btt::tron::TronAddress& payee = btt::testkit::bob().address()) {
    Channel c = open_channel(deposit, id);
    c.payer = payer;
    c.payee = payee;
    c.accepted = amt(accepted);
    c.state = ChannelState::Settling;
    return c;
}

const PlannedPayout* payout_to(const SettlementPlan& p, const btt::tron::TronAddress& who) {
    for (const auto& x : p.payouts) {
        if (x.recipient == who) return &x;
    }
    return nullptr;
}

TEST(Fee, FloorsAndNeverOverflows) {
    EXPECT_EQ(fee_for(amt(99), 100).value(), amt(0));    // 0.99 -> 0
    EXPECT_EQ(fee_for(amt(100), 100).value(), amt(1));
    EXPECT_EQ(fee_for(amt(1), 9'999).value(), amt(0));
    EXPECT_EQ(fee_for(amt(1), 10'000).value(), amt(1));
    EXPECT_EQ(fee_for(amt(Amount::kMax), 10'000).value(), amt(Amount::kMax));
    EXPECT_EQ(fee_for(amt(Amount::kMax), 1).value(), amt(Amount::kMax / 10'000));
    EXPECT_EQ(fee_for(amt(12'345), 0).value(), amt(0));
    EXPECT_FALSE(fee_for(amt(1), 10'001));
}

TEST(Settlement, OnePayeeWithManyChannelsGetsOnePayout) {
    std::vector<Channel> channels;
    for (std::uint8_t i = 1; i <= 5; ++i) {
        channels.push_back(settling(1'000'000, 200'000 * i, i, actor("payer-" + std::to_string(i))));
    }
    const auto plan = plan_settlement(channels, {}, 100).value();
    const auto* bob = payout_to(plan, btt::testkit::bob().address());
    ASSERT_NE(bob, nullptr);
    // 0.2+0.4+0.6+0.8+1.0 M accepted = 3 M; fee 1 % = 30,000.
    EXPECT_EQ(bob->amount, amt(3'000'000 - 30'000));
    EXPECT_EQ(bob->contributions.size(), 5u);
    EXPECT_EQ(plan.fees_by_token.at("1002000"), amt(30'000));
    // Payer 5 spent everything: no zero refund is planned.
    EXPECT_EQ(payout_to(plan, actor("payer-5")), nullptr);
    EXPECT_EQ(plan.payouts.size(), 5u);  // bob + 4 refunds
    EXPECT_TRUE(StoredLedger::of(channels, channels, plan, 100).check());
}

TEST(Settlement, PayerWhoIsAlsoAPayeeIsNettedIntoOneTransfer) {
    const auto alice = btt::testkit::alice().address();
    const auto bob = btt::testkit::bob().address();
    std::vector<Channel> channels = {settling(1'000'000, 400'000, 1, alice, bob),
                                     settling(500'000, 300'000, 2, bob, alice)};
    const auto plan = plan_settlement(channels, {}, 0).value();
    ASSERT_EQ(plan.payouts.size(), 2u);
    // alice: refund 600,000 + payee share 300,000; bob: share 400,000 + refund 200,000.
    EXPECT_EQ(payout_to(plan, alice)->amount, amt(900'000));
    EXPECT_EQ(payout_to(plan, bob)->amount, amt(600'000));
    EXPECT_EQ(payout_to(plan, alice)->contributions.size(), 2u);
    EXPECT_TRUE(StoredLedger::of(channels, channels, plan, 0).check());
}

TEST(Settlement, FeeRoundingAtOneBaseUnit) {
    std::vector<Channel> channels = {settling(10, 1, 1)};
    const auto plan = plan_settlement(channels, {}, 9'999).value();
    EXPECT_EQ(plan.channels[0].fee, amt(0));
    EXPECT_EQ(payout_to(plan, btt::testkit::bob().address())->amount, amt(1));
    const auto all_fee = plan_settlement(channels, {}, 10'000).value();
    EXPECT_EQ(all_fee.channels[0].fee, amt(1));
    EXPECT_EQ(payout_to(all_fee, btt::testkit::bob().address()), nullptr);  // zero dropped
    EXPECT_TRUE(StoredLedger::of(channels, channels, all_fee, 10'000).check());
}

TEST(Settlement, UnclaimedRefundsAreNettedPerRecipientAndToken) {
    btt::Hash32 a{}, b{}, c{};
    a.fill(1);
    b.fill(2);
    c.fill(3);
    const auto carol = btt::testkit::carol().address();
    std::vector<UnclaimedRefund> refunds = {{TxId(a), carol, "1002000", amt(5)},
                                            {TxId(b), carol, "1002000", amt(7)},
                                            {TxId(c), carol, "1000001", amt(9)}};
    const auto plan = plan_settlement({}, refunds, 100).value();
    ASSERT_EQ(plan.payouts.size(), 2u);  // one per token
    Amount total;
    for (const auto& p : plan.payouts) total = *total.checked_add(p.amount);
    EXPECT_EQ(total, amt(21));
    EXPECT_TRUE(StoredLedger::of({}, {}, plan, 100, refunds).check());
    auto dup = refunds;
    dup.push_back(refunds[0]);
    EXPECT_EQ(plan_settlement({}, dup, 100).error(), SettlementError::DuplicateRefund);
}

TEST(Settlement, RefusesWhatCannotBeSettled) {
    Channel open = open_channel();
    EXPECT_EQ(plan_settlement(std::vector<Channel>{open}, {}, 0).error(), SettlementError::ChannelNotSettling);
    Channel twice = settling(10, 5, 1);
    EXPECT_EQ(plan_settlement(std::vector<Channel>{twice, twice}, {}, 0).error(), SettlementError::DuplicateChannel);
    Channel over = settling(10, 11, 1);
    EXPECT_EQ(plan_settlement(std::vector<Channel>{over}, {}, 0).error(), SettlementError::ProofExceedsDeposit);
    EXPECT_EQ(plan_settlement(std::vector<Channel>{twice}, {}, 10'001).error(), SettlementError::BadFeeRate);
}

// Issue 20, defect 2: shares to one recipient that sum past INT64_MAX are split over more
// than one payout, never a plan refused (which stopped every payout of every window).
TEST(Settlement, SharesPastInt64MaxToOneRecipientBecomeSeveralPayouts) {
    std::vector<Channel> huge = {settling(Amount::kMax, Amount::kMax, 1),
                                 settling(Amount::kMax, Amount::kMax, 2)};
    const auto plan = plan_settlement(huge, {}, 0);
    ASSERT_TRUE(plan);
    ASSERT_EQ(plan->payouts.size(), 2u);
    for (const auto& p : plan->payouts) {
        EXPECT_EQ(p.recipient, huge[0].payee);
        EXPECT_EQ(p.amount, amt(Amount::kMax));
        EXPECT_EQ(p.contributions.size(), 1u);
    }
    // Unclaimed transfers of a self-issued token from one sender, each near 2^63.
    std::vector<UnclaimedRefund> strays;
    for (std::uint8_t i = 1; i <= 3; ++i) {
        btt::Hash32 h{};
        h[0] = i;
        strays.push_back({TxId(h), huge[0].payer, "7777777", amt(Amount::kMax - 1)});
    }
    const auto refunds = plan_settlement({}, strays, 0);
    ASSERT_TRUE(refunds);
    ASSERT_EQ(refunds->payouts.size(), 3u);
    std::int64_t contributions = 0;
    for (const auto& p : refunds->payouts) {
        EXPECT_EQ(p.amount, amt(Amount::kMax - 1));
        contributions += static_cast<std::int64_t>(p.contributions.size());
    }
    EXPECT_EQ(contributions, 3);
    // Small shares still net into one.
    std::vector<UnclaimedRefund> small = strays;
    for (auto& u : small) u.amount = amt(5);
    EXPECT_EQ(plan_settlement({}, small, 0)->payouts.size(), 1u);
}

}  // namespace
