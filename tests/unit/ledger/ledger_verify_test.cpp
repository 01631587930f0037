// The offline audit (issue 12): a consistent ledger passes; each tampering the issue lists
// fails, naming the offending record (line, type, id) and the check.
#include <gtest/gtest.h>

#include <btt/ledger/jsonl.h>
#include <btt/ledger/verify.h>

#include "sample_ledger.h"

namespace btt::ledger::test {
namespace {

// Line numbers of sample_ledger() (index + 1).
constexpr std::size_t kBatch1 = 8, kBatch2 = 11, kBatch3 = 15;
constexpr std::size_t kAliceProof300 = 12, kSettlement = 18, kPayoutBob = 19, kPayoutAlice = 20;

::testing::AssertionResult fails_at(const std::vector<Record>& ledger, std::size_t line,
                                    const std::string& type, const std::string& check) {
    const auto r = verify_ledger(ledger);
    if (r.has_value())
        return ::testing::AssertionFailure() << "the ledger verified";
    const auto& f = r.error();
    if (f.line != line || f.record_type != type || f.check != check) {
        return ::testing::AssertionFailure() << "failed as: " << f.message();
    }
    return ::testing::AssertionSuccess() << f.message();
}

template <typename T>
T& at(std::vector<Record>& ledger, std::size_t line) {
    return std::get<T>(ledger.at(line - 1));
}

TEST(LedgerVerify, AConsistentLedgerPassesWithBalancedBooks) {
    const auto ledger = sample_ledger();
    const auto r = verify_ledger(ledger);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->records.at("proof"), 6u);
    EXPECT_EQ(r->records.at("batch"), 3u);
    const auto& b = r->books.at("1002000");
    EXPECT_EQ(b.deposits_in.to_string(), std::to_string(1'000'000 + 2'000'000 + 500'000 + 7));
    EXPECT_EQ(b.paid_out.to_string(), std::to_string(693 + 1'499'300 + 7));
    EXPECT_EQ(b.fees.to_string(), "7");
    EXPECT_EQ(b.still_held.to_string(), "2000000");  // carol's open channel
}

TEST(LedgerVerify, PassesAfterAJsonlRoundTrip) {
    std::vector<Record> decoded;
    for (const auto& r : sample_ledger())
        decoded.push_back(decode_line(encode_line(r)).value());
    EXPECT_TRUE(verify_ledger(decoded).has_value());
}

TEST(LedgerVerify, AnEditedProofAmountNamesThatProof) {
    auto ledger = sample_ledger();
    at<ProofRecord>(ledger, kAliceProof300).amount = amt(301);
    EXPECT_TRUE(fails_at(ledger, kAliceProof300, "proof", "wrong_signer"));
}

TEST(LedgerVerify, AForgedProofSignatureNamesThatProof) {
    auto ledger = sample_ledger();
    // Signed by carol over alice's channel: a valid signature, by the wrong key.
    at<ProofRecord>(ledger, kAliceProof300) =
        signed_proof(kAliceChannel, 300, 2, 0, testkit::carol());
    EXPECT_TRUE(fails_at(ledger, kAliceProof300, "proof", "wrong_signer"));
    // A flipped bit in s: no longer the payer's (or nobody's) signature.
    ledger = sample_ledger();
    at<ProofRecord>(ledger, kAliceProof300).signature[40] ^= 0x01;
    const auto r = verify_ledger(ledger);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().line, kAliceProof300);
    EXPECT_EQ(r.error().record_type, "proof");
}

TEST(LedgerVerify, ADroppedProofNamesItsBatch) {
    auto ledger = sample_ledger();
    ledger.erase(ledger.begin() + static_cast<long>(kAliceProof300 - 1));
    EXPECT_TRUE(fails_at(ledger, kBatch2, "batch", "leaf_count_mismatch"));
    // The batch's last proof, and the ledger's last proof: the same.
    ledger = sample_ledger();
    ledger.erase(ledger.begin() + static_cast<long>(kBatch3));  // line 16
    EXPECT_TRUE(fails_at(ledger, kBatch3, "batch", "leaf_count_mismatch"));
}

TEST(LedgerVerify, AProofSwappedForAnotherOfTheSameCountBreaksTheRoot) {
    auto ledger = sample_ledger();
    // Batch 2's header still counts 3 leaves, but its proofs are now 300, 450, 400: the
    // payer did sign 450, yet the node never committed it.
    at<ProofRecord>(ledger, kAliceProof300 + 1) =
        signed_proof(kAliceChannel, 450, 2, 1, testkit::alice());
    EXPECT_TRUE(fails_at(ledger, kBatch2, "batch", "root_mismatch"));
}

TEST(LedgerVerify, ReorderedOrDroppedBatchesNameTheBatch) {
    // Batch 3 (with its proof) moved before batch 2.
    auto ledger = sample_ledger();
    std::vector<Record> reordered(ledger.begin(), ledger.begin() + kBatch2 - 1);
    reordered.insert(reordered.end(), ledger.begin() + kBatch3 - 1, ledger.begin() + kBatch3 + 1);
    reordered.insert(reordered.end(), ledger.begin() + kBatch2 - 1, ledger.begin() + kBatch3 - 1);
    reordered.insert(reordered.end(), ledger.begin() + kBatch3 + 1, ledger.end());
    ASSERT_EQ(reordered.size(), ledger.size());
    EXPECT_TRUE(fails_at(reordered, kBatch2, "batch", "batch_seq_gap"));

    // Batch 2 and its proofs dropped: batch 3 follows batch 1.
    std::vector<Record> dropped(ledger.begin(), ledger.begin() + kBatch2 - 1);
    dropped.insert(dropped.end(), ledger.begin() + kBatch3 - 1, ledger.end());
    EXPECT_TRUE(fails_at(dropped, kBatch2, "batch", "batch_seq_gap"));
}

TEST(LedgerVerify, AFileCutShortAtALineBoundaryIsRefusedByItsHeader) {
    const auto ledger = sample_ledger();
    // The close request dropped: nothing else needs it, the header's count does.
    auto no_close = ledger;
    no_close.erase(no_close.begin() + static_cast<long>(kSettlement - 2));
    EXPECT_TRUE(fails_at(no_close, 1, "header", "records_missing"));
    // Cut after batch 2: the trailing batch and everything after it are gone.
    const std::vector<Record> cut(ledger.begin(), ledger.begin() + kBatch3 - 1);
    EXPECT_TRUE(fails_at(cut, 1, "header", "batches_missing"));
    // A header without the counts (another exporter's) is checked without them.
    auto other = sample_ledger();
    auto& header = std::get<HeaderRecord>(other.front());
    header.records.reset();
    header.last_batch_seq.reset();
    EXPECT_TRUE(verify_ledger(other).has_value());
}

TEST(LedgerVerify, ABatchChainedToTheWrongHashOrSignedByAnotherKeyIsNamed) {
    auto ledger = sample_ledger();
    at<BatchRecord>(ledger, kBatch2).header.prev_hash[0] ^= 1;
    EXPECT_TRUE(fails_at(ledger, kBatch2, "batch", "prev_hash_mismatch"));
    ledger = sample_ledger();
    auto& b = at<BatchRecord>(ledger, kBatch1);
    b.signature = tron::sign_message_v2(testkit::carol(), tron::batch_header_message(b.header));
    EXPECT_TRUE(fails_at(ledger, kBatch1, "batch", "wrong_signer"));
}

TEST(LedgerVerify, AnAlteredPayoutAmountOrRecipientNamesThePayout) {
    auto ledger = sample_ledger();
    at<PayoutRecord>(ledger, kPayoutBob).amount = amt(694);
    EXPECT_TRUE(fails_at(ledger, kPayoutBob, "payout", "payout_sum_mismatch"));

    ledger = sample_ledger();
    auto& p = at<PayoutRecord>(ledger, kPayoutBob);
    p.amount = amt(694);
    p.contributions[0].amount = amt(694);
    EXPECT_TRUE(fails_at(ledger, kPayoutBob, "payout", "contribution_mismatch"));

    ledger = sample_ledger();
    at<PayoutRecord>(ledger, kPayoutBob).recipient = testkit::carol().address();
    EXPECT_TRUE(fails_at(ledger, kPayoutBob, "payout", "wrong_recipient"));
}

TEST(LedgerVerify, ASharePaidTwiceOrNeverIsNamed) {
    auto ledger = sample_ledger();
    auto twice = at<PayoutRecord>(ledger, kPayoutBob);
    twice.payout_id = 9;
    ledger.push_back(twice);
    EXPECT_TRUE(fails_at(ledger, ledger.size(), "payout", "paid_twice"));

    ledger = sample_ledger();
    ledger.erase(ledger.begin() + static_cast<long>(kPayoutAlice - 1));
    EXPECT_TRUE(fails_at(ledger, kSettlement, "settlement", "share_unpaid"));
}

TEST(LedgerVerify, ASettlementSplitNotMatchingItsFeeRateOrLastProofIsNamed) {
    auto ledger = sample_ledger();
    auto& s = at<SettlementRecord>(ledger, kSettlement);
    s.fee = amt(8);
    s.payee_amount = amt(692);
    EXPECT_TRUE(fails_at(ledger, kSettlement, "settlement", "split_mismatch"));

    ledger = sample_ledger();
    at<SettlementRecord>(ledger, kSettlement).accepted = amt(500);  // not the last proof
    EXPECT_TRUE(fails_at(ledger, kSettlement, "settlement", "accepted_mismatch"));
}

TEST(LedgerVerify, DepositsMustAddUpToTheChannelAndProofsStayWithinIt) {
    auto ledger = sample_ledger();
    at<DepositRecord>(ledger, 4).amount = amt(600'000);  // the top-up
    EXPECT_TRUE(fails_at(ledger, 6, "channel", "deposit_mismatch"));

    // A deposit 600 and proofs up to 700: the channel itself is refused first.
    ledger = sample_ledger();
    at<ChannelRecord>(ledger, 6).accepted = amt(1'600'000);
    EXPECT_TRUE(fails_at(ledger, 6, "channel", "amount_exceeds_deposit"));
}

TEST(LedgerVerify, ATopUpFromAnotherThanThePayerNamesTheChannel) {
    auto ledger = sample_ledger();
    at<DepositRecord>(ledger, 4).from = testkit::carol().address();
    EXPECT_TRUE(fails_at(ledger, 6, "channel", "topup_not_from_payer"));
}

TEST(LedgerVerify, APlannedRefundWithoutItsPayoutNamesTheDeposit) {
    auto ledger = sample_ledger();
    ledger.pop_back();  // payout 3, carol's refund
    EXPECT_TRUE(fails_at(ledger, 5, "deposit", "refund_unpaid"));
    // Not planned at all: the transfer is simply still held, and the books balance.
    at<DepositRecord>(ledger, 5).refund_batch_id.reset();
    std::get<HeaderRecord>(ledger.front()).records = ledger.size() - 1;
    EXPECT_TRUE(verify_ledger(ledger).has_value());
}

// Issue 20, defect 2: a stranger's self-issued token sent in amounts near 2^63 is held for
// the operator; the ledger stays verifiable (128-bit totals), its books balance apart.
TEST(LedgerVerify, ForeignTransfersSummingPastInt64MaxStillVerify) {
    auto ledger = sample_ledger();
    std::vector<Record> strays;
    for (std::uint8_t i = 1; i <= 2; ++i) {
        Hash32 h{};
        h[0] = 0xf0;
        h[1] = i;
        auto d = deposit(channels::TxId(h), testkit::carol(), channels::Amount::kMax, 14,
                         DepositOutcome::Unclaimed, std::nullopt, "");
        d.token_id = "7777777";
        d.unclaimed_reason = "wrong_token";
        d.refund_batch_id.reset();
        strays.emplace_back(d);
    }
    ledger.insert(ledger.begin() + 5, strays.begin(), strays.end());  // after the deposits
    std::get<HeaderRecord>(ledger.front()).records = ledger.size() - 1;
    const auto r = verify_ledger(ledger);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->books.at("7777777").deposits_in.to_string(), "18446744073709551614");
    EXPECT_EQ(r->books.at("7777777").still_held.to_string(), "18446744073709551614");
    EXPECT_EQ(r->books.at("1002000").still_held.to_string(), "2000000");
}

TEST(LedgerVerify, APayeeRewrittenEverywhereIsCaughtByTheFundingMemo) {
    // The payee and the payout's recipient changed together: every sum still adds up, but
    // the funding transfer's memo (on chain) names bob.
    auto ledger = sample_ledger();
    at<ChannelRecord>(ledger, 6).payee = testkit::carol().address();
    at<PayoutRecord>(ledger, kPayoutBob).recipient = testkit::carol().address();
    EXPECT_TRUE(fails_at(ledger, 6, "channel", "memo_mismatch"));

    ledger = sample_ledger();
    at<DepositRecord>(ledger, 4).memo = to_bytes("btt-channel:v1:topup:" + kCarolChannel.to_hex());
    EXPECT_TRUE(fails_at(ledger, 4, "deposit", "memo_mismatch"));
}

TEST(LedgerVerify, AReplayedOlderProofIsNamed) {
    auto ledger = sample_ledger();
    // Alice's 500 in batch 2 replaced by her (validly signed) 200: below the 300 before it.
    at<ProofRecord>(ledger, kAliceProof300 + 1) =
        signed_proof(kAliceChannel, 200, 2, 1, testkit::alice());
    EXPECT_TRUE(fails_at(ledger, kAliceProof300 + 1, "proof", "amount_not_increasing"));
}

TEST(LedgerVerify, RecordsOutOfOrderOrWithoutAHeaderAreRefused) {
    auto ledger = sample_ledger();
    std::swap(ledger[5], ledger[4]);  // a channel before the last deposit
    EXPECT_TRUE(fails_at(ledger, 6, "deposit", "out_of_order"));
    ledger = sample_ledger();
    ledger.erase(ledger.begin());
    EXPECT_TRUE(fails_at(ledger, 1, "deposit", "no_header"));
}

TEST(LedgerVerify, TheBooksMustBalance) {
    // A transfer held for the operator, with nothing else changed, still balances...
    auto ledger = sample_ledger();
    DepositRecord held = at<DepositRecord>(ledger, 5);
    held.txid = channels::TxId(filled(0xef));
    held.outcome = DepositOutcome::Held;
    held.unclaimed_reason.reset();
    held.refund_batch_id.reset();
    ledger.insert(ledger.begin() + 5, held);
    std::get<HeaderRecord>(ledger.front()).records = ledger.size() - 1;
    ASSERT_TRUE(verify_ledger(ledger).has_value());
    // ...and the refund of a transfer that is not unclaimed is refused.
    auto& refund = std::get<PayoutRecord>(ledger.back());
    refund.contributions[0].transfer_txid = held.txid;
    EXPECT_TRUE(fails_at(ledger, ledger.size(), "payout", "unknown_transfer"));
}

}  // namespace
}  // namespace btt::ledger::test
