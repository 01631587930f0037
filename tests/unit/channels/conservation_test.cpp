// The conservation check over stored rows (issue 11): a realistic ledger of two settlement
// windows balances to the unit; tampering with any ONE stored row (an amount, a recipient,
// a fee, a state, a missing or doubled contribution) is caught with the exact kind; and
// random ledgers planned by plan_settlement always balance. The planner is used here only
// to produce the rows node/ would store; the check itself never calls it.
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <gtest/gtest.h>

#include <btt/channels/conservation.h>
#include <btt/channels/settlement.h>
#include <btt/testkit/seeded_rng.h>

#include "fixtures.h"
#include "stored_ledger.h"

namespace {

using namespace btt::channels;
using namespace btt::channels::test;
using btt::tron::TronAddress;
using K = ConservationError::Kind;

const std::string kBtt = "1002000";
const std::string kOther = "1000001";

TronAddress alice() {
    return btt::testkit::alice().address();
}
TronAddress bob() {
    return btt::testkit::bob().address();
}
TronAddress carol() {
    return btt::testkit::carol().address();
}
TronAddress dave() {
    return btt::testkit::actor("dave");
}

TxId tx(std::uint8_t fill) {
    btt::Hash32 h{};
    h.fill(fill);
    return TxId(h);
}

Channel make(std::uint8_t id, const TronAddress& payer, const TronAddress& payee,
             const std::string& token, std::int64_t deposit, std::int64_t accepted,
             ChannelState state) {
    Channel c = open_channel(deposit, id);
    c.payer = payer;
    c.payee = payee;
    c.token_id = token;
    c.accepted = amt(accepted);
    c.state = state;
    return c;
}

// The rows a test tampers with, found by what they are about.
LedgerChannel& channel_row(StoredLedger& l, std::uint8_t id) {
    for (auto& c : l.channels) {
        if (c.id == channel_id(id))
            return c;
    }
    throw std::logic_error("no such channel row");
}

StoredSettlement& settlement_row(StoredLedger& l, std::uint8_t id) {
    for (auto& s : l.settlements) {
        if (s.channel == channel_id(id))
            return s;
    }
    throw std::logic_error("no such settlement row");
}

// The one payout to (to, token); throws if there is none or more than one.
StoredPayout& payout_row(StoredLedger& l, const TronAddress& to, const std::string& token) {
    StoredPayout* found = nullptr;
    for (auto& p : l.payouts) {
        if (p.recipient != to || p.token_id != token)
            continue;
        if (found != nullptr)
            throw std::logic_error("more than one payout row");
        found = &p;
    }
    if (found == nullptr)
        throw std::logic_error("no such payout row");
    return *found;
}

// The payout that carries channel `id`'s share in `role`.
StoredPayout& payout_paying(StoredLedger& l, PayoutRole role, std::uint8_t id) {
    for (auto& p : l.payouts) {
        for (const auto& c : p.contributions) {
            if (c.role == role && c.channel == channel_id(id))
                return p;
        }
    }
    throw std::logic_error("no payout pays that share");
}

void erase_payout(StoredLedger& l, const TronAddress& to, const std::string& token) {
    const auto before = l.payouts.size();
    std::erase_if(l.payouts,
                  [&](const StoredPayout& p) { return p.recipient == to && p.token_id == token; });
    if (l.payouts.size() != before - 1)
        throw std::logic_error("no single payout row to erase");
}

StoredContribution& share_of(StoredPayout& p, PayoutRole role, std::uint8_t id) {
    for (auto& c : p.contributions) {
        if (c.role == role && c.channel == channel_id(id))
            return c;
    }
    throw std::logic_error("no such contribution");
}

StoredContribution& refund_of(StoredPayout& p, std::uint8_t transfer) {
    for (auto& c : p.contributions) {
        if (c.role == PayoutRole::UnclaimedRefund && c.transfer == tx(transfer))
            return c;
    }
    throw std::logic_error("no such refund contribution");
}

StoredUnclaimed& unclaimed_row(StoredLedger& l, std::uint8_t transfer) {
    for (auto& u : l.unclaimed) {
        if (u.transfer == tx(transfer))
            return u;
    }
    throw std::logic_error("no such unclaimed row");
}

Amount plus(Amount a, std::int64_t d) {
    return amt(a.value() + d);
}

// Checks that `l` is refused with exactly `kind`, naming `about` in the detail.
void expect_refused(const StoredLedger& l, K kind, const std::string& about) {
    const auto r = l.check();
    ASSERT_FALSE(r) << "a tampered ledger passed; expected " << kind_token(kind);
    EXPECT_EQ(kind_token(r.error().kind), std::string(kind_token(kind))) << r.error().message();
    EXPECT_NE(r.error().detail.find(about), std::string::npos)
        << "detail \"" << r.error().detail << "\" does not name " << about;
}

// alice, bob and carol hold channels in two tokens; dave and alice sent transfers that
// opened nothing. Window 1 settled c1 and c2 (both since CLOSED) and refunded t1; window 2
// settled c3 and c4 and refunded t3 (netted with alice's refund of c3). c5 (OPEN), c6
// (CLOSING) and c7 (SETTLING, not yet planned) are still held; t2 is not yet refunded.
class Conservation : public ::testing::Test {
protected:
    void SetUp() override {
        std::vector<Channel> all = {
            make(0x01, alice(), bob(), kBtt, 10'000'000, 4'000'000, ChannelState::Settling),
            make(0x02, carol(), bob(), kBtt, 5'000'000, 5'000'000, ChannelState::Settling),
            make(0x03, alice(), carol(), kBtt, 2'000'000, 0, ChannelState::Settling),
            make(0x04, bob(), alice(), kOther, 3'000'000, 1'234'567, ChannelState::Settling),
            make(0x05, alice(), bob(), kBtt, 7'000'000, 1'000'000, ChannelState::Open),
            make(0x06, carol(), alice(), kBtt, 1'500'000, 700'000, ChannelState::Closing),
            make(0x07, bob(), carol(), kBtt, 2'500'000, 2'000'000, ChannelState::Settling),
        };
        const UnclaimedRefund t1{tx(0x11), dave(), kBtt, amt(500'000)};
        const UnclaimedRefund t2{tx(0x12), dave(), kOther, amt(300)};
        const UnclaimedRefund t3{tx(0x13), alice(), kBtt, amt(20'000)};
        for (const auto& t : {t1, t2, t3})
            m_ledger.add_unclaimed(t);

        const std::vector<Channel> w1 = {all[0], all[1]};
        const std::vector<UnclaimedRefund> r1 = {t1};
        m_ledger.record_plan(w1, r1, plan_settlement(w1, r1, 100).value(), 100);
        const std::vector<Channel> w2 = {all[2], all[3]};
        const std::vector<UnclaimedRefund> r2 = {t3};
        m_ledger.record_plan(w2, r2, plan_settlement(w2, r2, 100).value(), 100);

        all[0].state = ChannelState::Closed;  // window 1's payouts confirmed
        all[1].state = ChannelState::Closed;
        m_ledger.set_channels(all);
    }

    StoredLedger m_ledger;
};

TEST_F(Conservation, RealisticLedgerBalancesToTheUnit) {
    const auto books = m_ledger.check();
    ASSERT_TRUE(books) << books.error().message();
    ASSERT_EQ(books->size(), 2u);

    // BTT: deposits 10 + 5 + 2 + 7 + 1.5 + 2.5 M. Fees 1 % of 4 M and of 5 M (c3 accepted
    // nothing). bob: 3.96 M + 4.95 M; refunds: alice 6 M (c1) + 2 M (c3); held c5, c6, c7.
    const Books& btt = books->at(kBtt);
    EXPECT_EQ(btt.deposits, amt(28'000'000));
    EXPECT_EQ(btt.payee_payouts, amt(8'910'000));
    EXPECT_EQ(btt.fees, amt(90'000));
    EXPECT_EQ(btt.refunds, amt(8'000'000));
    EXPECT_EQ(btt.held, amt(11'000'000));
    EXPECT_EQ(btt.unclaimed, amt(520'000));
    EXPECT_EQ(btt.unclaimed_refunds, amt(520'000));

    // The other token: c4 alone, fee floor(12,345.67) = 12,345; t2 not yet refunded.
    const Books& other = books->at(kOther);
    EXPECT_EQ(other.deposits, amt(3'000'000));
    EXPECT_EQ(other.payee_payouts, amt(1'222'222));
    EXPECT_EQ(other.fees, amt(12'345));
    EXPECT_EQ(other.refunds, amt(1'765'433));
    EXPECT_EQ(other.held, amt(0));
    EXPECT_EQ(other.unclaimed, amt(300));
    EXPECT_EQ(other.unclaimed_refunds, amt(0));

    // Zero shares were dropped by the planner (c2's refund, c3's payee share) and their
    // absence is no violation; alice's BTT refunds of window 2 are netted with t3.
    EXPECT_THROW(payout_row(m_ledger, carol(), kBtt), std::logic_error);
    EXPECT_EQ(m_ledger.payouts.size(), 6u);
}

TEST_F(Conservation, RowOrderDoesNotChangeTheBooks) {
    StoredLedger reversed = m_ledger;
    std::reverse(reversed.channels.begin(), reversed.channels.end());
    std::reverse(reversed.settlements.begin(), reversed.settlements.end());
    std::reverse(reversed.payouts.begin(), reversed.payouts.end());
    std::reverse(reversed.unclaimed.begin(), reversed.unclaimed.end());
    for (auto& p : reversed.payouts)
        std::reverse(p.contributions.begin(), p.contributions.end());
    const auto a = m_ledger.check();
    const auto b = reversed.check();
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    for (const auto& [token, x] : *a) {
        const Books& y = b->at(token);
        EXPECT_EQ(x.deposits, y.deposits);
        EXPECT_EQ(x.payee_payouts, y.payee_payouts);
        EXPECT_EQ(x.fees, y.fees);
        EXPECT_EQ(x.refunds, y.refunds);
        EXPECT_EQ(x.held, y.held);
        EXPECT_EQ(x.unclaimed, y.unclaimed);
        EXPECT_EQ(x.unclaimed_refunds, y.unclaimed_refunds);
    }
}

TEST(ConservationEmpty, NothingStoredIsBalanced) {
    const auto books = check_conservation({}, {}, {}, {});
    ASSERT_TRUE(books);
    EXPECT_TRUE(books->empty());
}

TEST_F(Conservation, CatchesAProofAboveItsDeposit) {
    StoredLedger l = m_ledger;
    channel_row(l, 0x05).accepted = amt(7'000'000);  // = deposit: fine
    EXPECT_TRUE(l.check());
    channel_row(l, 0x05).accepted = amt(7'000'001);
    expect_refused(l, K::ProofExceedsDeposit, channel_id(0x05).to_hex());
}

TEST_F(Conservation, CatchesASplitThatDoesNotAddUp) {
    {  // a newer proof recorded on the channel after its split was stored
        StoredLedger l = m_ledger;
        channel_row(l, 0x01).accepted = amt(4'000'001);
        expect_refused(l, K::SplitMismatch, channel_id(0x01).to_hex());
    }
    {  // the settlement's refund edited
        StoredLedger l = m_ledger;
        settlement_row(l, 0x01).refund = plus(settlement_row(l, 0x01).refund, 1);
        expect_refused(l, K::SplitMismatch, channel_id(0x01).to_hex());
    }
    {  // the settlement's payee share edited
        StoredLedger l = m_ledger;
        settlement_row(l, 0x04).payee_amount = plus(settlement_row(l, 0x04).payee_amount, -1);
        expect_refused(l, K::SplitMismatch, channel_id(0x04).to_hex());
    }
    {  // the channel's deposit edited after settlement
        StoredLedger l = m_ledger;
        channel_row(l, 0x02).deposit = amt(5'000'001);
        expect_refused(l, K::SplitMismatch, channel_id(0x02).to_hex());
    }
}

TEST_F(Conservation, CatchesAFeeThatIsNotTheFloor) {
    {  // the fee raised and the payee share cut to match: the split still sums
        StoredLedger l = m_ledger;
        StoredSettlement& s = settlement_row(l, 0x01);
        s.fee = plus(s.fee, 1);
        s.payee_amount = plus(s.payee_amount, -1);
        expect_refused(l, K::FeeMismatch, channel_id(0x01).to_hex());
    }
    {  // just below the floor: 12,344 for 12,345.67
        StoredLedger l = m_ledger;
        StoredSettlement& s = settlement_row(l, 0x04);
        s.fee = amt(12'344);
        s.payee_amount = plus(s.payee_amount, 1);
        expect_refused(l, K::FeeMismatch, channel_id(0x04).to_hex());
    }
    {  // rounded up instead of down: 12,346
        StoredLedger l = m_ledger;
        StoredSettlement& s = settlement_row(l, 0x04);
        s.fee = amt(12'346);
        s.payee_amount = plus(s.payee_amount, -1);
        expect_refused(l, K::FeeMismatch, channel_id(0x04).to_hex());
    }
    {  // the stored rate edited
        StoredLedger l = m_ledger;
        settlement_row(l, 0x01).fee_bps = 99;
        expect_refused(l, K::FeeMismatch, channel_id(0x01).to_hex());
    }
    {  // a rate above 100 %
        StoredLedger l = m_ledger;
        settlement_row(l, 0x03).fee_bps = 10'001;  // c3 accepted 0: any rate gives fee 0
        expect_refused(l, K::FeeMismatch, channel_id(0x03).to_hex());
    }
}

TEST_F(Conservation, CatchesAPayoutThatIsNotTheSumOfItsContributions) {
    StoredLedger l = m_ledger;
    StoredPayout& p = payout_row(l, bob(), kBtt);
    p.amount = plus(p.amount, 1);
    expect_refused(l, K::PayoutSumMismatch, "payout " + std::to_string(p.id));
    StoredLedger m = m_ledger;
    StoredPayout& q = payout_paying(m, PayoutRole::PayerRefund, 0x03);  // c3 refund + t3, netted
    ASSERT_EQ(q.contributions.size(), 2u);
    q.amount = plus(q.amount, -1);
    expect_refused(m, K::PayoutSumMismatch, "payout " + std::to_string(q.id));
}

TEST_F(Conservation, CatchesUnknownChannels) {
    {  // a settlement for a channel that is not stored
        StoredLedger l = m_ledger;
        settlement_row(l, 0x04).channel = channel_id(0x99);
        expect_refused(l, K::UnknownChannel, channel_id(0x99).to_hex());
    }
    {  // a payee share from a channel that was never settled (c5 is OPEN, same payee)
        StoredLedger l = m_ledger;
        share_of(payout_row(l, bob(), kBtt), PayoutRole::PayeeShare, 0x01).channel =
            channel_id(0x05);
        expect_refused(l, K::UnknownChannel, channel_id(0x05).to_hex());
    }
    {  // a channel share that names no channel at all
        StoredLedger l = m_ledger;
        share_of(payout_row(l, bob(), kOther), PayoutRole::PayerRefund, 0x04).channel.reset();
        expect_refused(l, K::UnknownChannel, "payout");
    }
}

TEST_F(Conservation, CatchesARefundOfAnUnknownTransfer) {
    StoredLedger l = m_ledger;
    refund_of(payout_row(l, dave(), kBtt), 0x11).transfer = tx(0x77);
    expect_refused(l, K::UnknownTransfer, tx(0x77).to_hex());
    StoredLedger m = m_ledger;
    refund_of(payout_row(m, dave(), kBtt), 0x11).transfer.reset();
    expect_refused(m, K::UnknownTransfer, "payout");
}

TEST_F(Conservation, CatchesDoublePayments) {
    {  // a contribution row stored twice in the same payout
        StoredLedger l = m_ledger;
        StoredPayout& p = payout_row(l, bob(), kBtt);
        p.contributions.push_back(share_of(p, PayoutRole::PayeeShare, 0x01));
        expect_refused(l, K::DoubleContribution, channel_id(0x01).to_hex());
    }
    {  // a whole payout stored again under a new id (the next window paying c4 again)
        StoredLedger l = m_ledger;
        StoredPayout again = payout_row(l, alice(), kOther);
        again.id = 99;
        l.payouts.push_back(again);
        expect_refused(l, K::DoubleContribution, channel_id(0x04).to_hex());
    }
    {  // an unclaimed transfer refunded in a second payout
        StoredLedger l = m_ledger;
        StoredPayout again = payout_row(l, dave(), kBtt);
        again.id = 99;
        l.payouts.push_back(again);
        expect_refused(l, K::DoubleContribution, tx(0x11).to_hex());
    }
    {  // a channel settled twice
        StoredLedger l = m_ledger;
        l.settlements.push_back(settlement_row(l, 0x02));
        expect_refused(l, K::DoubleContribution, channel_id(0x02).to_hex());
    }
    {  // the same payout id twice
        StoredLedger l = m_ledger;
        l.payouts.push_back(StoredPayout{l.payouts.front().id, carol(), kBtt, Amount{}, {}});
        expect_refused(l, K::DoubleContribution, "payout " + std::to_string(l.payouts.front().id));
    }
}

TEST_F(Conservation, CatchesAContributionThatDiffersFromItsSource) {
    {  // a payee share skimmed (the payout row left alone)
        StoredLedger l = m_ledger;
        StoredContribution& c = share_of(payout_row(l, bob(), kBtt), PayoutRole::PayeeShare, 0x01);
        c.amount = plus(c.amount, -1);
        expect_refused(l, K::ContributionMismatch, channel_id(0x01).to_hex());
    }
    {  // a payer refund inflated
        StoredLedger l = m_ledger;
        StoredContribution& c =
            share_of(payout_row(l, bob(), kOther), PayoutRole::PayerRefund, 0x04);
        c.amount = plus(c.amount, 1);
        expect_refused(l, K::ContributionMismatch, channel_id(0x04).to_hex());
    }
    {  // an unclaimed refund that differs from what was received
        StoredLedger l = m_ledger;
        StoredContribution& c = refund_of(payout_row(l, dave(), kBtt), 0x11);
        c.amount = plus(c.amount, 1);
        expect_refused(l, K::ContributionMismatch, tx(0x11).to_hex());
    }
    {  // paid in another token than the channel's
        StoredLedger l = m_ledger;
        payout_row(l, alice(), kOther).token_id = "1000002";
        expect_refused(l, K::ContributionMismatch, channel_id(0x04).to_hex());
    }
    {  // a refund of a transfer whose row says no refund was planned
        StoredLedger l = m_ledger;
        unclaimed_row(l, 0x11).refund_planned = false;
        expect_refused(l, K::ContributionMismatch, tx(0x11).to_hex());
    }
}

TEST_F(Conservation, CatchesMoneySentToTheWrongAddress) {
    {  // bob's payee shares redirected to carol
        StoredLedger l = m_ledger;
        payout_row(l, bob(), kBtt).recipient = carol();
        expect_refused(l, K::WrongRecipient, "payout");
    }
    {  // alice's refund of c1 sent to c1's payee instead
        StoredLedger l = m_ledger;
        payout_paying(l, PayoutRole::PayerRefund, 0x01).recipient = bob();
        expect_refused(l, K::WrongRecipient, bob().to_base58());
    }
    {  // dave's unclaimed refund sent to carol
        StoredLedger l = m_ledger;
        payout_row(l, dave(), kBtt).recipient = carol();
        expect_refused(l, K::WrongRecipient, tx(0x11).to_hex());
    }
}

TEST_F(Conservation, CatchesAChannelPaidBeforeItSettles) {
    StoredLedger l = m_ledger;
    channel_row(l, 0x01).state = ChannelState::Open;
    expect_refused(l, K::OpenChannelPaid, channel_id(0x01).to_hex());
    StoredLedger m = m_ledger;
    channel_row(m, 0x04).state = ChannelState::Closing;
    expect_refused(m, K::OpenChannelPaid, channel_id(0x04).to_hex());
}

// Issue 20, defect 2: totals are 128-bit. Anyone can send the escrow amounts near 2^63 of
// a self-issued token; summed in int64, two of them stopped the books (and every payout)
// for good. A single row's own sums are still int64 and still refused past INT64_MAX.
TEST_F(Conservation, TotalsPastInt64MaxBalanceAndOnlyARowsOwnSumOverflows) {
    {  // two unclaimed transfers of a foreign token, each INT64_MAX: no overflow
        StoredLedger l = m_ledger;
        l.unclaimed.push_back({tx(0x51), carol(), "9999999", amt(Amount::kMax), false});
        l.unclaimed.push_back({tx(0x52), carol(), "9999999", amt(Amount::kMax), false});
        const auto books = l.check();
        ASSERT_TRUE(books) << books.error().message();
        EXPECT_EQ(books->at("9999999").unclaimed.to_string(), "18446744073709551614");
        EXPECT_EQ(books->at(kBtt).deposits, amt(28'000'000));  // the settled token unaffected
    }
    {  // channels whose deposits sum past INT64_MAX, held: the identity holds in 128 bits
        const std::vector<Channel> cs = {
            make(0x31, alice(), bob(), kOther, Amount::kMax, 0, ChannelState::Open),
            make(0x32, carol(), bob(), kOther, Amount::kMax, 5, ChannelState::Open)};
        StoredLedger l;
        l.set_channels(cs);
        const auto books = l.check();
        ASSERT_TRUE(books) << books.error().message();
        EXPECT_EQ(books->at(kOther).held.to_string(), "18446744073709551614");
        EXPECT_EQ(books->at(kOther).held, books->at(kOther).deposits);
    }
    {  // a payee share edited to INT64_MAX: that row's payee_amount + fee overflows
        StoredLedger l = m_ledger;
        settlement_row(l, 0x01).payee_amount = amt(Amount::kMax);
        expect_refused(l, K::Overflow, channel_id(0x01).to_hex());
    }
    {  // a payer refund and an unclaimed refund, each INT64_MAX - 1 and each right on its
       // own, netted into one payout of INT64_MAX - 1 (the planner refuses this; a tampered
       // row could not): the contributions' 128-bit sum is not the payout's amount
        const std::vector<Channel> cs = {
            make(0x21, alice(), bob(), kBtt, Amount::kMax - 1, 0, ChannelState::Settling)};
        StoredLedger l;
        l.set_channels(cs);
        l.settlements.push_back({cs[0].id, 100, amt(0), amt(0), amt(0), cs[0].deposit});
        l.unclaimed.push_back({tx(0x41), alice(), kBtt, amt(Amount::kMax - 1), true});
        const StoredContribution refund{PayoutRole::PayerRefund, cs[0].id, std::nullopt,
                                        amt(Amount::kMax - 1)};
        const StoredContribution unclaimed{PayoutRole::UnclaimedRefund, std::nullopt, tx(0x41),
                                           amt(Amount::kMax - 1)};
        l.payouts.push_back({1, alice(), kBtt, amt(Amount::kMax - 1), {refund}});
        l.payouts.push_back({2, alice(), kBtt, amt(Amount::kMax - 1), {unclaimed}});
        ASSERT_TRUE(l.check());
        l.payouts.pop_back();
        l.payouts[0].contributions.push_back(unclaimed);
        expect_refused(l, K::PayoutSumMismatch, "payout 1");
    }
}

// Reconciliation reads SQL's numeric sums as Totals and reports them in int64 fields.
TEST(Total, ReadsSqlSumsSubtractsAndSaturatesIntoInt64) {
    const auto big = Total::from_decimal("18446744073709551614");  // 2 * INT64_MAX
    ASSERT_TRUE(big);
    EXPECT_EQ(big->to_string(), "18446744073709551614");
    EXPECT_EQ(big->saturated(), Amount::kMax);
    EXPECT_EQ(Total::from_decimal("0")->to_string(), "0");
    EXPECT_EQ(Total::from_decimal("170141183460469231731687303715884105727")->to_string(),
              "170141183460469231731687303715884105727");  // 2^127 - 1
    for (const char* bad : {"", "-1", "+1", "1.5", "1e3", " 1", "1 ", "abc",
                            "170141183460469231731687303715884105728",  // 2^127
                            "9999999999999999999999999999999999999999"})
        EXPECT_FALSE(Total::from_decimal(bad)) << bad;
    Total five;
    five.add(amt(5));
    const auto below = five.minus(*big);
    EXPECT_TRUE(below.is_negative());
    EXPECT_EQ(below.to_string(), "-18446744073709551609");
    EXPECT_EQ(below.saturated(), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(big->minus(*big), Total{});
    EXPECT_EQ(five.saturated(), 5);
}

TEST_F(Conservation, CatchesASettledChannelWhosePayoutIsMissing) {
    // Every remaining row is consistent, so only the per-token identity can notice.
    {  // alice's payee share of c4 (her only payout in that token) never stored
        StoredLedger l = m_ledger;
        erase_payout(l, alice(), kOther);
        expect_refused(l, K::BooksUnbalanced, kOther);
    }
    {  // bob's netted payee shares of c1 and c2 never stored
        StoredLedger l = m_ledger;
        erase_payout(l, bob(), kBtt);
        expect_refused(l, K::BooksUnbalanced, kBtt);
    }
    {  // one contribution removed, its payout's amount reduced to match
        StoredLedger l = m_ledger;
        StoredPayout& p = payout_paying(l, PayoutRole::PayerRefund, 0x03);
        const Amount c3_refund = share_of(p, PayoutRole::PayerRefund, 0x03).amount;
        std::erase_if(p.contributions, [](const StoredContribution& c) {
            return c.role == PayoutRole::PayerRefund;
        });
        p.amount = *p.amount.checked_sub(c3_refund);
        expect_refused(l, K::BooksUnbalanced, kBtt);
    }
    {  // dave's unclaimed refund never stored, though t1 is marked refund_planned
        StoredLedger l = m_ledger;
        erase_payout(l, dave(), kBtt);
        expect_refused(l, K::BooksUnbalanced, kBtt);
    }
    {  // t2 marked refund_planned with no payout refunding it
        StoredLedger l = m_ledger;
        unclaimed_row(l, 0x12).refund_planned = true;
        expect_refused(l, K::BooksUnbalanced, kOther);
    }
    {  // a settlement row deleted with its payouts: c4 then reads as held, which balances
        StoredLedger l = m_ledger;
        erase_payout(l, alice(), kOther);
        erase_payout(l, bob(), kOther);
        std::erase_if(l.settlements,
                      [](const StoredSettlement& s) { return s.channel == channel_id(0x04); });
        const auto books = l.check();
        ASSERT_TRUE(books);
        EXPECT_EQ(books->at(kOther).held, amt(3'000'000));
    }
}

TEST_F(Conservation, AFeeChangeDoesNotRewriteHistory) {
    // c7 is planned in a third window at 2.5 %: each split is checked at its own stored rate.
    StoredLedger l = m_ledger;
    Channel c7 = make(0x07, bob(), carol(), kBtt, 2'500'000, 2'000'000, ChannelState::Settling);
    const std::vector<Channel> w3 = {c7};
    l.record_plan(w3, {}, plan_settlement(w3, {}, 250).value(), 250);
    const auto books = l.check();
    ASSERT_TRUE(books) << books.error().message();
    EXPECT_EQ(books->at(kBtt).fees, amt(90'000 + 50'000));
    EXPECT_EQ(books->at(kBtt).held, amt(8'500'000));
    // Re-stamping an old settlement with today's rate is caught.
    settlement_row(l, 0x01).fee_bps = 250;
    expect_refused(l, K::FeeMismatch, channel_id(0x01).to_hex());
}

TEST(ConservationFee, TheFloorBracketHoldsAtTheExtremes) {
    for (const std::uint32_t bps : {0u, 1u, 100u, 9'999u, 10'000u}) {
        std::vector<Channel> cs = {
            make(0x31, alice(), bob(), kBtt, Amount::kMax, Amount::kMax, ChannelState::Settling)};
        const auto plan = plan_settlement(cs, {}, bps).value();
        StoredLedger l = StoredLedger::of(cs, cs, plan, bps);
        const auto books = l.check();
        ASSERT_TRUE(books) << bps << ": " << books.error().message();
        EXPECT_EQ(books->at(kBtt).fees, plan.channels[0].fee) << bps;
        // One unit off either way, the split kept summing, is refused (the settlement row
        // is checked before any payout, so the payouts need not follow).
        for (const std::int64_t d : {-1, 1}) {
            StoredLedger t = l;
            StoredSettlement& s = t.settlements[0];
            if ((d < 0 && s.fee.is_zero()) || (d > 0 && s.payee_amount.is_zero()))
                continue;
            s.fee = amt(s.fee.value() + d);
            s.payee_amount = amt(s.payee_amount.value() - d);
            expect_refused(t, K::FeeMismatch, channel_id(0x31).to_hex());
        }
    }
    // INT64_MAX at 1 bp: floor(922,337,203,685,477.5807).
    std::vector<Channel> cs = {
        make(0x31, alice(), bob(), kBtt, Amount::kMax, Amount::kMax, ChannelState::Settling)};
    EXPECT_EQ(plan_settlement(cs, {}, 1).value().channels[0].fee, amt(922'337'203'685'477));
}

TEST(ConservationTokens, EveryKindHasItsOwnStableToken) {
    const std::vector<std::pair<K, std::string>> all = {
        {K::ProofExceedsDeposit, "proof_exceeds_deposit"},
        {K::SplitMismatch, "split_mismatch"},
        {K::FeeMismatch, "fee_mismatch"},
        {K::PayoutSumMismatch, "payout_sum_mismatch"},
        {K::UnknownChannel, "unknown_channel"},
        {K::UnknownTransfer, "unknown_transfer"},
        {K::DoubleContribution, "double_contribution"},
        {K::ContributionMismatch, "contribution_mismatch"},
        {K::WrongRecipient, "wrong_recipient"},
        {K::OpenChannelPaid, "open_channel_paid"},
        {K::Overflow, "overflow"},
        {K::BooksUnbalanced, "books_unbalanced"},
    };
    for (const auto& [kind, token] : all) {
        EXPECT_EQ(kind_token(kind), token);
        const ConservationError e{kind, "token 1002000"};
        EXPECT_EQ(e.message().rfind("conservation violated: ", 0), 0u);
        EXPECT_NE(e.message().find("(token 1002000)"), std::string::npos);
    }
}

// Random ledgers, planned by plan_settlement over several windows at changing fee rates,
// always balance, and the books agree with totals kept beside them. Then single-row
// tampering of each planned ledger is always caught. Replay with BTT_TEST_SEED.
TEST(ConservationProperty, RandomPlannedLedgersAlwaysBalance) {
    btt::testkit::SeededRng rng;
    const std::vector<std::string> tokens = {"1002000", "1000001", "1000002"};
    const std::vector<TronAddress> people = {alice(), bob(), carol(), dave(),
                                             btt::testkit::actor("erin")};
    auto pick = [&](const auto& v) -> const auto& {
        return v[rng.uniform(0, v.size() - 1)];
    };
    auto amount = [&](std::int64_t hi) {
        switch (rng.uniform(0, 4)) {
            case 0:
                return amt(0);
            case 1:
                return amt(hi);
            default:
                return amt(
                    static_cast<std::int64_t>(rng.uniform(0, static_cast<std::uint64_t>(hi))));
        }
    };
    std::size_t tampered = 0;
    for (int round = 0; round < 300; ++round) {
        struct Expect {
            Amount deposits, fees, held, unclaimed, unclaimed_refunds;
        };
        std::map<std::string, Expect> expect;
        auto sum = [](Amount& into, Amount more) { into = into.checked_add(more).value(); };

        std::vector<Channel> channels;
        const auto n = rng.uniform(0, 25);
        for (std::uint64_t i = 0; i < n; ++i) {
            Channel c = open_channel(1);
            c.id = ChannelId(rng.array<32>());
            c.payer = pick(people);
            c.payee = pick(people);
            c.token_id = pick(tokens);
            c.deposit = amount(rng.uniform(0, 9) == 0 ? 1'000'000'000'000'000 : 50'000'000);
            c.accepted = amount(c.deposit.value());
            c.state = static_cast<ChannelState>(rng.uniform(1, 3));  // OPEN, CLOSING, SETTLING
            sum(expect[c.token_id].deposits, c.deposit);
            channels.push_back(c);
        }
        StoredLedger l;
        std::vector<UnclaimedRefund> pending;
        const auto m = rng.uniform(0, 8);
        for (std::uint64_t i = 0; i < m; ++i) {
            pending.push_back(
                {TxId(rng.array<32>()), pick(people), pick(tokens), amount(5'000'000)});
            l.add_unclaimed(pending.back());
            sum(expect[pending.back().token_id].unclaimed, pending.back().amount);
        }

        std::set<ChannelId> planned;
        const auto windows = rng.uniform(1, 3);
        for (std::uint64_t w = 0; w < windows; ++w) {
            const std::uint32_t bps =
                rng.uniform(0, 2) == 0 ? static_cast<std::uint32_t>(rng.uniform(0, 10'000)) : 100;
            std::vector<Channel> due;
            for (const auto& c : channels) {
                if (c.state == ChannelState::Settling && !planned.count(c.id) &&
                    rng.uniform(0, 1) == 0)
                    due.push_back(c);
            }
            std::vector<UnclaimedRefund> refunds, keep;
            for (const auto& u : pending)
                (rng.uniform(0, 1) == 0 ? refunds : keep).push_back(u);
            pending = keep;
            const auto plan = plan_settlement(due, refunds, bps);
            ASSERT_TRUE(plan) << error_token(plan.error());
            l.record_plan(due, refunds, *plan, bps);
            for (const auto& c : due)
                planned.insert(c.id);
            for (const auto& [token, fee] : plan->fees_by_token)
                sum(expect[token].fees, fee);
            for (const auto& u : refunds)
                sum(expect[u.token_id].unclaimed_refunds, u.amount);
        }
        for (auto& c : channels) {
            if (!planned.count(c.id)) {
                sum(expect[c.token_id].held, c.deposit);
            } else if (rng.uniform(0, 1) == 0) {
                c.state = ChannelState::Closed;  // its payouts confirmed
            }
        }
        l.set_channels(channels);

        const auto books = l.check();
        ASSERT_TRUE(books) << "round " << round << ": " << books.error().message();
        for (const auto& [token, e] : expect) {
            const Books& b = books->at(token);
            EXPECT_EQ(b.deposits, e.deposits) << token;
            EXPECT_EQ(b.fees, e.fees) << token;
            EXPECT_EQ(b.held, e.held) << token;
            EXPECT_EQ(b.unclaimed, e.unclaimed) << token;
            EXPECT_EQ(b.unclaimed_refunds, e.unclaimed_refunds) << token;
        }
        EXPECT_EQ(books->size(), expect.size());

        if (l.payouts.empty())
            continue;
        ++tampered;
        // The planner never stores a zero payout, so each one carries money.
        const auto victim = rng.uniform(0, l.payouts.size() - 1);
        {
            StoredLedger t = l;
            t.payouts[victim].amount = plus(t.payouts[victim].amount, -1);
            expect_refused(t, K::PayoutSumMismatch,
                           "payout " + std::to_string(t.payouts[victim].id));
        }
        {
            StoredLedger t = l;
            auto& cs = t.payouts[victim].contributions;
            auto& c = cs[rng.uniform(0, cs.size() - 1)];
            c.amount = c.amount.is_zero() ? amt(1) : plus(c.amount, -1);
            expect_refused(t, K::ContributionMismatch,
                           "payout " + std::to_string(t.payouts[victim].id));
        }
        {
            StoredLedger t = l;
            t.payouts.erase(t.payouts.begin() + static_cast<std::ptrdiff_t>(victim));
            expect_refused(t, K::BooksUnbalanced, "token " + l.payouts[victim].token_id);
        }
        if (::testing::Test::HasFailure())
            return;
    }
    EXPECT_GT(tampered, 100u);
}

}  // namespace
