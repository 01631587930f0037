// The admin and audit reads (store/ops_reads.h) against a real PostgreSQL: typed filters
// reach the database as parameters, bounds past every bigint mean "no bound" instead of an
// error, and the connection pool survives connections the server dropped.
#include <limits>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <btt/node/store/ops_reads.h>

#include "node_fixture.h"

namespace btt::node::test {
namespace {

constexpr std::uint64_t kHuge = std::numeric_limits<std::uint64_t>::max();

// Receipt batches 1..n, as raw rows (the reads do not check their chain).
void insert_receipt_batches(const std::string& url, int n) {
    pqxx::connection c(url);
    pqxx::work t(c);
    for (int seq = 1; seq <= n; ++seq) {
        t.exec_params(
            "INSERT INTO receipt_batches (seq, prev_hash, leaf_count, root, batch_hash, signature) "
            "VALUES ($1::int, decode(repeat('00', 32), 'hex'), 1, decode(repeat('11', 32), 'hex'), "
            "decode(lpad(to_hex($1::int), 64, '0'), 'hex'), decode(repeat('22', 65), 'hex'))",
            seq);
    }
    t.commit();
}

std::vector<channels::ChannelId> ids_of(const ChannelPage& page) {
    std::vector<channels::ChannelId> ids;
    for (const auto& c : page.channels)
        ids.push_back(c.id);
    return ids;
}

TEST(OpsReads, ChannelFiltersAndPagesSelectExactlyTheMatchingChannels) {
    const auto url = migrated_database();
    Store store(url);
    std::vector<channels::Channel> chans;
    for (std::uint32_t n = 1; n <= 5; ++n) {
        auto c = test_channel(n);
        if (n % 2 == 0)
            c.payer = testkit::carol().address();  // 2 and 4 are carol's
        c.opened_at = {1'750'000'000 - 1000 + static_cast<std::int64_t>(n)};
        chans.push_back(c);
    }
    open_channels(store, chans);
    OpsReads reads(url);

    ChannelFilter by_carol;
    by_carol.payer = testkit::carol().address();
    const auto carol = reads.list_channels(by_carol);
    ASSERT_TRUE(carol);
    EXPECT_EQ(ids_of(*carol), (std::vector{channel_id(2), channel_id(4)}));
    EXPECT_FALSE(carol->more);

    ChannelFilter page1;
    page1.limit = 2;
    const auto first = reads.list_channels(page1);
    ASSERT_TRUE(first);
    EXPECT_EQ(ids_of(*first), (std::vector{channel_id(1), channel_id(2)}));
    EXPECT_TRUE(first->more);
    ChannelFilter page3 = page1;
    page3.after = channel_id(4);
    const auto last = reads.list_channels(page3);
    ASSERT_TRUE(last);
    EXPECT_EQ(ids_of(*last), (std::vector{channel_id(5)}));
    EXPECT_FALSE(last->more);

    // opened_at is 1,749,999,000 + n: [n=2, n=4) by time.
    ChannelFilter by_time;
    by_time.opened_from = 1'749'999'002;
    by_time.opened_to = 1'749'999'004;
    const auto timed = reads.list_channels(by_time);
    ASSERT_TRUE(timed);
    EXPECT_EQ(ids_of(*timed), (std::vector{channel_id(2), channel_id(3)}));

    ChannelFilter closed;
    closed.state = channels::ChannelState::Closed;
    ASSERT_TRUE(reads.list_channels(closed));
    EXPECT_TRUE(reads.list_channels(closed)->channels.empty());
    ChannelFilter open_by_alice;
    open_by_alice.state = channels::ChannelState::Open;
    open_by_alice.payer = testkit::alice().address();
    EXPECT_EQ(ids_of(*reads.list_channels(open_by_alice)),
              (std::vector{channel_id(1), channel_id(3), channel_id(5)}));

    // No settlement planned yet: a settled window matches nothing, and bounds at the ends
    // of int64 are values like any other.
    ChannelFilter settled;
    settled.settled_from = 1;
    EXPECT_TRUE(reads.list_channels(settled)->channels.empty());
    ChannelFilter wide;
    wide.opened_from = std::numeric_limits<std::int64_t>::min() + 1;
    wide.opened_to = std::numeric_limits<std::int64_t>::max();
    const auto all = reads.list_channels(wide);
    ASSERT_TRUE(all) << all.error().detail;
    EXPECT_EQ(all->channels.size(), 5u);
}

TEST(OpsReads, BoundsPastEveryBigintMeanNoBoundAndAreNeverAnError) {
    const auto url = migrated_database();
    insert_receipt_batches(url, 3);
    OpsReads reads(url);

    const auto all = reads.list_receipt_batches(0, 0);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ(all->front().seq, 1u);
    EXPECT_EQ(all->front().signature.size(), 65u);
    EXPECT_EQ(reads.list_receipt_batches(2, 3)->size(), 1u);
    EXPECT_EQ(reads.list_receipt_batches(0, kHuge)->size(), 3u);
    const auto beyond = reads.list_receipt_batches(kHuge, 0);
    ASSERT_TRUE(beyond);
    EXPECT_TRUE(beyond->empty());

    const auto payout = reads.payout(kHuge);
    ASSERT_TRUE(payout);
    EXPECT_FALSE(*payout);
    EXPECT_TRUE(reads.list_settlement_batches(OpsReads::kMaxBatchPage, kHuge));
    EXPECT_TRUE(reads.list_payouts(OpsReads::kMaxPayoutPage, 3, kHuge));
    EXPECT_TRUE(reads.list_settlements(std::numeric_limits<std::int64_t>::min() + 1,
                                       std::numeric_limits<std::int64_t>::max()));
}

TEST(OpsReads, AChannelsHistoryHasItsOpeningDepositAndAnUnknownOneIsNone) {
    const auto url = migrated_database();
    Store store(url);
    open_channels(store, {test_channel(7)});
    OpsReads reads(url);

    const auto h = reads.channel_history(channel_id(7));
    ASSERT_TRUE(h);
    ASSERT_TRUE(*h);
    EXPECT_EQ((*h)->channel.id, channel_id(7));
    ASSERT_EQ((*h)->deposits.size(), 1u);
    EXPECT_EQ((*h)->deposits[0].outcome, "open");
    EXPECT_EQ((*h)->deposits[0].from, testkit::alice().address().to_base58());
    EXPECT_EQ((*h)->deposits[0].amount, 1'000'000'000);
    EXPECT_TRUE((*h)->proofs.empty());
    EXPECT_FALSE((*h)->close);
    EXPECT_FALSE((*h)->settlement);

    const auto none = reads.channel_history(channel_id(8));
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
}

TEST(OpsReads, APooledConnectionTheServerDroppedIsReplacedWithoutAnError) {
    const auto url = migrated_database();
    insert_receipt_batches(url, 1);
    OpsReads reads(url);
    ASSERT_TRUE(reads.list_receipt_batches(0, 0));  // leaves one connection in the pool

    {
        // What a server restart or an idle timeout does to the pooled connection.
        pqxx::connection admin(url);
        pqxx::work t(admin);
        const auto killed = t.exec(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()");
        t.commit();
        ASSERT_EQ(killed[0][0].as<int>(), 1);
    }
    const auto again = reads.list_receipt_batches(0, 0);
    ASSERT_TRUE(again) << again.error().detail;
    EXPECT_EQ(again->size(), 1u);
}

TEST(OpsReads, AnUnreachableDatabaseIsUnavailable) {
    OpsReads reads("postgresql://btt@127.0.0.1:1/none?connect_timeout=2");
    const auto r = reads.list_receipt_batches(0, 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ReadError::Kind::Unavailable);
    const auto c = reads.list_channels({});
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, ReadError::Kind::Unavailable);
}

}  // namespace
}  // namespace btt::node::test
