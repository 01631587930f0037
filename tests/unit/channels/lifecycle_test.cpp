// Who may close a channel and what follows; every illegal move is a typed error that
// changes nothing.
#include <gtest/gtest.h>

#include <btt/channels/lifecycle.h>

#include "fixtures.h"

namespace {

using namespace btt::channels;
using namespace btt::channels::test;

const UnixSeconds kNow{kOpenedAt.value + 1000};

CloseRequest close_by(const Channel& c, const btt::tron::PrivateKey& key) {
    const auto sig = btt::tron::sign_message_v2(key, btt::tron::close_message(c.id.bytes()));
    return CloseRequest{c.id, btt::Bytes(sig.begin(), sig.end())};
}

TEST(CloseRequest, IdentifiesPayerAndPayeeAndRefusesOthers) {
    const Channel c = open_channel();
    EXPECT_EQ(check_close(c, close_by(c, btt::testkit::alice())).value(), Party::Payer);
    EXPECT_EQ(check_close(c, close_by(c, btt::testkit::bob())).value(), Party::Payee);
    EXPECT_EQ(check_close(c, close_by(c, btt::testkit::carol())).error(), LifecycleError::NotAParty);
    auto broken = close_by(c, btt::testkit::alice());
    broken.signature[64] = 9;
    EXPECT_EQ(check_close(c, broken).error(), LifecycleError::BadCloseSignature);
    broken.signature.pop_back();
    EXPECT_EQ(check_close(c, broken).error(), LifecycleError::BadCloseSignature);
    // A close signed for another channel recovers to a stranger, never to a party.
    const Channel other = open_channel(10'000'000, 0x22);
    auto foreign = close_by(other, btt::testkit::alice());
    foreign.channel = c.id;
    EXPECT_FALSE(check_close(c, foreign));
}

TEST(CloseRequestDeathTest, ARequestForAnotherChannelIsACallerBug) {
    const Channel c = open_channel();
    const Channel other = open_channel(10'000'000, 0x22);
    EXPECT_DEATH((void)check_close(c, close_by(other, btt::testkit::alice())),
                 "not the request's");
}

TEST(Lifecycle, PayerCloseWaitsTheSettleDelayCappedAtExpiry) {
    const auto r = rules();
    Channel c = open_channel();
    const auto t = request_close(c, Party::Payer, kNow, r);
    ASSERT_TRUE(t);
    EXPECT_EQ(c.state, ChannelState::Closing);
    EXPECT_EQ(*c.settle_at, kNow.plus(r.settle_delay));
    EXPECT_FALSE(advance_by_time(c, UnixSeconds{c.settle_at->value - 1}, r));
    EXPECT_EQ(c.state, ChannelState::Closing);
    const auto due = advance_by_time(c, *c.settle_at, r);
    ASSERT_TRUE(due);
    EXPECT_EQ(due->to, ChannelState::Settling);
    EXPECT_EQ(c.close_cause, CloseCause::PayerRequest);

    Channel late = open_channel();
    const UnixSeconds near_expiry{late.expiry.value - 10};
    ASSERT_TRUE(request_close(late, Party::Payer, near_expiry, r));
    EXPECT_EQ(*late.settle_at, late.expiry);
}

TEST(Lifecycle, PayeeCloseAndForceSettleGoStraightToSettling) {
    const auto r = rules();
    Channel a = open_channel();
    ASSERT_TRUE(request_close(a, Party::Payee, kNow, r));
    EXPECT_EQ(a.state, ChannelState::Settling);
    Channel b = open_channel();
    ASSERT_TRUE(request_close(b, Party::Payer, kNow, r));
    ASSERT_TRUE(request_close(b, Party::Payee, kNow, r));  // payee cuts the delay short
    EXPECT_EQ(b.state, ChannelState::Settling);
    EXPECT_FALSE(b.settle_at);
    Channel f = open_channel();
    ASSERT_TRUE(force_settle(f));
    EXPECT_EQ(f.close_cause, CloseCause::ForceSettle);
}

TEST(Lifecycle, ExpirySettlesAfterTheGrace) {
    auto r = rules();
    r.expiry_grace = std::chrono::seconds(300);
    Channel c = open_channel();
    EXPECT_FALSE(advance_by_time(c, c.expiry, r));
    EXPECT_FALSE(advance_by_time(c, UnixSeconds{c.expiry.value + 299}, r));
    const auto t = advance_by_time(c, UnixSeconds{c.expiry.value + 300}, r);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->cause, CloseCause::Expiry);
}

TEST(Lifecycle, IllegalMovesAreTypedErrorsThatChangeNothing) {
    const auto r = rules();
    Channel closing = open_channel();
    ASSERT_TRUE(request_close(closing, Party::Payer, kNow, r));
    Channel before = closing;
    EXPECT_EQ(request_close(closing, Party::Payer, kNow, r).error(), LifecycleError::AlreadyClosing);
    EXPECT_TRUE(same_state(before, closing));

    Channel settling = open_channel();
    ASSERT_TRUE(force_settle(settling));
    before = settling;
    EXPECT_EQ(request_close(settling, Party::Payer, kNow, r).error(), LifecycleError::AlreadySettling);
    EXPECT_EQ(request_close(settling, Party::Payee, kNow, r).error(), LifecycleError::AlreadySettling);
    EXPECT_EQ(force_settle(settling).error(), LifecycleError::AlreadySettling);
    EXPECT_FALSE(advance_by_time(settling, UnixSeconds{settling.expiry.value + 10'000}, r));
    EXPECT_TRUE(same_state(before, settling));

    ASSERT_TRUE(mark_closed(settling));
    EXPECT_EQ(settling.state, ChannelState::Closed);
    before = settling;
    EXPECT_EQ(mark_closed(settling).error(), LifecycleError::NotSettling);
    EXPECT_EQ(force_settle(settling).error(), LifecycleError::AlreadySettling);
    EXPECT_TRUE(same_state(before, settling));

    Channel open = open_channel();
    before = open;
    EXPECT_EQ(mark_closed(open).error(), LifecycleError::NotSettling);
    EXPECT_TRUE(same_state(before, open));
}

}  // namespace
