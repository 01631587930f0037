// The bridge against trondev on loopback: reads, not-found semantics, broadcast outcome
// classes, every injected fault, and the proof-of-death rule both ways.
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

}  // namespace
