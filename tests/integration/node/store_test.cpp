// The store against a real PostgreSQL: the watcher's block writes with the cursor, the
// node's identity, and the stored enum numbers pinned against the code.
#include <btt/channels/deposit.h>
#include <btt/channels/reject.h>
#include <btt/node/store/settlement_store.h>
#include <btt/tron/channel_messages.h>

#include "node_fixture.h"

namespace btt::node::test {
namespace {

TEST(Store, AppliesABlockWithItsCursorAndRefusesToApplyItTwice) {
    const auto url = migrated_database();
    Store store(url);
    auto c = test_channel(1, 5'000'000);
    open_channels(store, {c});
    EXPECT_EQ(store.cursor().value()->block_number, 1);
    const auto loaded = store.channel(c.id).value();
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->deposit, c.deposit);
    EXPECT_EQ(loaded->payer, c.payer);
    EXPECT_EQ(loaded->expiry, c.expiry);
    EXPECT_EQ(loaded->state, channels::ChannelState::Open);

    // The same block again: the cursor is past it, nothing is written twice.
    BlockChanges again;
    again.block_number = 1;
    const auto refused = store.apply_block(again);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, StoreError::Kind::Refused);
    // A block that skips one is refused too.
    BlockChanges skip;
    skip.block_number = 3;
    EXPECT_FALSE(store.apply_block(skip));
    EXPECT_EQ(store.cursor().value()->block_number, 1);
}

TEST(Store, RecordsTopUpsAndUnclaimedTransfersOfABlockTogether) {
    const auto url = migrated_database();
    Store store(url);
    auto c = test_channel(2, 5'000'000);
    open_channels(store, {c});
    BlockChanges b;
    b.block_number = 2;
    b.topped_up.push_back({c.id, amt(7'000'000)});
    DepositRecord d;
    d.txid = channels::TxId(channel_id(77).bytes());
    d.block_number = 2;
    d.block_time = {1'750'000'000};
    d.sender = testkit::carol().address();
    d.token_id = "1002000";
    d.amount = amt(3);
    d.memo = to_bytes("hello");
    d.kind = DepositKind::Unclaimed;
    d.unclaimed_reason = channels::UnclaimedReason::BadMemo;
    b.deposits.push_back(d);
    ASSERT_TRUE(store.apply_block(b).has_value());
    EXPECT_EQ(store.channel(c.id).value()->deposit, amt(7'000'000));
    pqxx::connection conn(url);
    pqxx::read_transaction t(conn);
    const auto row = t.exec1(
        "SELECT outcome, unclaimed_reason, channel_id IS NULL FROM deposits "
        "WHERE outcome = 4");
    EXPECT_EQ(row[0].as<int>(), 4);
    EXPECT_EQ(row[1].as<int>(), 3);
    EXPECT_TRUE(row[2].as<bool>());
}

// Issue 20, defect 3: the watcher classified a top-up against an OPEN channel, then
// intake moved the channel to CLOSING before the block was written. The top-up must not
// raise the deposit (a settlement plan may already count it): it is stored unclaimed,
// channel_not_open, refundable, and named so the watcher keeps it from intake.
TEST(Store, ATopUpLandingAfterItsChannelLeftOpenIsStoredUnclaimedNotCounted) {
    const auto url = migrated_database();
    Store store(url);
    auto c = test_channel(4, 5'000'000);
    auto other = test_channel(5, 5'000'000);
    open_channels(store, {c, other});
    {
        pqxx::connection conn(url);
        pqxx::work t(conn);
        t.exec_params("UPDATE channels SET state = 2, close_cause = 1, settle_at = now() "
                      "WHERE channel_id = $1",
                      pqxx::binarystring(c.id.bytes().data(), c.id.bytes().size()));
        t.commit();
    }
    BlockChanges b;
    b.block_number = 2;
    const auto topup = [&](const channels::Channel& ch, std::uint8_t tag, std::int64_t amount) {
        DepositRecord d;
        Hash32 txid{};
        txid[0] = tag;
        d.txid = channels::TxId(txid);
        d.block_number = 2;
        d.block_time = {1'750'000'000};
        d.sender = ch.payer;
        d.token_id = ch.token_id;
        d.amount = amt(amount);
        d.memo = to_bytes("btt-channel:v1:topup:" + ch.id.to_hex());
        d.kind = DepositKind::TopUp;
        d.channel = ch.id;
        b.deposits.push_back(d);
    };
    topup(c, 0xa1, 1'000'000);  // two top-ups of the closing channel in one block ...
    topup(c, 0xa2, 2'000'000);
    b.topped_up.push_back({c.id, amt(6'000'000)});
    b.topped_up.push_back({c.id, amt(8'000'000)});
    topup(other, 0xb1, 1'000'000);  // ... and one of an open channel, which counts
    b.topped_up.push_back({other.id, amt(6'000'000)});

    const auto applied = store.apply_block(b);
    ASSERT_TRUE(applied) << applied.error().message();
    EXPECT_EQ(applied->refused_topups, std::vector<channels::ChannelId>{c.id});
    EXPECT_EQ(store.channel(c.id).value()->deposit, amt(5'000'000));
    EXPECT_EQ(store.channel(other.id).value()->deposit, amt(6'000'000));
    EXPECT_EQ(store.cursor().value()->block_number, 2);
    pqxx::connection conn(url);
    pqxx::read_transaction t(conn);
    const auto rows = t.exec(
        "SELECT get_byte(txid, 0), outcome, unclaimed_reason, channel_id IS NULL FROM deposits "
        "WHERE block_number = 2 ORDER BY txid");
    ASSERT_EQ(rows.size(), 3u);
    for (std::size_t i = 0; i < 2; ++i) {  // 0xa1, 0xa2: unclaimed channel_not_open, no channel
        EXPECT_EQ(rows[i][1].as<int>(), static_cast<int>(DepositKind::Unclaimed));
        EXPECT_EQ(rows[i][2].as<int>(),
                  static_cast<int>(channels::UnclaimedReason::ChannelNotOpen));
        EXPECT_TRUE(rows[i][3].as<bool>());
    }
    EXPECT_EQ(rows[2][1].as<int>(), static_cast<int>(DepositKind::TopUp));
    EXPECT_FALSE(rows[2][3].as<bool>());
}

TEST(Store, RefusesADepositThatWouldShrinkAndWritesNothingOfThatBlock) {
    const auto url = migrated_database();
    Store store(url);
    auto c = test_channel(3, 5'000'000);
    open_channels(store, {c});
    BlockChanges b;
    b.block_number = 2;
    b.topped_up.push_back({c.id, amt(4'000'000)});
    EXPECT_FALSE(store.apply_block(b));
    EXPECT_EQ(store.cursor().value()->block_number, 1);
    EXPECT_EQ(store.channel(c.id).value()->deposit, amt(5'000'000));
}

// The group commit (migration 0005's function) is all or nothing: a batch that does not
// chain, skips a seq, or would lower, repeat or miss a channel's amount writes no row at all.
TEST(Store, CommitsABatchWholeOrNotAtAll) {
    const auto url = migrated_database();
    Store store(url);
    auto a = test_channel(11, 5'000'000);
    auto b = test_channel(12, 5'000'000);
    open_channels(store, {a, b});
    const auto proof = [](const channels::Channel& c, std::int64_t amount, std::uint32_t leaf) {
        ProofRow r;
        r.channel = c.id;
        r.amount = amt(amount);
        r.signature.fill(static_cast<std::uint8_t>(leaf + 1));
        r.received_at_ms = 1'750'000'000'000;
        r.leaf_index = leaf;
        return r;
    };
    const auto batch = [](std::uint64_t seq, const Hash32& prev, std::uint32_t leaves) {
        StoredBatch s;
        s.header.seq = seq;
        s.header.prev_hash = prev;
        s.header.leaf_count = leaves;
        s.header.root.fill(static_cast<std::uint8_t>(seq));
        s.signature.fill(7);
        return s;
    };
    const auto count = [&](const char* table) {
        pqxx::connection conn(url);
        pqxx::read_transaction t(conn);
        return t.exec1(std::string("SELECT count(*) FROM ") + table)[0].as<int>();
    };

    const auto first = batch(1, Hash32{}, 3);
    ASSERT_TRUE(store.commit_batch(first, {proof(a, 10, 0), proof(b, 20, 1), proof(a, 30, 2)}, {})
                    .has_value());
    EXPECT_EQ(store.channel(a.id).value()->accepted, amt(30));
    EXPECT_EQ(store.channel(b.id).value()->accepted, amt(20));
    const auto where = store.proof_location(a.id, amt(10)).value();
    ASSERT_TRUE(where);
    EXPECT_EQ(where->batch_seq, 1u);
    EXPECT_EQ(where->leaf_index, 0u);

    const auto refused = [&](const StoredBatch& s, const std::vector<ProofRow>& rows) {
        const auto r = store.commit_batch(s, rows, {});
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, StoreError::Kind::Refused) << r.error().message();
        EXPECT_EQ(count("receipt_batches"), 1);
        EXPECT_EQ(count("proofs"), 3);
        EXPECT_EQ(store.channel(a.id).value()->accepted, amt(30));
        EXPECT_EQ(store.channel(b.id).value()->accepted, amt(20));
    };
    const auto chained = tron::batch_hash(first.header);
    Hash32 forked = chained;
    forked[0] ^= 1;
    refused(batch(2, forked, 1), {proof(a, 40, 0)});                    // does not chain
    refused(batch(3, chained, 1), {proof(a, 40, 0)});                   // skips seq 2
    refused(batch(2, chained, 2), {proof(b, 25, 0), proof(a, 30, 1)});  // a: not increasing
    refused(batch(2, chained, 2), {proof(a, 40, 0), proof(a, 10, 1)});  // a: 10 is stored
    auto unknown = test_channel(13, 5'000'000);
    refused(batch(2, chained, 1), {proof(unknown, 5, 0)});  // never opened
    refused(batch(1, Hash32{}, 1), {proof(a, 40, 0)});      // seq 1 again

    ASSERT_TRUE(store.commit_batch(batch(2, chained, 2), {proof(b, 25, 0), proof(a, 40, 1)}, {})
                    .has_value());
    EXPECT_EQ(count("receipt_batches"), 2);
    EXPECT_EQ(store.channel(a.id).value()->accepted, amt(40));
    EXPECT_EQ(store.channel(b.id).value()->accepted, amt(25));
    EXPECT_EQ(store.last_batch().value()->header.seq, 2u);
}

TEST(Store, WritesItsIdentityOnceAndRefusesAnotherEscrowTokenOrChain) {
    const auto url = migrated_database();
    Store store(url);
    const NodeIdentity id{"TEscrowA", "1002000", "00aa"};
    ASSERT_FALSE(store.check_identity(id).value().has_value());
    EXPECT_FALSE(store.check_identity(id).value().has_value());  // same node: fine
    for (auto other :
         {NodeIdentity{"TEscrowB", "1002000", "00aa"}, NodeIdentity{"TEscrowA", "1000001", "00aa"},
          NodeIdentity{"TEscrowA", "1002000", "00bb"}}) {
        const auto said = store.check_identity(other).value();
        ASSERT_TRUE(said.has_value());
    }
    EXPECT_NE(store.check_identity({"TEscrowB", "1002000", "00aa"}).value()->find("escrow_address"),
              std::string::npos);
}

TEST(Store, ReportsUnavailableWhenTheServerIsUnreachable) {
    const auto url = migrated_database();
    Store store(url);
    testkit::pg().stop_immediately();
    const auto r = store.cursor();
    testkit::pg().restart();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, StoreError::Kind::Unavailable) << r.error().message();
    // And reconnects by itself once the server is back.
    EXPECT_TRUE(store.cursor().has_value());
}

// Stored numbers are forever (append only): the database's enum_tokens, the code's
// tokens and these literals must agree.
// Issue 20, defect 2: reconciliation's sums are numeric in SQL and 128-bit in C++, so two
// transfers of a self-issued token near 2^63 neither overflow the liabilities nor fail the
// read; a held transfer is not a liability at all.
TEST(Store, LiabilitiesSumPastInt64MaxAndLeaveHeldTransfersOut) {
    const auto url = migrated_database();
    Store store(url);
    open_channels(store, {test_channel(3, 5'000'000)});  // block 1
    BlockChanges b;
    b.block_number = 2;
    for (std::uint32_t i = 0; i < 3; ++i) {
        DepositRecord d;
        d.txid = channels::TxId(channel_id(90 + i).bytes());
        d.block_number = 2;
        d.block_time = {1'750'000'000};
        d.sender = testkit::carol().address();
        d.token_id = "1000001";
        d.amount = amt(channels::Amount::kMax);
        d.kind = DepositKind::Unclaimed;
        d.unclaimed_reason = channels::UnclaimedReason::WrongToken;
        d.held = i == 2;  // the first two as released by the operator, the third held
        b.deposits.push_back(d);
    }
    ASSERT_TRUE(store.apply_block(b).has_value());
    SettlementStore books(url);
    const auto l = books.liabilities(2, "1000001");
    ASSERT_TRUE(l) << l.error().message();
    EXPECT_EQ(l->incoming.to_string(), "18446744073709551614");
    EXPECT_EQ(l->paid, channels::Total{});
    EXPECT_EQ(l->cursor, 2);
    // At a height before the block, none of them.
    EXPECT_EQ(books.liabilities(1, "1000001").value().incoming, channels::Total{});
}

TEST(StoredEnums, NumbersAndTokensMatchTheDatabase) {
    const auto url = migrated_database();
    pqxx::connection conn(url);
    pqxx::read_transaction t(conn);
    const auto token = [&](const char* e, int n) {
        return t
            .exec_params1("SELECT token FROM enum_tokens WHERE enum_name = $1 AND number = $2", e,
                          n)[0]
            .as<std::string>();
    };
    for (int n = 1; n <= 12; ++n) {
        EXPECT_EQ(token("reject_reason", n), channels::token_of(static_cast<channels::Reject>(n)));
    }
    for (int n = 1; n <= 10; ++n) {
        EXPECT_EQ(token("unclaimed_reason", n),
                  channels::reason_token(static_cast<channels::UnclaimedReason>(n)));
    }
    for (int n = 1; n <= 4; ++n) {
        EXPECT_EQ(token("channel_state", n),
                  channels::state_name(static_cast<channels::ChannelState>(n)));
        EXPECT_EQ(token("close_cause", n),
                  channels::cause_token(static_cast<channels::CloseCause>(n)));
    }
    EXPECT_EQ(token("deposit_outcome", static_cast<int>(DepositKind::Open)), "open");
    EXPECT_EQ(token("deposit_outcome", static_cast<int>(DepositKind::TopUp)), "topup");
    EXPECT_EQ(token("deposit_outcome", static_cast<int>(DepositKind::Held)), "held");
    EXPECT_EQ(token("deposit_outcome", static_cast<int>(DepositKind::Unclaimed)), "unclaimed");
    // Settlement's (0003): close parties, payout and attempt states, payout roles.
    EXPECT_EQ(token("close_party", 1), "payer");
    EXPECT_EQ(token("close_party", 2), "payee");
    EXPECT_EQ(token("payout_role", 1), "payee_share");
    EXPECT_EQ(token("payout_role", 2), "payer_refund");
    EXPECT_EQ(token("payout_role", 3), "unclaimed_refund");
    EXPECT_EQ(token("payout_state", 3), "confirmed");
    EXPECT_EQ(token("attempt_state", 1), "live");
    EXPECT_EQ(token("attempt_state", 2), "dead");
    // Every stored enum is listed: a new one must be added here too.
    EXPECT_EQ(t.exec1("SELECT count(*) FROM enum_tokens")[0].as<int>(),
              12 + 10 + 4 + 4 + 4 + 2 + 3 + 3 + 3);
}

}  // namespace
}  // namespace btt::node::test
