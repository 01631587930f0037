// The bridge against trondev on loopback: reads, not-found semantics, broadcast outcome
// classes, every injected fault, and the proof-of-death rule both ways.
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include <tron/api/api.pb.h>

#include <btt/testkit/actors.h>
#include <btt/tron/client/tron_client.h>
#include <btt/trondev/node.h>

namespace {

using namespace btt::tron::client;
using btt::trondev::Genesis;
using btt::trondev::Node;
using btt::trondev::NodeOptions;
namespace tk = btt::testkit;
using Clock = std::chrono::steady_clock;
constexpr int kGrpcCancelled = 1, kGrpcUnknown = 2, kGrpcInternal = 13, kGrpcUnavailable = 14,
              kGrpcDeadlineExceeded = 4;

class Bridge : public ::testing::Test {
protected:
    void SetUp() override {
        Genesis g;
        g.timestamp_ms = 1'750'000'000'000;
        g.params.block_interval_ms = 100;
        g.params.solid_lag = 3;
        g.tokens.push_back({"1002000", "BitTorrent", "BTT", 6, tk::actor("issuer"), 1'000'000'000'000});
        g.accounts.push_back({tk::alice().address(), 100'000'000, {{"1002000", 50'000'000}}});
        node = std::make_unique<Node>(g, NodeOptions{"127.0.0.1:0", "127.0.0.1:0", false, ""});
        ClientOptions o;
        o.full_node.address = "127.0.0.1:" + std::to_string(node->wallet_port());
        o.solidity.address = "127.0.0.1:" + std::to_string(node->solidity_port());
        o.deadline = std::chrono::milliseconds(1000);
        o.backoff = {std::chrono::milliseconds(1), std::chrono::milliseconds(5), 20};
        client = std::make_unique<TronClient>(o);
        for (int i = 0; i < 6; ++i) node->produce_block_now();
    }

    // A payout-style transfer: TAPOS from the solid head, expiration head + `ttl_ms`.
    btt::tron::BuiltTransaction build(std::int64_t amount, std::int64_t ttl_ms = 60'000) {
        const auto solid = client->solid_head().value();
        const auto head = client->head().value();
        return btt::tron::build_transfer({std::string("1002000"), tk::alice().address(), tk::bob().address(), amount,
                                          btt::tron::tapos_from_block(solid.number, solid.id),
                                          head.timestamp + ttl_ms, head.timestamp, {}})
            .value();
    }
    btt::Bytes sign(const btt::tron::BuiltTransaction& b) {
        const btt::tron::Signature s[] = {btt::tron::sign_transaction(tk::alice(), b.txid)};
        return btt::tron::signed_transaction_bytes(b.raw_data, s);
    }

    bool is_pending(const btt::tron::TxId& txid) {
        bool pending = false;
        node->with_chain([&](btt::trondev::Chain& c) { pending = c.is_pending(txid); });
        return pending;
    }

    // A client of this node with its own deadline and backoff.
    std::unique_ptr<TronClient> client_with(std::chrono::milliseconds deadline, btt::tron::BackoffPolicy backoff) {
        ClientOptions o;
        o.full_node.address = "127.0.0.1:" + std::to_string(node->wallet_port());
        o.solidity.address = "127.0.0.1:" + std::to_string(node->solidity_port());
        o.deadline = deadline;
        o.backoff = backoff;
        return std::make_unique<TronClient>(o);
    }

    // Waits (at most 10 s) until `done()`; false if it never was.
    template <typename Done>
    static bool eventually(Done&& done) {
        const auto deadline = Clock::now() + std::chrono::seconds(10);
        while (!done()) {
            if (Clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return true;
    }

    std::unique_ptr<Node> node;
    std::unique_ptr<TronClient> client;
};

TEST_F(Bridge, ReadsHeadsBlocksAccountsAndAssets) {
    EXPECT_EQ(client->head()->number, 6);
    EXPECT_EQ(client->solid_head()->number, 3);
    const auto blocks = client->solid_blocks(0, 1000).value();
    ASSERT_EQ(blocks.size(), 4u);  // capped at the solid height
    EXPECT_EQ(blocks.back().block_header().raw_data().number(), 3);
    EXPECT_TRUE(client->block(5).value());
    EXPECT_FALSE(client->block(50).value());  // empty answer -> nullopt
    const auto alice = client->account(tk::alice().address()).value();
    EXPECT_TRUE(alice.exists);
    EXPECT_EQ(alice.tokens.at("1002000"), 50'000'000);
    EXPECT_FALSE(client->account(tk::carol().address()).value().exists);
    EXPECT_EQ(client->asset("1002000").value()->precision, 6);
    EXPECT_FALSE(client->asset("1999999").value());
}

TEST_F(Bridge, RangesLongerThanOneHundredAreChunked) {
    for (int i = 0; i < 250; ++i) node->produce_block_now();
    const auto blocks = client->solid_blocks(10, 240).value();
    ASSERT_EQ(blocks.size(), 230u);
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        EXPECT_EQ(blocks[i].block_header().raw_data().number(), static_cast<std::int64_t>(10 + i));
    }
}

TEST_F(Bridge, BroadcastOutcomesAreClassified) {
    const auto tx = build(1'000);
    const auto first = client->broadcast(sign(tx)).value();
    EXPECT_EQ(first.kind, btt::tron::BroadcastClass::Accepted);
    EXPECT_EQ(client->broadcast(sign(tx)).value().kind, btt::tron::BroadcastClass::AlreadyKnown);
    const auto too_much = client->broadcast(sign(build(60'000'000))).value();
    EXPECT_EQ(too_much.kind, btt::tron::BroadcastClass::Final);
    EXPECT_EQ(too_much.code, 2);
}

TEST_F(Bridge, NonCanonicalBytesAreRefusedUnsent) {
    const auto tx = build(1'000);
    // The same fields with the signature first: valid protobuf, but java-tron would hash a
    // re-serialisation that differs from what the caller holds.
    const btt::tron::Signature s[] = {btt::tron::sign_transaction(tk::alice(), tx.txid)};
    const auto canonical = btt::tron::signed_transaction_bytes(tx.raw_data, s);
    const std::size_t sig_field = 2 + 65;  // 12 41 <65 bytes>, the last field
    btt::Bytes reordered(canonical.end() - sig_field, canonical.end());
    btt::append(reordered, btt::ByteView(canonical).first(canonical.size() - sig_field));
    const auto r = client->broadcast(reordered);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ChainError::Kind::Rejected);
    std::size_t pending = 1;
    node->with_chain([&](btt::trondev::Chain& c) { pending = c.pending_size(); });
    EXPECT_EQ(pending, 0u);
    EXPECT_EQ(client->broadcast(canonical).value().kind, btt::tron::BroadcastClass::Accepted);
}

TEST_F(Bridge, SurvivesEachInjectedFault) {
    node->faults().busy_rate = 1.0;
    const auto busy = client->broadcast(sign(build(1))).value();
    EXPECT_EQ(busy.kind, btt::tron::BroadcastClass::RetrySameBytes);
    EXPECT_EQ(busy.attempts, 20);
    node->faults().busy_rate = 0.5;  // retried with the same bytes until it passes
    EXPECT_EQ(client->broadcast(sign(build(2))).value().kind, btt::tron::BroadcastClass::Accepted);
    node->faults().busy_rate = 0.0;

    const auto tx = sign(build(3));
    node->faults().unavailable_rate = 1.0;
    const auto down = client->head();
    ASSERT_FALSE(down);
    EXPECT_EQ(down.error().kind, ChainError::Kind::Transient);
    const auto maybe = client->broadcast(tx);
    ASSERT_FALSE(maybe);
    EXPECT_EQ(maybe.error().kind, ChainError::Kind::Unknown);  // maybe sent
    EXPECT_EQ(maybe.error().grpc_code, kGrpcUnavailable);
    node->faults().unavailable_rate = 0.5;
    EXPECT_TRUE(client->head());  // retries get through
    node->faults().unavailable_rate = 0.0;

    ClientOptions impatient;
    impatient.full_node.address = "127.0.0.1:" + std::to_string(node->wallet_port());
    impatient.solidity.address = "127.0.0.1:" + std::to_string(node->solidity_port());
    impatient.deadline = std::chrono::milliseconds(200);
    impatient.backoff = {std::chrono::milliseconds(1), std::chrono::milliseconds(5), 2};
    TronClient quick(impatient);
    node->faults().latency_ms = 400;  // beyond the 200 ms deadline
    const auto slow = quick.broadcast(tx);
    node->faults().latency_ms = 0;
    ASSERT_FALSE(slow);
    EXPECT_EQ(slow.error().kind, ChainError::Kind::Unknown);
    EXPECT_EQ(slow.error().grpc_code, kGrpcDeadlineExceeded);
}

TEST_F(Bridge, DeadOnlyWhenExpiredAndAbsentFromTheSolidChain) {
    // Dropped: SUCCESS, never included -> pending until a solid block passes expiration.
    node->faults().drop_rate = 1.0;
    const auto dropped = build(5, 1000);
    ASSERT_EQ(client->broadcast(sign(dropped)).value().kind, btt::tron::BroadcastClass::Accepted);
    node->faults().drop_rate = 0.0;
    EXPECT_EQ(client->fate(dropped.txid, client->head()->timestamp + 1000).value(), btt::tron::TxFate::PendingOrUnknown);
    // Included, then expired: Included forever, never Dead.
    const auto kept = build(6, 1000);
    ASSERT_EQ(client->broadcast(sign(kept)).value().kind, btt::tron::BroadcastClass::Accepted);
    const auto expiration = btt::tron::decode_raw_data(kept.raw_data)->expiration;
    for (int i = 0; i < 20; ++i) node->produce_block_now();  // 2 s of slots: both expired and solid
    EXPECT_EQ(client->fate(dropped.txid, btt::tron::decode_raw_data(dropped.raw_data)->expiration).value(),
              btt::tron::TxFate::Dead);
    EXPECT_EQ(client->fate(kept.txid, expiration).value(), btt::tron::TxFate::Included);
    EXPECT_TRUE(client->solid_inclusion(kept.txid).value());
    // Re-broadcasting the expired one is refused by expiration, as java-tron does.
    EXPECT_EQ(client->broadcast(sign(dropped)).value().kind, btt::tron::BroadcastClass::Rebuild);
}

// Reconciliation reads the escrow on the solidity port (issue 11): a transfer in a block
// above the solid head shows on the full node only.
TEST_F(Bridge, SolidBalancesLagTheFullNodeUntilSolid) {
    const auto bob = tk::bob().address();
    ASSERT_EQ(client->broadcast(sign(build(2'500))).value().kind, btt::tron::BroadcastClass::Accepted);
    node->produce_block_now();  // head 7, solid 4: the transfer is in block 7
    EXPECT_EQ(client->account(bob, /*solidified=*/false).value().tokens.at("1002000"), 2'500);
    EXPECT_FALSE(client->account(bob, /*solidified=*/true).value().exists);
    for (int i = 0; i < 2; ++i) node->produce_block_now();
    EXPECT_FALSE(client->account(bob, /*solidified=*/true).value().exists);  // solid 6
    node->produce_block_now();                                               // solid 7
    const auto solid = client->account(bob, /*solidified=*/true).value();
    const auto full = client->account(bob, /*solidified=*/false).value();
    EXPECT_TRUE(solid.exists);
    EXPECT_EQ(solid.tokens, full.tokens);
    EXPECT_EQ(solid.trx, full.trx);
}

// INTERNAL and UNKNOWN may come after the node took the transaction: never "rejected".
TEST_F(Bridge, InternalOrUnknownAfterABroadcastMeanMaybeSent) {
    struct Case {
        std::atomic<double>* knob;
        int grpc_code;
    };
    const Case cases[] = {{&node->faults().internal_after_accept_rate, kGrpcInternal},
                          {&node->faults().unknown_after_accept_rate, kGrpcUnknown}};
    std::int64_t amount = 100;
    for (const auto& c : cases) {
        const auto tx = build(++amount);
        *c.knob = 1.0;
        const auto injected = node->faults().injected.load();
        const auto r = client->broadcast(sign(tx));
        *c.knob = 0.0;
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, ChainError::Kind::Unknown) << r.error().message;
        EXPECT_EQ(r.error().grpc_code, c.grpc_code);
        EXPECT_EQ(node->faults().injected.load(), injected + 1);  // not retried
        EXPECT_TRUE(is_pending(tx.txid));                          // ... and it was taken
        // The same bytes again: the node knows them.
        EXPECT_EQ(client->broadcast(sign(tx)).value().kind, btt::tron::BroadcastClass::AlreadyKnown);
    }
    // The client cannot tell an accepted broadcast from a refused one behind these statuses.
    node->faults().internal_after_accept_rate = 1.0;
    const auto refused = build(60'000'000);
    const auto r = client->broadcast(sign(refused));
    node->faults().internal_after_accept_rate = 0.0;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ChainError::Kind::Unknown);
    EXPECT_FALSE(is_pending(refused.txid));
}

TEST_F(Bridge, ATimedOutBroadcastMayStillBeAccepted) {
    const auto quick = client_with(std::chrono::milliseconds(100), {std::chrono::milliseconds(1), std::chrono::milliseconds(5), 2});
    const auto tx = build(7);
    node->faults().latency_ms = 300;  // every attempt outlives its deadline ...
    const auto r = quick->broadcast(sign(tx));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ChainError::Kind::Unknown);
    EXPECT_EQ(r.error().grpc_code, kGrpcDeadlineExceeded);
    EXPECT_TRUE(eventually([&] { return is_pending(tx.txid); }));  // ... and the node took it
    node->faults().latency_ms = 0;
}

// Shutdown must not wait out a backoff (issue 11).
TEST_F(Bridge, CancelEndsABackoffAtOnce) {
    // Ten-second backoffs and a thousand attempts: without cancel() these calls last hours.
    const auto patient = client_with(std::chrono::milliseconds(1000), {std::chrono::seconds(10), std::chrono::seconds(10), 1000});
    const auto tx = sign(build(8));
    node->faults().unavailable_rate = 1.0;
    // Each call alone, so that "an attempt failed" is that call's own.
    auto stuck_then_cancelled = [&](auto call) {
        const auto injected = node->faults().injected.load();
        auto running = std::async(std::launch::async, call);
        EXPECT_TRUE(eventually([&] { return node->faults().injected.load() > injected; }));  // retrying now
        const auto t0 = Clock::now();
        patient->cancel();
        EXPECT_EQ(running.wait_for(std::chrono::seconds(5)), std::future_status::ready);
        EXPECT_LT(Clock::now() - t0, std::chrono::seconds(2)) << "well before a 10 s backoff would have ended";
        patient->reset_cancel();
        return running.get();
    };
    const auto r = stuck_then_cancelled([&] { return patient->head(); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ChainError::Kind::Transient);
    EXPECT_EQ(r.error().message, "cancelled");
    const auto b = stuck_then_cancelled([&] { return patient->broadcast(tx); });
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().kind, ChainError::Kind::Unknown);  // an attempt had begun: maybe sent
    EXPECT_EQ(b.error().grpc_code, kGrpcCancelled);
    node->faults().unavailable_rate = 0.0;
}

TEST_F(Bridge, CancelAbortsCallsInFlight) {
    const auto patient = client_with(std::chrono::seconds(30), {std::chrono::milliseconds(1), std::chrono::milliseconds(5), 3});
    const auto tx = build(9);
    const auto signed_tx = sign(tx);
    node->faults().latency_ms = 3000;  // the node holds each call this long, then serves it
    const auto calls = node->faults().calls.load();
    auto read = std::async(std::launch::async, [&] { return patient->solid_head(); });
    auto send = std::async(std::launch::async, [&] { return patient->broadcast(signed_tx); });
    ASSERT_TRUE(eventually([&] { return node->faults().calls.load() >= calls + 2; }));  // both at the node
    const auto t0 = Clock::now();
    patient->cancel();
    ASSERT_EQ(read.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    ASSERT_EQ(send.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(2)) << "before the node's 3 s latency ended";
    const auto r = read.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ChainError::Kind::Transient);
    const auto b = send.get();
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().kind, ChainError::Kind::Unknown);
    // Why: the node goes on and takes the transaction the client gave up on.
    EXPECT_TRUE(eventually([&] { return is_pending(tx.txid); }));
    node->faults().latency_ms = 0;
}

TEST_F(Bridge, AfterCancelNothingIsSentUntilReset) {
    const auto tx = build(10);
    client->cancel();
    EXPECT_TRUE(client->is_cancelled());
    const auto calls = node->faults().calls.load();
    const auto b = client->broadcast(sign(tx));
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().kind, ChainError::Kind::Transient);  // no attempt begun: not sent
    const auto h = client->head();
    ASSERT_FALSE(h);
    EXPECT_EQ(h.error().kind, ChainError::Kind::Transient);
    EXPECT_EQ(node->faults().calls.load(), calls);
    EXPECT_FALSE(is_pending(tx.txid));
    client->reset_cancel();
    EXPECT_FALSE(client->is_cancelled());
    EXPECT_EQ(client->broadcast(sign(tx)).value().kind, btt::tron::BroadcastClass::Accepted);
}

}  // namespace
