// The seeder's credit window and the payer's account (credit.h).
#include <gtest/gtest.h>

#include <btt/testkit/actors.h>
#include <btt/torrent/credit.h>

namespace btt::torrent {
namespace {

namespace tk = btt::testkit;

channels::ChannelId channel() {
    Hash32 h{};
    h.fill(0x11);
    return channels::ChannelId(h);
}

TEST(SeederCredit, APeerWithoutAChannelGetsTheFreePiecesOnly) {
    SeederCredit c({/*price=*/100, /*free_pieces=*/2, /*credit_pieces=*/3});
    EXPECT_EQ(c.on_request(5), RequestVerdict::Serve);
    EXPECT_EQ(c.on_request(5), RequestVerdict::Serve);  // another block of the same piece
    EXPECT_EQ(c.on_request(6), RequestVerdict::Serve);
    EXPECT_EQ(c.on_request(7), RequestVerdict::Refuse);
    EXPECT_EQ(c.served(), 2u);
    EXPECT_FALSE(c.commit(1000));  // no channel: a receipt cannot buy anything
    EXPECT_EQ(c.on_request(7), RequestVerdict::Refuse);
}

TEST(SeederCredit, ZeroFreePiecesServesNothingUnpaid) {
    SeederCredit c({100, 0, 1});
    EXPECT_EQ(c.on_request(0), RequestVerdict::Refuse);
    EXPECT_EQ(c.served(), 0u);
}

TEST(SeederCredit, AChannelGetsTheCreditWindowAndReceiptsExtendIt) {
    SeederCredit c({100, 0, 2});
    c.grant_channel(channel(), /*accepted_at_start=*/500);
    EXPECT_EQ(c.allowance(), 2u);
    EXPECT_EQ(c.on_request(0), RequestVerdict::Serve);
    EXPECT_EQ(c.on_request(1), RequestVerdict::Serve);
    EXPECT_EQ(c.on_request(2), RequestVerdict::Refuse);  // served - paid would pass the window
    EXPECT_TRUE(c.commit(600));                          // one piece paid above the start
    EXPECT_EQ(c.paid_pieces(), 1u);
    EXPECT_EQ(c.on_request(2), RequestVerdict::Serve);
    EXPECT_EQ(c.on_request(3), RequestVerdict::Refuse);
    EXPECT_FALSE(c.commit(550));  // an older receipt changes nothing
    EXPECT_EQ(c.committed(), 600u);
    EXPECT_FALSE(c.commit(650));  // half a piece more: no new piece
    EXPECT_TRUE(c.commit(700));
    EXPECT_EQ(c.on_request(3), RequestVerdict::Serve);
}

TEST(SeederCredit, FreePiecesStillCountForAPayingPeer) {
    SeederCredit c({100, 5, 1});
    c.grant_channel(channel(), 0);
    EXPECT_EQ(c.allowance(), 5u);
    EXPECT_TRUE(c.commit(500));
    EXPECT_EQ(c.allowance(), 6u);
}

TEST(PayerAccount, PaysEachPieceOnceWithGrowingCumulativeAmounts) {
    PayerAccount a(100, 1000, 10'000, 0);
    EXPECT_EQ(a.pay_for_piece(3).amount, 100u);
    EXPECT_EQ(a.pay_for_piece(3).outcome, PayOutcome::AlreadyPaid);
    EXPECT_EQ(a.pay_for_piece(4).amount, 200u);
    EXPECT_EQ(a.signed_total(), 200u);
    EXPECT_EQ(a.spent(), 200u);
}

TEST(PayerAccount, NeverSignsPastTheBudget) {
    PayerAccount a(300, 700, 10'000, 1000);  // a reused channel: 1000 already committed
    EXPECT_EQ(a.pay_for_piece(0).amount, 1300u);
    EXPECT_EQ(a.pay_for_piece(1).amount, 1600u);
    EXPECT_EQ(a.pay_for_piece(2).outcome, PayOutcome::OverBudget);  // 900 > 700
    EXPECT_EQ(a.spent(), 600u);
    EXPECT_EQ(a.signed_total(), 1600u);
}

TEST(PayerAccount, NeverSignsPastTheDeposit) {
    PayerAccount a(300, 10'000, 700, 0);
    EXPECT_EQ(a.pay_for_piece(0).outcome, PayOutcome::Paid);
    EXPECT_EQ(a.pay_for_piece(1).outcome, PayOutcome::Paid);
    EXPECT_EQ(a.pay_for_piece(2).outcome, PayOutcome::OverDeposit);
    EXPECT_EQ(a.signed_total(), 600u);
}

TEST(JudgeOffer, RefusesAPriceAboveTheMaximumAndForeignTokensOrEscrows) {
    const Offer offer{tk::actor("bob"), 1000, "1002000", tk::escrow().address(), "n:1", 1, 0};
    PayerTerms terms{1000, 5000, "1002000", tk::escrow().address()};
    EXPECT_EQ(judge_offer(offer, terms), OfferVerdict::Accept);
    terms.max_price = 999;
    EXPECT_EQ(judge_offer(offer, terms), OfferVerdict::PriceTooHigh);
    terms.max_price = 1000;
    terms.token_id = "1000001";
    EXPECT_EQ(judge_offer(offer, terms), OfferVerdict::WrongToken);
    terms.token_id = "1002000";
    terms.escrow = tk::actor("carol");
    EXPECT_EQ(judge_offer(offer, terms), OfferVerdict::WrongEscrow);
    terms.escrow = tk::escrow().address();
    terms.budget = 999;
    EXPECT_EQ(judge_offer(offer, terms), OfferVerdict::BudgetTooSmall);
}

}  // namespace
}  // namespace btt::torrent
