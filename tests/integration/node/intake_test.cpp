// Intake against a real PostgreSQL: group commit, receipts, every reject reason it can
// produce, duplicates after a restart, and the database stopped under load.
#include <future>
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
    // `count` copies of `msg` from one connection; the first one's slot.
    std::uint64_t send_from(Intake::Source source, const channels::ProofMsg& msg,
                            std::uint64_t count) {
        const auto first = next_slot;
        for (std::uint64_t i = 0; i < count; ++i) {
            const auto slot = next_slot++;
            intake->submit(sink, slot, slot, msg, source);
        }
        return first;
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

// DESIGN §10 "Bounded ... queued work of every kind": clients' close requests and
// look-ups count against request_queue_limit and are refused beyond it, while the node's
// own moves (force settle, paid out) and look-ups are never refused for a queue.
TEST(Intake, RefusesClientsCloseRequestsAndLookUpsBeyondTheRequestQueue) {
    IntakeRig rig;
    auto c = test_channel(4);
    open_channels(rig.store, {c});
    const auto client = Intake::source_of("ipv4:127.0.0.1:40000");
    const auto ask_close = [&](Intake::Source source) {
        std::promise<CloseReply> p;
        auto f = p.get_future();
        channels::CloseRequest req{c.id, Bytes(65, 0)};  // never judged when refused
        rig.intake->close_channel(req, [&p](CloseReply r) { p.set_value(r); }, source);
        EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
        return f.get();
    };
    const auto ask_lookup = [&](Intake::Source source) {
        auto p = std::make_shared<std::promise<bool>>();
        auto f = p->get_future();
        if (!rig.intake->lookup(c.id, [p](auto ch) { p->set_value(ch.has_value()); }, source))
            return std::optional<bool>();
        EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
        return std::optional<bool>(f.get());
    };
    {
        IntakeOptions o;
        o.request_queue_limit = 0;
        rig.start(o);
        EXPECT_EQ(ask_close(client).outcome, CloseOutcome::Overloaded);
        EXPECT_FALSE(ask_lookup(client).has_value());
        EXPECT_EQ(ask_lookup(Intake::kNodeSource), std::optional<bool>(true));
        // The node's own: judged (a zero signature is refused as malformed, not queued out).
        EXPECT_EQ(ask_close(Intake::kNodeSource).outcome, CloseOutcome::BadSignature);
        rig.intake->stop();
    }
    {  // One place: requests asked one after another are each admitted and release it.
        IntakeOptions o;
        o.request_queue_limit = 1;
        rig.intake = std::make_unique<Intake>(
            [&] { o.database_url = rig.url; return o; }(), node_key_copy(), rig.clock.clock());
        rig.intake->start(rig.store.load_channels().value());
        for (int i = 0; i < 20; ++i) {
            EXPECT_EQ(ask_lookup(client), std::optional<bool>(true)) << i;
            EXPECT_EQ(ask_close(client).outcome, CloseOutcome::BadSignature) << i;
        }
    }
}

// DESIGN §10 "Fair under floods": a connection flooding one shard with proofs signed by a
// stranger (each costs a signature recovery) holds one turn per round; another
// connection's proofs on the same shard are judged, committed and answered while most of
// the flood still waits. In arrival order (the code before), all of the flood went first.
class OrderSink final : public ReplySink {
public:
    void deliver(std::uint64_t slot, ProofReply) override {
        std::lock_guard lock(m_mutex);
        m_order.push_back(slot);
        m_cv.notify_all();
    }
    bool wait_for(std::size_t n) {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, std::chrono::seconds(120), [&] { return m_order.size() >= n; });
    }
    std::vector<std::uint64_t> order() {
        std::lock_guard lock(m_mutex);
        return m_order;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<std::uint64_t> m_order;
};

TEST(Intake, ServesConnectionsInTurnSoAFloodOfBadSignaturesDoesNotQueueAheadOfOthers) {
    IntakeRig rig;
    auto victim = test_channel(5);
    auto target = test_channel(6);
    open_channels(rig.store, {victim, target});
    IntakeOptions o;
    o.shards = 1;  // the flood and the honest proofs share the shard for certain
    rig.start(o);
    auto sink = std::make_shared<OrderSink>();
    const auto attacker = Intake::source_of("ipv4:127.0.0.1:40001");
    const auto honest = Intake::source_of("ipv4:127.0.0.1:40002");
    constexpr std::uint64_t kFlood = 4000, kHonest = 20;
    const auto& stranger = testkit::carol();  // not the payer: refused after recovery
    std::vector<channels::ProofMsg> flood;
    for (std::uint64_t i = 0; i < kFlood; ++i)
        flood.push_back(proof(target.id, i + 1, stranger));
    for (std::uint64_t i = 0; i < kFlood; ++i)
        rig.intake->submit(sink, i, i, std::move(flood[i]), attacker);
    // Whatever the shard has judged while the flood was being submitted is behind us:
    // from here, the honest proofs must take turns with what is left of the flood.
    const auto answered_before_honest = sink->order().size();
    for (std::uint64_t i = 0; i < kHonest; ++i)
        rig.intake->submit(sink, kFlood + i, kFlood + i, proof(victim.id, i + 1), honest);
    ASSERT_TRUE(sink->wait_for(kFlood + kHonest));
    const auto order = sink->order();
    std::size_t last_honest = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
        if (order[i] >= kFlood)
            last_honest = i;
    }
    // Of the flood still queued when the honest proofs came, most must be answered after
    // the honest connection's last answer when connections take turns (the honest ones
    // also wait for their commit, a few ms of flood answers); without turns, none is.
    const auto flood_left = kFlood - answered_before_honest;
    ASSERT_GT(flood_left, kFlood / 4)
        << "the shard judged the flood about as fast as it was submitted: nothing to compare";
    const auto flood_after = order.size() - 1 - last_honest;
    EXPECT_GE(flood_after, flood_left / 2)
        << answered_before_honest << " flood answers before the honest proofs came; of the "
        << flood_left << " left, only " << flood_after << " came after the honest's last";
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

// A replay of a signature older than the committer's recent batches (GetChannel shows
// anyone the latest one): the first costs the database reads, every replay after it is
// answered from the duplicate answerer's caches with the same receipt (issue 20 defect 6).
TEST(Intake, AnswersReplayedDuplicatesFromMemoryAfterTheFirstDatabaseRead) {
    IntakeRig rig;
    auto a = test_channel(4), b = test_channel(5);
    open_channels(rig.store, {a, b});
    rig.start();
    const auto original = rig.send_and_wait(proof(a.id, 1));
    ASSERT_EQ(original.outcome, Outcome::Accepted);
    for (std::uint64_t i = 1; i <= 20; ++i)  // one batch each: `a` leaves the recent ones
        ASSERT_EQ(rig.send_and_wait(proof(b.id, i)).outcome, Outcome::Accepted);
    const auto& stats = rig.intake->stats();
    EXPECT_EQ(stats.duplicate_reads.load(), 0u);
    const auto attacker = Intake::source_of("ipv4:127.0.0.1:40001");
    constexpr std::uint64_t kReplays = 300;
    const auto first = rig.send_from(attacker, proof(a.id, 1), kReplays);
    ASSERT_TRUE(rig.sink->wait_for(first + kReplays));
    for (std::uint64_t i = first; i < first + kReplays; ++i) {
        const auto r = rig.sink->one(i);
        ASSERT_EQ(r.outcome, Outcome::Duplicate) << i;
        ASSERT_TRUE(receipt_holds(r, a.id));
        EXPECT_EQ(r.batch->header.seq, original.batch->header.seq);
        EXPECT_EQ(r.leaf_index, original.leaf_index);
    }
    // Where it was committed (one read), then the batch and its leaves (two): once.
    EXPECT_EQ(stats.duplicate_reads.load(), 3u);
    // A fresh duplicate comes from the recent batches, with no read either.
    const auto fresh = rig.send_and_wait(proof(b.id, 20));
    ASSERT_EQ(fresh.outcome, Outcome::Duplicate);
    EXPECT_TRUE(receipt_holds(fresh, b.id));
    EXPECT_EQ(stats.duplicate_reads.load(), 3u);
    // Intake goes on accepting behind the replays.
    EXPECT_EQ(rig.send_and_wait(proof(a.id, 2)).outcome, Outcome::Accepted);
}

// A duplicate older than every cache while PostgreSQL is gone: store_unavailable (retry),
// never a wrong or missing receipt; once it is back, the same proof is answered with its
// original receipt.
TEST(Intake, AnswersAnUncachedDuplicateStoreUnavailableWhilePostgresIsDownThenItsReceipt) {
    IntakeRig rig;
    auto a = test_channel(4), b = test_channel(5);
    open_channels(rig.store, {a, b});
    rig.start();
    const auto original = rig.send_and_wait(proof(a.id, 1));
    ASSERT_EQ(original.outcome, Outcome::Accepted);
    for (std::uint64_t i = 1; i <= 20; ++i)  // `a` leaves the recent batches
        ASSERT_EQ(rig.send_and_wait(proof(b.id, i)).outcome, Outcome::Accepted);
    testkit::pg().stop_immediately();
    const auto down = rig.send_and_wait(proof(a.id, 1));
    EXPECT_EQ(down.outcome, Outcome::Rejected);
    EXPECT_EQ(down.reason, Reject::StoreUnavailable);
    EXPECT_FALSE(down.batch);
    testkit::pg().restart();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    ProofReply up;
    while (std::chrono::steady_clock::now() < deadline) {
        up = rig.send_and_wait(proof(a.id, 1));
        if (up.outcome == Outcome::Duplicate)
            break;
        ASSERT_EQ(up.reason, Reject::StoreUnavailable);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(up.outcome, Outcome::Duplicate);
    EXPECT_TRUE(receipt_holds(up, a.id));
    EXPECT_EQ(up.batch->header.seq, original.batch->header.seq);
    EXPECT_EQ(up.leaf_index, original.leaf_index);
}

// The duplicate answerer's queue is bounded per source: a replay flood is refused
// `overloaded` past its share, and another connection's duplicate in the same batch is
// still answered with its receipt.
TEST(Intake, RefusesAReplayFloodOverloadedPastItsShareAndStillAnswersOthersDuplicates) {
    IntakeRig rig;
    auto a = test_channel(4), b = test_channel(5);
    open_channels(rig.store, {a, b});
    IntakeOptions o;
    o.duplicate_queue_per_source = 8;
    o.batch_delay = std::chrono::milliseconds(200);  // the whole flood in one batch
    rig.start(o);
    ASSERT_EQ(rig.send_and_wait(proof(a.id, 1)).outcome, Outcome::Accepted);
    ASSERT_EQ(rig.send_and_wait(proof(b.id, 1)).outcome, Outcome::Accepted);
    const auto attacker = Intake::source_of("ipv4:127.0.0.1:40001");
    const auto honest = Intake::source_of("ipv4:127.0.0.1:40002");
    constexpr std::uint64_t kFlood = 500;
    const auto first = rig.send_from(attacker, proof(a.id, 1), kFlood);
    const auto honest_slot = rig.send_from(honest, proof(b.id, 1), 1);
    ASSERT_TRUE(rig.sink->wait_for(honest_slot + 1));
    std::size_t answered = 0, refused = 0;
    for (std::uint64_t i = first; i < first + kFlood; ++i) {
        const auto r = rig.sink->one(i);
        if (r.outcome == Outcome::Duplicate) {
            ++answered;
            EXPECT_TRUE(receipt_holds(r, a.id));
        } else {
            ASSERT_EQ(r.reason, Reject::Overloaded) << i;
            ++refused;
        }
    }
    EXPECT_GT(refused, 0u);
    EXPECT_GE(answered, 1u);
    const auto mine = rig.sink->one(honest_slot);
    ASSERT_EQ(mine.outcome, Outcome::Duplicate);
    EXPECT_TRUE(receipt_holds(mine, b.id));
}

// While a failed commit is recovered, nothing is judged against the amounts it held: a
// resent amount below them is store_unavailable (retry), never amount_not_increasing
// (final) for an amount that is not stored.
TEST(Intake, WhileRecoveringAFailedCommitNoRefusalRestsOnItsAmounts) {
    IntakeRig rig;
    const auto c = rig.one_channel_paid(7, 10);

    testkit::pg().stop_immediately();
    // Pipelined: 20, 30 and 40 are judged on top of each other before the commit fails.
    for (const std::uint64_t amount : {20u, 30u, 40u})
        rig.send(proof(c.id, amount));
    ASSERT_TRUE(rig.sink->wait_for(rig.next_slot));
    for (std::uint64_t slot = 1; slot < rig.next_slot; ++slot)
        EXPECT_EQ(rig.sink->one(slot).reason, Reject::StoreUnavailable) << "slot " << slot;
    // Still down, recovery under way: resend 20 and 30 (below the speculative 40).
    for (const std::uint64_t amount : {20u, 30u}) {
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
