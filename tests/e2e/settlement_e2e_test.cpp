// Settlement end to end (issue 11): closes by payee and payer, expiry, netted payouts that
// land on chain exactly once, CloseChannel's statuses, and reconciliation.
#include <algorithm>
#include <set>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <btt/testkit/actors.h>

#include "proof_session.h"

namespace btt::e2e {
namespace {

namespace tk = btt::testkit;
using Clock = std::chrono::steady_clock;

// Fast settlement: 1 s windows, 2 s settle delay, 1 % fee, short horizons for expiry.
RigOptions fast_settlement(const std::string& more = "") {
    RigOptions o;
    o.extra_config =
        "settle_delay_s = 2\nfee_bps = 100\nmin_expiry_horizon_s = 3\n"
        "[settlement]\nwindow_s = 1\npayout_expiration_s = 3\n" +
        more;
    return o;
}

grpc::Status close(NodeRig& rig, const channels::ChannelId& id, const tron::PrivateKey& who,
                   v1::CloseResult* out = nullptr) {
    auto stub = rig.stub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::CloseRequest req;
    req.set_channel_id(str(id.bytes()));
    req.set_signature(str(tron::sign_message_v2(who, tron::close_message(id.bytes()))));
    v1::CloseResult result;
    const auto s = stub->CloseChannel(&ctx, req, &result);
    if (out)
        *out = result;
    return s;
}

void pay(NodeRig& rig, const channels::ChannelId& id, std::uint64_t amount,
         const tron::PrivateKey& payer = tk::alice(), const char* expect = nullptr) {
    auto stub = rig.stub();
    ProofSession s(*stub);
    s.send(proof_request(1, id, amount, payer));
    ASSERT_TRUE(s.finish().ok());
    const auto r = s.results();
    ASSERT_EQ(r.size(), 1u);
    if (expect == nullptr) {
        ASSERT_EQ(r[0].outcome(), v1::OUTCOME_ACCEPTED) << r[0].reason_token();
    } else {
        ASSERT_EQ(r[0].reason_token(), expect);
    }
}

v1::ChannelInfo wait_state(NodeRig& rig, const channels::ChannelId& id, v1::ChannelState state,
                           std::chrono::seconds limit = std::chrono::seconds(60)) {
    return *rig.wait_channel(
        id, [&](const auto& c) { return c && c->state() == state; }, limit);
}

TEST(SettlementE2E, APayeeCloseSettlesAtOnceAndPaysExactlyThePlan) {
    NodeRig rig(fast_settlement());
    rig.start_node();
    const auto bob = tk::actor("bob");
    const auto alice_before = rig.token_balance(tk::alice().address());
    const auto id = rig.open_channel(tk::alice(), bob, 10'000'000);
    pay(rig, id, 4'000'000);
    v1::CloseResult result;
    ASSERT_TRUE(close(rig, id, tk::actor_key("bob"), &result).ok());
    EXPECT_EQ(result.state(), v1::CHANNEL_STATE_SETTLING);
    // Proofs are refused from now on; the same amount again is still an ack.
    pay(rig, id, 5'000'000, tk::alice(), "channel_not_open");
    const auto closed = wait_state(rig, id, v1::CHANNEL_STATE_CLOSED);
    EXPECT_EQ(closed.close_cause(), "payee_request");
    // 1 % fee stays in the escrow; bob gets 3,960,000; alice 6,000,000 back.
    EXPECT_EQ(rig.token_balance(bob), 3'960'000);
    EXPECT_EQ(rig.token_balance(tk::alice().address()), alice_before - 4'000'000);
    EXPECT_EQ(rig.token_balance(rig.escrow()), 40'000);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payouts WHERE state = 3"), 2);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts"), 2);
}

TEST(SettlementE2E, APayerCloseWaitsTheSettleDelayDuringWhichANewerProofWins) {
    NodeRig rig(fast_settlement());
    rig.start_node();
    const auto bob = tk::actor("bob");
    const auto id = rig.open_channel(tk::alice(), bob, 10'000'000);
    pay(rig, id, 1'000'000);
    v1::CloseResult result;
    ASSERT_TRUE(close(rig, id, tk::alice(), &result).ok());
    EXPECT_EQ(result.state(), v1::CHANNEL_STATE_CLOSING);
    EXPECT_GT(result.settle_at(), 0);
    // The payer asking again while CLOSING: FAILED_PRECONDITION.
    EXPECT_EQ(close(rig, id, tk::alice()).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    pay(rig, id, 2'000'000);  // the payee's newer proof during the delay wins
    const auto closed = wait_state(rig, id, v1::CHANNEL_STATE_CLOSED);
    EXPECT_EQ(closed.close_cause(), "payer_request");
    EXPECT_EQ(closed.accepted(), 2'000'000);
    EXPECT_EQ(rig.token_balance(bob), 1'980'000);
}

TEST(SettlementE2E, AProofAtOrAfterSettleAtIsRefusedEvenBeforeTheTimerMoves) {
    // A long window: the timer will not have moved the channel when the proof comes.
    RigOptions o;
    o.extra_config = "settle_delay_s = 1\n[settlement]\nwindow_s = 3600\n";
    NodeRig rig(o);
    rig.start_node();
    const auto id = rig.open_channel(tk::alice(), tk::actor("bob"), 10'000'000);
    v1::CloseResult result;
    ASSERT_TRUE(close(rig, id, tk::alice(), &result).ok());
    const auto deadline =
        std::chrono::system_clock::time_point(std::chrono::seconds(result.settle_at()));
    std::this_thread::sleep_until(deadline + std::chrono::milliseconds(100));
    EXPECT_EQ(rig.wait_channel(id, [](const auto&) { return true; })->state(),
              v1::CHANNEL_STATE_CLOSING);
    pay(rig, id, 1'000, tk::alice(), "channel_not_open");
}

TEST(SettlementE2E, AnExpiredChannelSettlesWithItsLastProof) {
    NodeRig rig(fast_settlement());
    rig.start_node();
    const auto bob = tk::actor("bob");
    const auto txid =
        rig.transfer(tk::alice(), rig.escrow(), "1002000", 3'000'000, rig.open_memo(bob, 4));
    const auto id = channels::channel_id_of(txid);
    rig.wait_channel(id, [](const auto& c) { return c.has_value(); });
    pay(rig, id, 1'000'000);
    const auto closed = wait_state(rig, id, v1::CHANNEL_STATE_CLOSED);
    EXPECT_EQ(closed.close_cause(), "expiry");
    EXPECT_EQ(rig.token_balance(bob), 990'000);
}

TEST(SettlementE2E, CloseChannelAnswersEveryErrorStatus) {
    NodeRig rig(fast_settlement());
    rig.start_node();
    const auto id = rig.open_channel(tk::alice(), tk::actor("bob"), 10'000'000);
    EXPECT_EQ(close(rig, channels::ChannelId(Hash32{7}), tk::alice()).error_code(),
              grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(close(rig, id, tk::carol()).error_code(), grpc::StatusCode::PERMISSION_DENIED);
    {
        auto stub = rig.stub();
        grpc::ClientContext ctx;
        v1::CloseRequest req;
        req.set_channel_id(str(id.bytes()));
        req.set_signature("short");
        v1::CloseResult r;
        EXPECT_EQ(stub->CloseChannel(&ctx, req, &r).error_code(),
                  grpc::StatusCode::INVALID_ARGUMENT);
    }
    ASSERT_TRUE(close(rig, id, tk::actor_key("bob")).ok());
    EXPECT_EQ(close(rig, id, tk::actor_key("bob")).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(close(rig, id, tk::alice()).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST(SettlementE2E, TwoHundredChannelsToTwentyPayeesSettleInNettedPayouts) {
    NodeRig rig(fast_settlement());
    rig.start_node();
    std::vector<tron::TronAddress> payees;
    for (int i = 0; i < 20; ++i)
        payees.push_back(tk::actor("payee-" + std::to_string(i)));
    // Blocks stop while 200 funding transfers go out, so they open together; all expire
    // at the same second, so they become due in the same window and are paid together.
    rig.chain().faults().paused = true;
    const auto expiry = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count() +
                                       15);
    std::vector<channels::ChannelId> ids;
    for (int i = 0; i < 200; ++i) {
        const auto& payer = i % 2 ? tk::alice() : tk::carol();
        ids.push_back(channels::channel_id_of(rig.transfer(
            payer, rig.escrow(), "1002000", 1'000'000 + i,
            "btt-channel:v1:open:" + payees[static_cast<std::size_t>(i % 20)].to_base58() + ":" +
                expiry)));
    }
    rig.chain().faults().paused = false;
    for (const auto& id : ids)
        rig.wait_channel(id, [](const auto& c) { return c.has_value(); });
    auto stub = rig.stub();
    ProofSession s(*stub);
    for (int i = 0; i < 200; ++i) {
        s.send(proof_request(static_cast<std::uint64_t>(i), ids[static_cast<std::size_t>(i)],
                             500'000 + static_cast<std::uint64_t>(i),
                             i % 2 ? tk::alice() : tk::carol()));
    }
    ASSERT_TRUE(s.finish().ok());
    for (const auto& r : s.results())
        ASSERT_EQ(r.outcome(), v1::OUTCOME_ACCEPTED);
    for (const auto& id : ids)
        wait_state(rig, id, v1::CHANNEL_STATE_CLOSED, std::chrono::seconds(120));
    // Each payee: the sum of its channels' shares (amount - 1 % fee), in one payout per window.
    for (int p = 0; p < 20; ++p) {
        std::int64_t expect = 0;
        for (int i = p; i < 200; i += 20) {
            const std::int64_t a = 500'000 + i;
            expect += a - a / 100;
        }
        EXPECT_EQ(rig.token_balance(payees[static_cast<std::size_t>(p)]), expect) << "payee " << p;
    }
    // 20 payee payouts and one refund each to alice and carol: 22 transfers for 200 channels.
    EXPECT_EQ(rig.db_int("SELECT count(DISTINCT payout_id) FROM payout_contributions WHERE role = 1"),
              20);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payouts"), 22);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts WHERE state = 3"),
              rig.db_int("SELECT count(*) FROM payouts"));
}

TEST(SettlementE2E, WatchChannelStreamsEveryEventUntilTheChannelCloses) {
    NodeRig rig(fast_settlement());
    rig.start_node();
    const auto id = rig.open_channel(tk::alice(), tk::actor("bob"), 10'000'000);
    auto stub = rig.stub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::WatchChannelRequest req;
    req.set_channel_id(str(id.bytes()));
    auto reader = stub->WatchChannel(&ctx, req);
    std::vector<v1::ChannelEvent> seen;
    std::thread collect([&] {
        v1::ChannelEvent e;
        while (reader->Read(&e)) seen.push_back(e);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // subscribed by now
    pay(rig, id, 3'000'000);
    ASSERT_TRUE(close(rig, id, tk::actor_key("bob")).ok());
    collect.join();
    EXPECT_TRUE(reader->Finish().ok());
    std::vector<std::string> kinds;
    for (const auto& e : seen) {
        kinds.push_back(e.kind());
        EXPECT_EQ(e.channel_id(), str(id.bytes()));
    }
    ASSERT_GE(kinds.size(), 5u);
    EXPECT_EQ(kinds.front(), "proof_accepted");
    EXPECT_EQ(seen.front().amount(), 3'000'000);
    EXPECT_EQ(kinds[1], "settling");
    EXPECT_EQ(kinds.back(), "closed");
    // One event per state change: the commit of SETTLING -> CLOSED is `closed` alone.
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "settling"), 1);
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "closed"), 1);
    EXPECT_EQ(seen.back().state(), v1::CHANNEL_STATE_CLOSED);
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "payout_confirmed"), 2);  // bob's share, alice's refund
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "payout_broadcast"), 2);
    // Unknown channels are NOT_FOUND.
    grpc::ClientContext ctx2;
    req.set_channel_id(std::string(32, '\x07'));
    auto none = stub->WatchChannel(&ctx2, req);
    v1::ChannelEvent e;
    EXPECT_FALSE(none->Read(&e));
    EXPECT_EQ(none->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace btt::e2e
