// bttload's logic without a node: the latency histogram, the summary's JSON, the receipt
// and batch-chain checks over hand-built signed batches, the answer checks, proof planning,
// the channels file, /proc parsing and the command line's refusals.
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <btt/channel/v1/channel.pb.h>
#include <btt/channels/receipt.h>
#include <btt/load/answer_check.h>
#include <btt/load/attack.h>
#include <btt/load/channels_file.h>
#include <btt/load/latency.h>
#include <btt/load/options.h>
#include <btt/load/proc_cpu.h>
#include <btt/load/receipt_checker.h>
#include <btt/load/signing.h>
#include <btt/load/summary.h>
#include <btt/testkit/actors.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/merkle.h>
#include <btt/tron/tip104.h>

namespace {

using namespace btt;
using load::LatencyHistogram;
namespace v1 = btt::channel::v1;

// ---- latency ---------------------------------------------------------------------------

TEST(BttloadLatency, EmptyHistogramReportsZero) {
    LatencyHistogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.percentile(0.5), 0u);
    EXPECT_EQ(h.percentile(0.99), 0u);
}

TEST(BttloadLatency, EveryBucketHoldsItsValuesWithinOneThirtySecond) {
    for (std::uint64_t v : {0ull, 1ull, 63ull, 64ull, 65ull, 127ull, 128ull, 1000ull, 123'456ull,
                            1ull << 40, ~0ull}) {
        const auto b = LatencyHistogram::bucket_of(v);
        ASSERT_LT(b, LatencyHistogram::kBuckets);
        const auto upper = LatencyHistogram::upper_bound_of(b);
        EXPECT_GE(upper, v) << v;
        EXPECT_LE(static_cast<double>(upper - v), static_cast<double>(v) / 32.0 + 1.0) << v;
        if (b > 0) {
            EXPECT_LT(LatencyHistogram::upper_bound_of(b - 1), v) << v;
        }
    }
}

TEST(BttloadLatency, PercentilesOfAUniformRunAreWithinThreePercent) {
    LatencyHistogram h;
    for (std::uint64_t v = 1; v <= 10'000; ++v)
        h.record(v);
    EXPECT_EQ(h.count(), 10'000u);
    EXPECT_EQ(h.max(), 10'000u);
    EXPECT_NEAR(static_cast<double>(h.percentile(0.50)), 5'000, 5'000 * 0.035);
    EXPECT_NEAR(static_cast<double>(h.percentile(0.90)), 9'000, 9'000 * 0.035);
    EXPECT_NEAR(static_cast<double>(h.percentile(0.99)), 9'900, 9'900 * 0.035);
    EXPECT_EQ(h.percentile(1.0), 10'000u);  // never above the max
}

TEST(BttloadLatency, MergeAddsCountsAndKeepsTheLargestMax) {
    LatencyHistogram a, b;
    for (int i = 0; i < 99; ++i)
        a.record(10);
    b.record(50'000);
    a.merge(b);
    EXPECT_EQ(a.count(), 100u);
    EXPECT_EQ(a.max(), 50'000u);
    EXPECT_EQ(a.percentile(0.99), 10u);
    EXPECT_EQ(a.percentile(1.0), 50'000u);
}

// ---- summary ---------------------------------------------------------------------------

TEST(BttloadSummary, JsonHasEveryKeyScriptsRead) {
    load::StreamResults r;
    r.counts = {1000, 900, 50, 30, 20};
    r.rejected = {{"overloaded", 25}, {"amount_exceeds_deposit", 5}};
    r.unanswered = 3;
    r.seconds = 2.0;
    for (std::uint64_t v = 1; v <= 100; ++v)
        r.latency.record(v * 100);
    r.started = {500, 500};
    load::ReceiptChecker::Totals batches;
    batches.batches = 40;
    batches.gaps = 2;
    auto s = load::make_summary(r, batches);
    s.channels = 8;
    s.window = 128;
    const auto j = load::to_json(s);

    for (const char* key : {"sent", "accepted", "duplicate", "rejected", "errors", "seconds",
                            "proofs_per_s", "ack_ms", "channels", "streams", "batch_gaps"}) {
        EXPECT_TRUE(j.contains(key)) << key;
    }
    EXPECT_EQ(j["sent"], 1000);
    EXPECT_EQ(j["accepted"], 900);
    EXPECT_EQ(j["duplicate"], 50);
    EXPECT_EQ(j["errors"], 20);
    EXPECT_EQ(j["rejected"], (nlohmann::json{{"overloaded", 25}, {"amount_exceeds_deposit", 5}}));
    EXPECT_DOUBLE_EQ(j["proofs_per_s"].get<double>(), 475.0);  // (900 + 50) / 2 s
    EXPECT_EQ(j["channels"], 8);
    EXPECT_EQ(j["streams"], 2);
    EXPECT_EQ(j["batch_gaps"], 2);
    for (const char* key : {"p50", "p90", "p99", "max"})
        EXPECT_TRUE(j["ack_ms"][key].is_number()) << key;
    EXPECT_DOUBLE_EQ(j["ack_ms"]["max"].get<double>(), 10.0);
    EXPECT_NEAR(j["ack_ms"]["p50"].get<double>(), 5.0, 0.2);
    // CPU figures appear only when measured.
    EXPECT_FALSE(j.contains("node_cpu_s"));
    EXPECT_FALSE(j.contains("pg_cpu_s"));
    s.node_cpu_s = 1.5;
    s.pg_cpu_s = 0.25;
    EXPECT_DOUBLE_EQ(load::to_json(s)["node_cpu_s"].get<double>(), 1.5);
    EXPECT_DOUBLE_EQ(load::to_json(s)["pg_cpu_s"].get<double>(), 0.25);
}

TEST(BttloadSummary, ARunThatTookNoTimeHasNoRate) {
    load::Summary s;
    s.accepted = 10;
    EXPECT_EQ(s.proofs_per_s(), 0.0);
    EXPECT_EQ(load::to_json(s)["rejected"], nlohmann::json::object());
}

// ---- receipts and the batch chain ------------------------------------------------------

channels::ChannelId channel_n(std::uint8_t n) {
    Hash32 id{};
    id[0] = 0xc0;
    id[31] = n;
    return channels::ChannelId(id);
}

// A batch as the node builds it (DESIGN §3): leaves in order, RFC 6962 tree, signed header.
struct Batch {
    tron::BatchHeader header;
    tron::Signature signature{};
    std::vector<std::pair<channels::ChannelId, std::int64_t>> leaves;
    tron::MerkleTree tree;

    channels::BatchReceipt receipt(std::size_t i) const {
        channels::BatchReceipt r;
        r.header = header;
        r.batch_signature = signature;
        r.leaf_index = static_cast<std::uint32_t>(i);
        r.path = tree.audit_path(i);
        r.channel = leaves[i].first;
        r.amount = *channels::Amount::from_int64(leaves[i].second);
        return r;
    }
};

Batch make_batch(std::uint64_t seq, const Hash32& prev,
                 std::vector<std::pair<channels::ChannelId, std::int64_t>> leaves,
                 const tron::PrivateKey& signer = testkit::node_key()) {
    std::vector<Hash32> hashes;
    for (const auto& [c, a] : leaves)
        hashes.push_back(channels::receipt_leaf_hash(c, *channels::Amount::from_int64(a)));
    tron::MerkleTree tree(hashes);
    tron::BatchHeader h{seq, prev, static_cast<std::uint32_t>(leaves.size()), tree.root()};
    const auto sig = tron::sign_message_v2(signer, tron::batch_header_message(h));
    return Batch{h, sig, std::move(leaves), std::move(tree)};
}

std::vector<std::pair<channels::ChannelId, std::int64_t>> leaves_of(std::uint8_t first, int n,
                                                                    std::int64_t amount) {
    std::vector<std::pair<channels::ChannelId, std::int64_t>> out;
    for (int i = 0; i < n; ++i)
        out.emplace_back(channel_n(static_cast<std::uint8_t>(first + i)), amount + i);
    return out;
}

TEST(BttloadReceipts, EveryReceiptOfAChainedRunChecksOut) {
    load::ReceiptChecker checker(testkit::node_key().address());
    const auto b1 = make_batch(1, Hash32{}, leaves_of(1, 5, 100));
    const auto b2 = make_batch(2, tron::batch_hash(b1.header), leaves_of(10, 3, 7));
    const auto b3 = make_batch(3, tron::batch_hash(b2.header), leaves_of(20, 1, 9));
    for (const auto* b : {&b1, &b2, &b3}) {
        for (std::size_t i = 0; i < b->leaves.size(); ++i) {
            const auto ok = checker.check(b->receipt(i));
            EXPECT_TRUE(ok) << "seq " << b->header.seq << " leaf " << i << ": "
                            << (ok ? "" : ok.error());
        }
    }
    // A duplicate answered later with an old batch's receipt is still fine.
    EXPECT_TRUE(checker.check(b1.receipt(2)));
    const auto t = checker.totals();
    EXPECT_EQ(t.batches, 3u);
    EXPECT_EQ(t.gaps, 0u);
}

TEST(BttloadReceipts, RefusesAReceiptForAnotherAmountOrChannel) {
    load::ReceiptChecker checker(testkit::node_key().address());
    const auto b1 = make_batch(1, Hash32{}, leaves_of(1, 4, 100));
    EXPECT_TRUE(checker.check(b1.receipt(0)));  // the header is now cached
    auto r = b1.receipt(1);
    r.amount = *channels::Amount::from_int64(102);
    ASSERT_FALSE(checker.check(r));
    EXPECT_NE(checker.check(r).error().find("root_mismatch"), std::string::npos);
    r = b1.receipt(1);
    r.channel = channel_n(99);
    EXPECT_FALSE(checker.check(r));
    r = b1.receipt(1);
    r.leaf_index = 7;  // beyond the leaf count
    ASSERT_FALSE(checker.check(r));
    EXPECT_NE(checker.check(r).error().find("bad_path"), std::string::npos);
    // The same, on a batch seen for the first time (the full verification path).
    load::ReceiptChecker fresh(testkit::node_key().address());
    auto f = b1.receipt(3);
    f.amount = *channels::Amount::from_int64(1);
    EXPECT_FALSE(fresh.check(f));
}

TEST(BttloadReceipts, RefusesAHeaderSignedByAnotherKey) {
    load::ReceiptChecker checker(testkit::node_key().address());
    const auto forged = make_batch(1, Hash32{}, leaves_of(1, 2, 5), testkit::alice());
    const auto e = checker.check(forged.receipt(0));
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().find("wrong_signer"), std::string::npos);
    EXPECT_EQ(checker.totals().batches, 0u);  // nothing unverified is cached
}

TEST(BttloadReceipts, RefusesASecondDifferentHeaderForASeq) {
    load::ReceiptChecker checker(testkit::node_key().address());
    const auto b1 = make_batch(1, Hash32{}, leaves_of(1, 2, 5));
    const auto other = make_batch(1, Hash32{}, leaves_of(40, 2, 5));  // validly signed, other root
    EXPECT_TRUE(checker.check(b1.receipt(0)));
    EXPECT_FALSE(checker.check(other.receipt(0)));
    // Same header, a different (malleated-looking) signature bytes: refused too.
    auto r = b1.receipt(1);
    r.batch_signature[64] = r.batch_signature[64] == 27 ? 28 : 27;
    EXPECT_FALSE(checker.check(r));
}

TEST(BttloadReceipts, RefusesABrokenChainInEitherArrivalOrder) {
    const auto b1 = make_batch(1, Hash32{}, leaves_of(1, 2, 5));
    Hash32 wrong{};
    wrong[0] = 1;
    const auto b2_bad = make_batch(2, wrong, leaves_of(10, 2, 5));
    {
        load::ReceiptChecker checker(testkit::node_key().address());
        EXPECT_TRUE(checker.check(b1.receipt(0)));
        EXPECT_FALSE(checker.check(b2_bad.receipt(0)));  // names batch 1's hash
        EXPECT_FALSE(checker.check(b2_bad.receipt(1)));  // and so does every receipt of it
    }
    {
        load::ReceiptChecker checker(testkit::node_key().address());
        EXPECT_TRUE(checker.check(b2_bad.receipt(0)));  // alone it cannot be judged
        EXPECT_FALSE(checker.check(b1.receipt(0)));     // its successor does not name it
    }
    // Batch 1 must name the zero hash; seq 0 does not exist.
    load::ReceiptChecker checker(testkit::node_key().address());
    EXPECT_FALSE(checker.check(make_batch(1, wrong, leaves_of(1, 1, 5)).receipt(0)));
    EXPECT_FALSE(checker.check(make_batch(0, Hash32{}, leaves_of(1, 1, 5)).receipt(0)));
}

TEST(BttloadReceipts, CountsSeqGapsAsOtherClientsBatches) {
    load::ReceiptChecker checker(testkit::node_key().address());
    const auto b1 = make_batch(1, Hash32{}, leaves_of(1, 1, 5));
    const auto b2 = make_batch(2, tron::batch_hash(b1.header), leaves_of(2, 1, 5));
    const auto b3 = make_batch(3, tron::batch_hash(b2.header), leaves_of(3, 1, 5));
    const auto b4 = make_batch(4, tron::batch_hash(b3.header), leaves_of(4, 1, 5));
    const auto b5 = make_batch(5, tron::batch_hash(b4.header), leaves_of(5, 1, 5));
    EXPECT_TRUE(checker.check(b5.receipt(0)));
    EXPECT_TRUE(checker.check(b2.receipt(0)));
    EXPECT_TRUE(checker.check(b1.receipt(0)));
    const auto t = checker.totals();
    EXPECT_EQ(t.batches, 3u);
    EXPECT_EQ(t.gaps, 2u);  // 3 and 4
    EXPECT_EQ(t.lowest_seq, 1u);
    EXPECT_EQ(t.highest_seq, 5u);
}

// ---- answers -----------------------------------------------------------------------------

v1::ProofResult accepted_answer(const Batch& b, std::size_t leaf) {
    v1::ProofResult res;
    res.set_request_id(7);
    res.set_outcome(v1::OUTCOME_ACCEPTED);
    res.set_accepted(static_cast<std::uint64_t>(b.leaves[leaf].second));
    auto* r = res.mutable_receipt();
    r->set_batch_seq(b.header.seq);
    r->set_prev_batch_hash(std::string(b.header.prev_hash.begin(), b.header.prev_hash.end()));
    r->set_leaf_count(b.header.leaf_count);
    r->set_root(std::string(b.header.root.begin(), b.header.root.end()));
    r->set_batch_signature(std::string(b.signature.begin(), b.signature.end()));
    r->set_leaf_index(static_cast<std::uint32_t>(leaf));
    for (const auto& h : b.tree.audit_path(leaf))
        r->add_path(std::string(h.begin(), h.end()));
    r->set_amount(static_cast<std::uint64_t>(b.leaves[leaf].second));
    return res;
}

TEST(BttloadAnswers, AcceptsAnAcceptedOrDuplicateAnswerWithItsReceipt) {
    load::ReceiptChecker checker(testkit::node_key().address());
    const auto b = make_batch(1, Hash32{}, leaves_of(1, 3, 50));
    auto res = accepted_answer(b, 1);
    EXPECT_EQ(load::check_answer(channel_n(2), 51, res, checker).kind,
              load::Verdict::Kind::Accepted);
    res.set_outcome(v1::OUTCOME_DUPLICATE);
    EXPECT_EQ(load::check_answer(channel_n(2), 51, res, checker).kind,
              load::Verdict::Kind::Duplicate);
}

TEST(BttloadAnswers, FlagsEveryInconsistentAcceptance) {
    load::ReceiptChecker checker(testkit::node_key().address());
    const auto b = make_batch(1, Hash32{}, leaves_of(1, 3, 50));
    const auto good = accepted_answer(b, 1);
    const auto is_error = [&](const v1::ProofResult& r, std::uint64_t amount = 51) {
        return load::check_answer(channel_n(2), amount, r, checker).kind ==
               load::Verdict::Kind::Error;
    };
    auto r = good;
    r.set_accepted(50);
    EXPECT_TRUE(is_error(r)) << "accepted differs from the amount";
    r = good;
    r.clear_receipt();
    EXPECT_TRUE(is_error(r)) << "no receipt";
    r = good;
    r.mutable_receipt()->set_amount(50);
    EXPECT_TRUE(is_error(r)) << "receipt for another amount";
    r = good;
    r.set_reason(8);
    EXPECT_TRUE(is_error(r)) << "a reason on an acceptance";
    r = good;
    r.mutable_receipt()->set_root("short");
    EXPECT_TRUE(is_error(r)) << "malformed root";
    r = good;
    r.mutable_receipt()->set_path(0, std::string(31, '\0'));
    EXPECT_TRUE(is_error(r)) << "malformed path element";
    r = good;
    r.set_outcome(v1::OUTCOME_UNSPECIFIED);
    EXPECT_TRUE(is_error(r)) << "no outcome";
    EXPECT_TRUE(is_error(good, 52)) << "the answer is for another proof's amount";
    EXPECT_FALSE(is_error(good));
}

TEST(BttloadAnswers, CountsRejectionsByTheirTokenAndChecksTheNumberMatches) {
    load::ReceiptChecker checker(testkit::node_key().address());
    v1::ProofResult r;
    r.set_outcome(v1::OUTCOME_REJECTED);
    r.set_reason(7);
    r.set_reason_token("amount_exceeds_deposit");
    auto v = load::check_answer(channel_n(1), 5, r, checker);
    EXPECT_EQ(v.kind, load::Verdict::Kind::Rejected);
    EXPECT_EQ(v.detail, "amount_exceeds_deposit");

    r.set_reason_token("overloaded");  // token of 10, number 7
    EXPECT_EQ(load::check_answer(channel_n(1), 5, r, checker).kind, load::Verdict::Kind::Error);
    r.set_reason(0);
    EXPECT_EQ(load::check_answer(channel_n(1), 5, r, checker).kind, load::Verdict::Kind::Error);
    // A reason number appended after this build counts under its token.
    r.set_reason(40);
    r.set_reason_token("future_reason");
    v = load::check_answer(channel_n(1), 5, r, checker);
    EXPECT_EQ(v.kind, load::Verdict::Kind::Rejected);
    EXPECT_EQ(v.detail, "future_reason");
    EXPECT_EQ(load::known_reason_token(11).value_or(""), "store_unavailable");
    EXPECT_FALSE(load::known_reason_token(0));
}

// ---- proof planning ----------------------------------------------------------------------

load::Fleet fleet_of(std::vector<std::pair<std::uint64_t, std::uint64_t>> deposit_and_last) {
    load::Fleet f;
    f.payers.push_back(tron::PrivateKey::from_hex(testkit::alice().to_hex()).value());
    std::uint8_t n = 1;
    for (const auto& [deposit, last] : deposit_and_last)
        f.channels.push_back({channel_n(n++), 0, deposit, last});
    return f;
}

TEST(BttloadPlan, DealsRoundRobinKeepsEachChannelOnOneStreamAndStopsAtTheDeposit) {
    // Channel 0 has room for 2 proofs of step 10, channel 1 for many, channel 2 for none.
    const auto fleet = fleet_of({{1000, 980}, {1000, 0}, {5, 5}});
    const auto plan = load::plan_proofs(fleet, 2, 10, 6);
    ASSERT_EQ(plan.streams.size(), 2u);
    EXPECT_EQ(plan.total, 6u);
    EXPECT_EQ(plan.channels_at_deposit, 2u);
    std::vector<std::vector<std::uint64_t>> amounts(3);
    for (std::size_t s = 0; s < 2; ++s) {
        for (const auto& p : plan.streams[s]) {
            EXPECT_EQ(p.channel % 2, s);
            amounts[p.channel].push_back(p.amount);
        }
    }
    EXPECT_EQ(amounts[0], (std::vector<std::uint64_t>{990, 1000}));
    EXPECT_EQ(amounts[1], (std::vector<std::uint64_t>{10, 20, 30, 40}));
    EXPECT_TRUE(amounts[2].empty());
}

TEST(BttloadPlan, NeverUsesMoreStreamsThanChannelsAndSignsWhatTheNodeVerifies) {
    auto fleet = fleet_of({{100, 0}});
    auto plan = load::plan_proofs(fleet, 8, 1, 3);
    ASSERT_EQ(plan.streams.size(), 1u);
    load::sign_plan(plan, fleet, 2);
    for (const auto& p : plan.streams[0]) {
        const auto signer = tron::recover_message_v2(
            tron::balance_proof_message(fleet.channels[0].id.bytes(), p.amount), p.signature);
        ASSERT_TRUE(signer);
        EXPECT_EQ(*signer, testkit::alice().address());
    }
}

// ---- channels file -----------------------------------------------------------------------

std::filesystem::path temp_dir() {
    auto dir = std::filesystem::temp_directory_path() /
               ("bttload_test_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

TEST(BttloadChannelsFile, RoundTripsChannelsKeysAndLastAmounts) {
    const auto dir = temp_dir();
    const auto path = (dir / "channels.txt").string();
    load::Fleet fleet;
    fleet.payers.push_back(tron::PrivateKey::from_hex(testkit::alice().to_hex()).value());
    fleet.payers.push_back(tron::PrivateKey::from_hex(testkit::carol().to_hex()).value());
    fleet.channels = {
        {channel_n(1), 0, 500, 17}, {channel_n(2), 1, 500, 0}, {channel_n(3), 0, 500, 499}};
    ASSERT_TRUE(load::write_channels_file(path, fleet));
    EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

    const auto back = load::read_channels_file(path);
    ASSERT_TRUE(back) << back.error();
    ASSERT_EQ(back->channels.size(), 3u);
    ASSERT_EQ(back->payers.size(), 2u);  // alice's two channels share one payer
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(back->channels[i].id, fleet.channels[i].id);
        EXPECT_EQ(back->channels[i].last_sent, fleet.channels[i].last_sent);
        EXPECT_EQ(back->channels[i].deposit, 0u);  // the node says
        EXPECT_EQ(back->payers[back->channels[i].payer].address(),
                  fleet.payers[fleet.channels[i].payer].address());
    }
    // Rewriting the same path replaces it.
    fleet.channels[0].last_sent = 18;
    ASSERT_TRUE(load::write_channels_file(path, fleet));
    EXPECT_EQ(load::read_channels_file(path)->channels[0].last_sent, 18u);
    std::filesystem::remove_all(dir);
}

TEST(BttloadChannelsFile, RefusesOpenModesAndMalformedLines) {
    const auto dir = temp_dir();
    const auto write = [&](const std::string& name, const std::string& text, mode_t mode) {
        const auto p = (dir / name).string();
        std::ofstream(p) << text;
        ::chmod(p.c_str(), mode);
        return p;
    };
    const std::string id(64, 'a');
    const std::string key = testkit::alice().to_hex();
    const std::string header = std::string(load::kChannelsFileHeader) + "\n";

    EXPECT_TRUE(load::read_channels_file(write("ok", header + id + " " + key + " 5\n", 0600)));
    EXPECT_FALSE(load::read_channels_file(write("open", header + id + " " + key + " 5\n", 0644)));
    EXPECT_FALSE(load::read_channels_file(write("noheader", id + " " + key + " 5\n", 0600)));
    EXPECT_FALSE(load::read_channels_file(write("empty", header, 0600)));
    EXPECT_FALSE(load::read_channels_file(
        write("upper", header + std::string(64, 'A') + " " + key + " 5\n", 0600)));
    EXPECT_FALSE(load::read_channels_file(
        write("badkey", header + id + " " + std::string(64, '0') + " 5\n", 0600)));
    EXPECT_FALSE(load::read_channels_file(write("neg", header + id + " " + key + " -5\n", 0600)));
    EXPECT_FALSE(
        load::read_channels_file(write("extra", header + id + " " + key + " 5 6\n", 0600)));
    EXPECT_FALSE(load::read_channels_file(
        write("twice", header + id + " " + key + " 5\n" + id + " " + key + " 6\n", 0600)));
    const auto missing = load::read_channels_file((dir / "missing").string());
    ASSERT_FALSE(missing);
    const auto line =
        load::read_channels_file(write("line3", header + id + " " + key + " 5\n" + "zz\n", 0600));
    ASSERT_FALSE(line);
    EXPECT_NE(line.error().find(":3:"), std::string::npos) << line.error();
    std::filesystem::remove_all(dir);
}

// ---- /proc -------------------------------------------------------------------------------

TEST(BttloadProcCpu, ParsesStatFieldsAfterACommandNameWithSpacesAndParentheses) {
    const std::string text =
        "4242 (postgres: a (b) c) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 12 3 20 0 1 0 1000 "
        "0 0\n";
    const auto s = load::parse_proc_stat(text);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->ppid, 17);
    EXPECT_EQ(s->utime, 250u);
    EXPECT_EQ(s->stime, 75u);
    EXPECT_EQ(s->cutime, 12);
    EXPECT_EQ(s->cstime, 3);
    EXPECT_FALSE(load::parse_proc_stat("4242 (x) S 1 2"));
    EXPECT_FALSE(load::parse_proc_stat("no parenthesis"));
    EXPECT_TRUE(load::process_cpu_seconds(::getpid()));  // this very process
}

TEST(BttloadProcCpu, ReadsVmRssInBytesAndRefusesAStatusWithoutIt) {
    EXPECT_EQ(load::parse_vm_rss("Name:\tbttnode\nVmPeak:\t  9000 kB\nVmRSS:\t   12345 kB\nThreads: 9\n"),
              12345LL * 1024);
    EXPECT_EQ(load::parse_vm_rss("VmRSS:\t1 kB\n"), 1024);
    EXPECT_FALSE(load::parse_vm_rss("Name:\tx\nVmHWM:\t5 kB\n"));
    EXPECT_FALSE(load::parse_vm_rss("VmRSS:\tlots\n"));
    EXPECT_FALSE(load::parse_vm_rss("VmRSS:\t5 MB\n"));
    const auto mine = load::process_rss_bytes(::getpid());  // this very process
    ASSERT_TRUE(mine);
    EXPECT_GT(*mine, 1 << 20);
}

// ---- command line ------------------------------------------------------------------------

Expected<load::Options, load::ParseStop> parse(std::vector<std::string> args) {
    ::unsetenv("BTT_NODE");
    args.insert(args.begin(), "bttload");
    std::vector<const char*> argv;
    for (const auto& a : args)
        argv.push_back(a.c_str());
    return load::parse_options(static_cast<int>(argv.size()), argv.data());
}

void expect_usage(std::vector<std::string> args, const std::string& mentions) {
    const auto r = parse(args);
    ASSERT_FALSE(r) << mentions;
    EXPECT_EQ(r.error().code, load::ExitCode::Usage);
    EXPECT_NE(r.error().text.find(mentions), std::string::npos) << r.error().text;
}

TEST(BttloadOptions, HelpNamesTheProgramAndExitsZero) {
    const auto r = parse({"--help"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, load::ExitCode::Ok);
    EXPECT_NE(r.error().text.find("bttload"), std::string::npos);
    EXPECT_NE(r.error().text.find("PRIVATE KEY"), std::string::npos);  // the channels file warning
}

TEST(BttloadOptions, ReuseTakesTheDefaults) {
    const auto r = parse({"--node", "127.0.0.1:50151", "--channels-file", "c.txt"});
    ASSERT_TRUE(r) << r.error().text;
    EXPECT_TRUE(r->is_reuse());
    EXPECT_EQ(r->streams, 4u);
    EXPECT_EQ(r->window, 128u);
    EXPECT_EQ(r->step, 1u);
    EXPECT_EQ(r->rate, 0.0);
    EXPECT_EQ(r->duration_s, 10.0);  // neither --duration-s nor --proofs
    EXPECT_FALSE(r->node_pid);
}

TEST(BttloadOptions, OpeningReadsEveryFlag) {
    const auto r = parse({"--node",
                          "n:1",
                          "--keys-file",
                          "g.keys.json",
                          "--payers",
                          "3",
                          "--payees",
                          "2",
                          "--deposit",
                          "5000000",
                          "--expiry-s",
                          "90000",
                          "--channels-per-payer",
                          "4",
                          "--proofs",
                          "1000",
                          "--rate",
                          "500",
                          "--node-pid",
                          "77",
                          "--pg-pids",
                          "10,11,12",
                          "--json"});
    ASSERT_TRUE(r) << r.error().text;
    EXPECT_FALSE(r->is_reuse());
    EXPECT_EQ(r->payers, 3u);
    EXPECT_EQ(r->payees, 2u);
    EXPECT_EQ(r->deposit, 5'000'000);
    EXPECT_EQ(r->expiry_s, 90'000);
    EXPECT_EQ(r->channels_per_payer, 4u);
    EXPECT_EQ(r->proofs, 1000u);
    EXPECT_EQ(r->duration_s, 0.0);
    EXPECT_EQ(r->node_pid, 77);
    EXPECT_EQ(r->pg_pids, (std::vector<long>{10, 11, 12}));
    EXPECT_TRUE(r->json);
}

TEST(BttloadOptions, RefusesBadUsageWithExitTwo) {
    expect_usage({"--channels-file", "c"}, "--node");
    expect_usage({"--node", "n:1"}, "--channels-file");
    expect_usage({"--node", "n:1", "--keys-file", "g.json"}, "--payers");
    expect_usage({"--node", "n:1", "--channels-file", "c", "--payers", "2"}, "--payers");
    expect_usage({"--node", "n:1", "--channels-file", "c", "--deposit", "2"}, "--deposit");
    expect_usage({"--node", "n:1", "--keys-file", "g", "--payer-key-file", "k", "--payers", "1"},
                 "exclude");
    expect_usage({"--node", "n:1", "--payer-key-file", "k", "--payers", "2"}, "--payers");
    expect_usage({"--node", "n:1", "--keys-file", "g", "--payers", "1", "--payees", "2",
                  "--payees-file", "p"},
                 "--payees");
    expect_usage({"--node", "n:1", "--channels-file", "c", "--streams", "0"}, "--streams");
    expect_usage({"--node", "n:1", "--channels-file", "c", "--window", "0"}, "--window");
    expect_usage({"--node", "n:1", "--channels-file", "c", "--step", "0"}, "--step");
    expect_usage({"--node", "n:1", "--channels-file", "c", "--rate", "-1"}, "--rate");
    expect_usage({"--node", "n:1", "--channels-file", "c", "--pg-pids", "1,x"}, "--pg-pids");
    expect_usage({"--node", "n:1", "--channels-file", "c", "--pg-pids", "1,,2"}, "--pg-pids");
    expect_usage({"--node", "n:1", "--channels-file", "c", "--no-such-flag"}, "--no-such-flag");
}

TEST(BttloadOptions, ReadsEveryAttackAndRefusesAnUnknownOne) {
    for (const auto& [name, kind] : std::vector<std::pair<std::string, load::AttackKind>>{
             {"replay", load::AttackKind::Replay},
             {"bad-signature", load::AttackKind::BadSignature},
             {"wrong-signer", load::AttackKind::WrongSigner},
             {"close-spam", load::AttackKind::CloseSpam},
             {"idle", load::AttackKind::Idle}}) {
        const auto r = parse({"--node", "n:1", "--channels-file", "c", "--attack", name});
        ASSERT_TRUE(r) << name << ": " << r.error().text;
        EXPECT_EQ(r->attack, kind) << name;
        EXPECT_STREQ(load::attack_name(kind), name.c_str());
    }
    const auto plain = parse({"--node", "n:1", "--channels-file", "c"});
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->attack, load::AttackKind::None);
    EXPECT_EQ(plain->attack_window, 256u);
    const auto sized = parse({"--node", "n:1", "--channels-file", "c", "--attack", "idle",
                              "--attack-connections", "40", "--attack-window", "8",
                              "--attack-streams", "3"});
    ASSERT_TRUE(sized) << sized.error().text;
    EXPECT_EQ(sized->attack_connections, 40u);
    EXPECT_EQ(sized->attack_window, 8u);
    EXPECT_EQ(sized->attack_streams, 3u);
    expect_usage({"--node", "n:1", "--channels-file", "c", "--attack", "flood"}, "--attack");
    expect_usage({"--node", "n:1", "--channels-file", "c", "--attack", "replay", "--proofs", "1"},
                 "--attack");
    expect_usage({"--node", "n:1", "--channels-file", "c", "--attack-window", "0"},
                 "--attack-window");
}

}  // namespace
