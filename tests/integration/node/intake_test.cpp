// Intake against a real PostgreSQL: group commit, receipts, every reject reason it can
// produce, duplicates after a restart, and the database stopped under load.
#include <thread>

#include <spdlog/spdlog.h>

#include "node_fixture.h"

namespace btt::node::test {
namespace {

using channels::Outcome;
using channels::Reject;

struct IntakeRig {
    std::string url = migrated_database();
    Store store{url};
    TestClock clock;
    std::unique_ptr<Intake> intake;
    std::shared_ptr<RecordingSink> sink = std::make_shared<RecordingSink>();
    std::uint64_t next_slot = 0;

    void start(IntakeOptions options = {}) {
        options.database_url = url;
        intake = std::make_unique<Intake>(options, node_key_copy(), clock.clock());
        intake->start(store.load_channels().value());
    }
    void restart() {
        intake->stop();
        intake.reset();
        sink = std::make_shared<RecordingSink>();
        next_slot = 0;
        start();
    }
    std::uint64_t send(channels::ProofMsg msg) {
        const auto slot = next_slot++;
        intake->submit(sink, slot, slot + 1000, std::move(msg));
        return slot;
    }
    ProofReply send_and_wait(channels::ProofMsg msg) {
        const auto slot = send(std::move(msg));
        EXPECT_TRUE(sink->wait_for(slot + 1));
        return sink->one(slot);
    }
    // One open channel with `first` accepted, intake started.
    channels::Channel one_channel_paid(std::uint32_t seed, std::uint64_t first) {
        auto c = test_channel(seed);
        open_channels(store, {c});
        start();
        EXPECT_EQ(send_and_wait(proof(c.id, first)).outcome, Outcome::Accepted);
        return c;
    }
    // After an outage: resends until accepted (bounded); anything else must be the retry
    // class store_unavailable.
    bool resend_until_accepted(const channels::ChannelId& id, std::uint64_t amount) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < deadline) {
            const auto r = send_and_wait(proof(id, amount));
            if (r.outcome == Outcome::Accepted)
                return true;
            EXPECT_EQ(r.reason, Reject::StoreUnavailable);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    }
};

TEST(Intake, AnswersTenThousandProofsInOrderWithValidReceiptsAndStoresTheLastAmounts) {
    if (std::getenv("BTT_DEBUG_LOG"))
        spdlog::set_level(spdlog::level::debug);
    IntakeRig rig;
    std::vector<channels::Channel> chans;
    for (std::uint32_t i = 0; i < 20; ++i)
        chans.push_back(test_channel(i));
    open_channels(rig.store, chans);
    rig.start();
    constexpr std::uint64_t kPerChannel = 500;
    std::vector<channels::ProofMsg> msgs;
    for (std::uint64_t a = 1; a <= kPerChannel; ++a) {
        for (const auto& c : chans)
            msgs.push_back(proof(c.id, a * 10));
    }
    for (auto& m : msgs)
        rig.send(std::move(m));
    ASSERT_TRUE(rig.sink->wait_for(msgs.size()));
    const auto replies = rig.sink->replies();
    std::uint64_t last_seq = 0;
    for (std::uint64_t slot = 0; slot < replies.size(); ++slot) {
        const auto& r = rig.sink->one(slot);
        const auto& c = chans[slot % chans.size()];
        const std::uint64_t amount = (slot / chans.size() + 1) * 10;
        ASSERT_EQ(r.outcome, Outcome::Accepted)
            << "slot " << slot << " " << channels::token_of(r.reason);
        EXPECT_EQ(r.request_id, slot + 1000);
        EXPECT_EQ(r.accepted, amount);
        ASSERT_TRUE(receipt_holds(r, c.id)) << "slot " << slot;
        // Batches are committed in seq order and a channel's proofs in arrival order.
        EXPECT_GE(r.batch->header.seq, last_seq);
        last_seq = r.batch->header.seq;
    }
    for (const auto& c : chans)
        EXPECT_EQ(stored_accepted(rig.url, c.id), 10 * kPerChannel);
    // Group commit: far fewer batches than proofs, chained without gaps.
    pqxx::connection conn(rig.url);
    pqxx::read_transaction t(conn);
    const auto batches = t.exec1("SELECT count(*), min(seq), max(seq) FROM receipt_batches");
    EXPECT_LT(batches[0].as<int>(), 1000);
    EXPECT_EQ(batches[1].as<int>(), 1);
    EXPECT_EQ(batches[2].as<int>(), batches[0].as<int>());
    EXPECT_EQ(t.exec1("SELECT count(*) FROM proofs")[0].as<std::size_t>(), msgs.size());
}

TEST(Intake, RejectsEveryReasonItCanProduceWithoutChangingState) {
    IntakeRig rig;
    auto c = test_channel(1, 1000);
    open_channels(rig.store, {c});
    rig.start();
    ASSERT_EQ(rig.send_and_wait(proof(c.id, 500)).outcome, Outcome::Accepted);

    const auto expect_reject = [&](channels::ProofMsg m, Reject why) {
        const auto r = rig.send_and_wait(std::move(m));
        EXPECT_EQ(r.outcome, Outcome::Rejected) << channels::token_of(why);
        EXPECT_EQ(r.reason, why) << channels::token_of(r.reason);
        EXPECT_FALSE(r.batch);
    };
    auto short_sig = proof(c.id, 600);
    short_sig.signature.pop_back();
    expect_reject(short_sig, Reject::Malformed);
    auto zero = proof(c.id, 0);
    expect_reject(zero, Reject::Malformed);
    auto forged = proof(c.id, 600);
    forged.signature[10] ^= 0x01;  // another r: recovers some other key, or none
    {
        const auto r = rig.send_and_wait(forged);
        EXPECT_EQ(r.outcome, Outcome::Rejected);
        EXPECT_TRUE(r.reason == Reject::BadSignature || r.reason == Reject::WrongSigner);
    }
    expect_reject(proof(channel_id(99), 600), Reject::UnknownChannel);
    expect_reject(proof(c.id, 600, testkit::carol()), Reject::WrongSigner);
    expect_reject(proof(c.id, 1001), Reject::AmountExceedsDeposit);
    expect_reject(proof(c.id, 400), Reject::AmountNotIncreasing);
    rig.intake->set_paused(true);
    expect_reject(proof(c.id, 600), Reject::IntakePaused);
    rig.intake->set_paused(false);
    rig.clock.now = c.expiry.value;  // now >= expiry
    expect_reject(proof(c.id, 600), Reject::ChannelExpired);
    rig.clock.now = c.expiry.value - 1;
    EXPECT_EQ(stored_accepted(rig.url, c.id), 500);
    // The same amount again is an ack with the receipt of the batch that committed it.
    const auto dup = rig.send_and_wait(proof(c.id, 500));
    EXPECT_EQ(dup.outcome, Outcome::Duplicate);
    EXPECT_TRUE(receipt_holds(dup, c.id));
    EXPECT_EQ(dup.batch->header.seq, 1u);
    // Nothing above changed the channel: 600 is still acceptable.
    EXPECT_EQ(rig.send_and_wait(proof(c.id, 600)).outcome, Outcome::Accepted);
}

TEST(Intake, RefusesProofsForAChannelThatIsNotOpenOrClosing) {
    IntakeRig rig;
    auto c = test_channel(2, 1000);
    open_channels(rig.store, {c});
    {
        pqxx::connection conn(rig.url);
        pqxx::work t(conn);
        t.exec_params("UPDATE channels SET state = 3 WHERE channel_id = $1",
                      pqxx::binarystring(c.id.bytes().data(), 32));
        t.commit();
    }
    rig.start();
    const auto r = rig.send_and_wait(proof(c.id, 5));
    EXPECT_EQ(r.reason, Reject::ChannelNotOpen);
}

TEST(Intake, AnswersOverloadedWhenItsQueueIsFull) {
    IntakeRig rig;
    auto c = test_channel(3);
    open_channels(rig.store, {c});
    IntakeOptions o;
    o.queue_limit = 0;
    rig.start(o);
    const auto r = rig.send_and_wait(proof(c.id, 5));
    EXPECT_EQ(r.reason, Reject::Overloaded);
}

TEST(Intake, AnswersADuplicateAfterARestartWithTheStoredBatchReceipt) {
    IntakeRig rig;
    auto a = test_channel(4), b = test_channel(5);
    open_channels(rig.store, {a, b});
    rig.start();
    for (std::uint64_t i = 1; i <= 50; ++i) {
        rig.send(proof(a.id, i));
        rig.send(proof(b.id, i));
    }
    ASSERT_TRUE(rig.sink->wait_for(100));
    const auto before = rig.sink->one(98);  // a at 50
    rig.restart();
    const auto dup = rig.send_and_wait(proof(a.id, 50));
    ASSERT_EQ(dup.outcome, Outcome::Duplicate);
    EXPECT_TRUE(receipt_holds(dup, a.id));
    EXPECT_EQ(dup.batch->header.seq, before.batch->header.seq);
    EXPECT_EQ(dup.leaf_index, before.leaf_index);
    EXPECT_EQ(rig.send_and_wait(proof(a.id, 49)).reason, Reject::AmountNotIncreasing);
    const auto next = rig.send_and_wait(proof(a.id, 51));
    ASSERT_EQ(next.outcome, Outcome::Accepted);
    // The chain continues across the restart: the new batch names the last one before it.
    const auto seq = next.batch->header.seq;
    ASSERT_GT(seq, 1u);
    const auto previous = rig.store.batch(seq - 1).value().value();
    EXPECT_EQ(next.batch->header.prev_hash, tron::batch_hash(previous.header));
    EXPECT_EQ(rig.store.last_batch().value().value().header.seq, seq);
}

// While a failed commit is recovered, nothing is judged against the amounts it held: a
// resent amount below them is store_unavailable (retry), never amount_not_increasing
// (final) for an amount that is not stored.
TEST(Intake, WhileRecoveringAFailedCommitNoRefusalRestsOnItsAmounts) {
    IntakeRig rig;
    const auto c = rig.one_channel_paid(7, 10);

    testkit::pg().stop_immediately();
    // Pipelined: 20, 30 and 40 are judged on top of each other before the commit fails.
    for (const std::uint64_t amount : {20, 30, 40})
        rig.send(proof(c.id, amount));
    ASSERT_TRUE(rig.sink->wait_for(rig.next_slot));
    for (std::uint64_t slot = 1; slot < rig.next_slot; ++slot)
        EXPECT_EQ(rig.sink->one(slot).reason, Reject::StoreUnavailable) << "slot " << slot;
    // Still down, recovery under way: resend 20 and 30 (below the speculative 40).
    for (const std::uint64_t amount : {20, 30}) {
        const auto r = rig.send_and_wait(proof(c.id, amount));
        EXPECT_EQ(r.outcome, Outcome::Rejected);
        EXPECT_EQ(r.reason, Reject::StoreUnavailable)
            << "amount " << amount << ": " << channels::token_of(r.reason);
    }
    // A refusal that does not depend on what was lost still comes first.
    EXPECT_EQ(rig.send_and_wait(proof(c.id, 5)).reason, Reject::AmountNotIncreasing);
    testkit::pg().restart();
    EXPECT_TRUE(rig.resend_until_accepted(c.id, 20));
    EXPECT_EQ(stored_accepted(rig.url, c.id), 20);
}

TEST(Intake, AnswersStoreUnavailableWhilePostgresIsDownAndRecoversByItself) {
    IntakeRig rig;
    const auto c = rig.one_channel_paid(6, 1);

    testkit::pg().stop_immediately();
    // Keep sending while the database is gone: nothing may be acknowledged.
    std::uint64_t amount = 2;
    std::uint64_t first_unavailable = 0;
    for (int i = 0; i < 50; ++i, ++amount) {
        const auto r = rig.send_and_wait(proof(c.id, amount));
        ASSERT_NE(r.outcome, Outcome::Accepted) << "acknowledged with the database down";
        EXPECT_EQ(r.reason, Reject::StoreUnavailable);
        if (first_unavailable == 0)
            first_unavailable = amount;
    }
    testkit::pg().restart();
    // Intake comes back by itself (bounded wait): the next proofs are accepted again.
    ASSERT_TRUE(rig.resend_until_accepted(c.id, amount));
    EXPECT_EQ(stored_accepted(rig.url, c.id), static_cast<std::int64_t>(amount));
    // Every amount that was answered store_unavailable is absent from the history.
    pqxx::connection conn(rig.url);
    pqxx::read_transaction t(conn);
    EXPECT_EQ(t.exec_params1("SELECT count(*) FROM proofs WHERE channel_id = $1",
                             pqxx::binarystring(c.id.bytes().data(), 32))[0]
                  .as<int>(),
              2);
}

}  // namespace
}  // namespace btt::node::test
