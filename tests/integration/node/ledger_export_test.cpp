// The ledger export (issue 12) against a real PostgreSQL: a store filled through the node's
// own Store and SettlementStore APIs (deposits, top-up, unclaimed transfer, two receipt
// batches, a payee close, a settlement plan, signed and confirmed payouts) exports a
// btt-ledger/1 file that the offline verifier accepts; a row changed behind the node's back
// is exported as it is and named by the verifier.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <btt/channels/receipt.h>
#include <btt/channels/settlement.h>
#include <btt/ledger/jsonl.h>
#include <btt/ledger/verify.h>
#include <btt/node/store/ledger_export.h>
#include <btt/node/store/settlement_store.h>
#include <btt/tron/merkle.h>

#include "node_fixture.h"

namespace btt::node::test {
namespace {

constexpr std::uint32_t kFeeBps = 100;

// Commits one receipt batch of `proofs` (in leaf order) with `transitions`, chained to the
// stored batch before it and signed by the node's receipt key.
void commit(Store& store, std::uint64_t seq,
            const std::vector<std::pair<channels::ChannelId, std::int64_t>>& proofs,
            const std::vector<TransitionRow>& transitions = {}) {
    StoredBatch batch;
    batch.header.seq = seq;
    if (seq > 1)
        batch.header.prev_hash = tron::batch_hash(store.batch(seq - 1).value().value().header);
    std::vector<ProofRow> rows;
    std::vector<Hash32> leaves;
    for (const auto& [id, amount] : proofs) {
        ProofRow r;
        r.channel = id;
        r.amount = amt(amount);
        r.signature = tron::sign_message_v2(
            id == channel_id(2) ? testkit::carol() : testkit::alice(),
            tron::balance_proof_message(id.bytes(), static_cast<std::uint64_t>(amount)));
        r.received_at_ms = 1'750'000'000'123 + amount;
        r.leaf_index = static_cast<std::uint32_t>(rows.size());
        rows.push_back(r);
        leaves.push_back(channels::receipt_leaf_hash(id, r.amount));
    }
    batch.header.leaf_count = static_cast<std::uint32_t>(leaves.size());
    batch.header.root = tron::merkle_root(leaves);
    batch.signature =
        tron::sign_message_v2(testkit::node_key(), tron::batch_header_message(batch.header));
    const auto r = store.commit_batch(batch, rows, transitions);
    ASSERT_TRUE(r.has_value()) << r.error().message();
}

class LedgerExport : public ::testing::Test {
protected:
    void SetUp() override {
        m_url = migrated_database();
        Store store(m_url);
        auto alices = test_channel(1, 1'000'000);
        auto carols = test_channel(2, 2'000'000);
        carols.payer = testkit::carol().address();
        open_channels(store, {alices, carols});

        // Block 2: alice tops up; carol sends a transfer that opens nothing.
        BlockChanges b;
        b.block_number = 2;
        b.block_id[0] = 2;
        DepositRecord topup;
        topup.txid = channels::TxId(Hash32{0x70});
        topup.block_number = 2;
        topup.block_time = {1'750'000'006};
        topup.sender = testkit::alice().address();
        topup.token_id = "1002000";
        topup.amount = amt(500'000);
        topup.memo = to_bytes("btt-channel:v1:topup:" + channel_id(1).to_hex());
        topup.kind = DepositKind::TopUp;
        topup.channel = channel_id(1);
        b.deposits.push_back(topup);
        b.topped_up.push_back({channel_id(1), amt(1'500'000)});
        DepositRecord stray = topup;
        stray.txid = channels::TxId(Hash32{0x71});
        stray.sender = testkit::carol().address();
        stray.amount = amt(5);
        stray.memo = to_bytes("hello, \"escrow\"");
        stray.kind = DepositKind::Unclaimed;
        stray.unclaimed_reason = channels::UnclaimedReason::BadMemo;
        stray.channel.reset();
        b.deposits.push_back(stray);
        ASSERT_TRUE(store.apply_block(b).has_value());

        commit(store, 1, {{channel_id(1), 100}, {channel_id(2), 200}});
        // Bob (the payee) closes alice's channel in the batch of her last proof.
        TransitionRow close;
        close.channel = channel_id(1);
        close.transition = {channels::ChannelState::Open, channels::ChannelState::Settling,
                            channels::CloseCause::PayeeRequest, std::nullopt};
        close.party = channels::Party::Payee;
        close.signature =
            tron::sign_message_v2(testkit::bob(), tron::close_message(channel_id(1).bytes()));
        close.received_at_ms = 1'750'000'050'000;
        commit(store, 2, {{channel_id(2), 300}, {channel_id(1), 700}}, {close});

        // The settler's steps: plan, store, sign (stored attempts), confirm all but one.
        SettlementStore settle(m_url);
        const auto settling = settle.settling_unplanned().value();
        const auto refunds = settle.unclaimed_unplanned().value();
        ASSERT_EQ(settling.size(), 1u);
        ASSERT_EQ(refunds.size(), 1u);
        const auto plan = channels::plan_settlement(settling, refunds, kFeeBps).value();
        ASSERT_TRUE(settle.store_plan(plan, settling, kFeeBps).has_value());
        const auto to_sign = settle.payouts_to_sign().value();
        ASSERT_EQ(to_sign.size(), 3u);  // bob's share, alice's refund, carol's stray transfer
        for (std::size_t i = 0; i < to_sign.size(); ++i) {
            const channels::TxId txid(Hash32{static_cast<std::uint8_t>(0x90 + i)});
            ASSERT_TRUE(settle.store_attempt(to_sign[i], txid, Bytes{0x0a}, 1'750'000'999'000, 2)
                            .has_value());
            if (i + 1 < to_sign.size()) {
                ASSERT_TRUE(settle.confirm_attempt(txid, 2).has_value());
            }
        }
    }

    std::vector<std::string> export_lines() {
        pqxx::connection db(m_url);
        LedgerHeaderInfo info;
        info.escrow_address = testkit::escrow().address();
        info.receipt_address = testkit::node_key().address();
        info.token_id = "1002000";
        info.fee_bps = kFeeBps;
        info.exported_at = 1'750'001'000;
        std::vector<std::string> lines;
        export_ledger(db, info, [&](const std::string& line) { lines.push_back(line); });
        return lines;
    }

    static Expected<ledger::VerifySummary, ledger::VerifyFailure> verify(
        const std::vector<std::string>& lines) {
        std::vector<ledger::Record> records;
        for (const auto& l : lines) {
            auto r = ledger::decode_line(l);
            EXPECT_TRUE(r.has_value()) << l << ": " << r.error().detail;
            if (r)
                records.push_back(std::move(r).value());
        }
        return ledger::verify_ledger(records);
    }

    std::string m_url;
};

TEST_F(LedgerExport, ExportsEveryRecordInOrderAndTheVerifierAcceptsIt) {
    const auto lines = export_lines();
    const auto result = verify(lines);
    ASSERT_TRUE(result.has_value()) << result.error().message();
    const auto& n = result->records;
    EXPECT_EQ(n.at("header"), 1u);
    EXPECT_EQ(n.at("deposit"), 4u);  // two opens, the top-up, the stray transfer
    EXPECT_EQ(n.at("channel"), 2u);
    EXPECT_EQ(n.at("batch"), 2u);
    EXPECT_EQ(n.at("proof"), 4u);
    EXPECT_EQ(n.at("close"), 1u);
    EXPECT_EQ(n.at("settlement"), 1u);
    EXPECT_EQ(n.at("payout"), 3u);
    const auto& books = result->books.at("1002000");
    EXPECT_EQ(books.deposits_in.to_string(), std::to_string(1'000'000 + 2'000'000 + 500'000 + 5));
    EXPECT_EQ(books.fees.to_string(), "7");                // 1 % of 700
    EXPECT_EQ(books.still_held.to_string(), "2000000");  // carol's open channel

    const auto header = nlohmann::json::parse(lines.front());
    EXPECT_EQ(header["schema"], "btt-ledger/1");
    EXPECT_EQ(header["solid_block"], 2);
    const auto last = nlohmann::json::parse(lines.back());
    EXPECT_EQ(last["type"], "payout");
    EXPECT_EQ(last["state"], "signed");  // signed, not yet confirmed: txid, no block
    EXPECT_FALSE(last["txid"].is_null());
    EXPECT_TRUE(last["block"].is_null());
}

TEST_F(LedgerExport, ARowChangedBehindTheNodesBackIsExportedAsItIsAndNamed) {
    {
        pqxx::connection c(m_url);
        pqxx::work w(c);
        w.exec("UPDATE payouts SET amount = amount + 1 WHERE payout_id = 1");
        w.commit();
    }
    const auto result = verify(export_lines());
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().record_type, "payout");
    EXPECT_EQ(result.error().record_id, "1");
    EXPECT_EQ(result.error().check, "payout_sum_mismatch");
}

TEST_F(LedgerExport, AProofDeletedFromTheDatabaseIsNamedThroughItsBatch) {
    {
        pqxx::connection c(m_url);
        pqxx::work w(c);
        w.exec("DELETE FROM proofs WHERE batch_seq = 2 AND leaf_index = 0");
        w.commit();
    }
    const auto result = verify(export_lines());
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().record_type, "batch");
    EXPECT_EQ(result.error().record_id, "2");
    EXPECT_EQ(result.error().check, "leaf_count_mismatch");
}

TEST_F(LedgerExport, ReadsOneSnapshotWhileTheNodeWrites) {
    // A batch committed after the export began is not in it, so the file stays whole.
    pqxx::connection db(m_url);
    LedgerHeaderInfo info;
    info.escrow_address = testkit::escrow().address();
    info.receipt_address = testkit::node_key().address();
    info.token_id = "1002000";
    std::vector<std::string> lines;
    bool wrote = false;
    export_ledger(db, info, [&](const std::string& line) {
        lines.push_back(line);
        if (!wrote && line.find("\"type\":\"channel\"") != std::string::npos) {
            wrote = true;
            Store other(m_url);
            commit(other, 3, {{channel_id(2), 400}});
        }
    });
    ASSERT_TRUE(wrote);
    const auto result = verify(lines);
    ASSERT_TRUE(result.has_value()) << result.error().message();
    EXPECT_EQ(result->records.at("batch"), 2u);
}

}  // namespace
}  // namespace btt::node::test
