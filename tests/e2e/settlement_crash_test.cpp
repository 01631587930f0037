// The two things settlement must never do, pay twice or not at all, under crashes and
// chain faults (issue 11): bttnode aborted at each named step of the payout pipeline
// (BTT_TEST_CRASH_AT), killed -9 at random moments while payouts are under way, and run
// against a chain that is busy, unavailable, slow or drops accepted transactions. Each
// test ends with every balance on chain exactly the plan, one confirmed transaction per
// payout, and reconciliation exact.
//
// BTT_SETTLE_CRASH_RUNS sets the number of random kills (default 20, sized for CI);
// BTT_TEST_SEED replays the moments.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <btt/testkit/actors.h>
#include <btt/testkit/seeded_rng.h>

#include "proof_session.h"

namespace btt::e2e {
namespace {

namespace tk = btt::testkit;

// How many times `needle` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++n;
    return n;
}

// Waits (bounded by `within`) until the node's log holds `needle` at least `at_least` times.
bool wait_log(NodeRig& rig, const std::string& needle, std::size_t at_least,
              std::chrono::seconds within = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (occurrences(rig.node_log(), needle) < at_least &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return occurrences(rig.node_log(), needle) >= at_least;
}

// Waits (bounded) for a PLANNED payout: only once one is due is "nothing signed" a finding
// rather than "nothing to sign yet".
bool wait_planned_payout(NodeRig& rig) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (rig.db_int("SELECT count(*) FROM payouts WHERE state = 1") == 0 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return rig.db_int("SELECT count(*) FROM payouts WHERE state = 1") > 0;
}

// `channel_keys`: more [channels] lines.

RigOptions fast(const std::string& channel_keys = "") {
    RigOptions o;
    o.extra_config = "fee_bps = 100\n" + channel_keys + "[settlement]\nwindow_s = 1\npayout_expiration_s = 3\n";
    return o;
}

// A little ledger: channels from alice and carol to bob and dave, each paid some amount;
// what every party must end with is known in advance.
struct Story {
    struct Line {
        channels::ChannelId id;
        const tron::PrivateKey* payer;
        std::string payee;
        std::int64_t deposit;
        std::int64_t paid;
    };
    std::vector<Line> lines;
    std::map<std::string, std::int64_t> start;  // token balances before

    void open(NodeRig& rig, int n) {
        for (const auto* who : {"alice", "carol", "bob", "dave"}) start[who] = rig.token_balance(tk::actor(who));
        start["escrow"] = rig.token_balance(rig.escrow());
        rig.chain().faults().paused = true;  // all in one block
        for (int i = 0; i < n; ++i) {
            const auto* payer = i % 2 ? &tk::alice() : &tk::carol();
            const std::string payee = i % 3 ? "bob" : "dave";
            const std::int64_t deposit = 2'000'000 + i * 1000;
            const auto txid = rig.transfer(*payer, rig.escrow(), "1002000", deposit, rig.open_memo(tk::actor(payee)));
            lines.push_back({channels::channel_id_of(txid), payer, payee, deposit, 1'000'000 + i * 777});
        }
        rig.chain().faults().paused = false;
        for (const auto& l : lines) rig.wait_channel(l.id, [](const auto& c) { return c.has_value(); });
        auto stub = rig.stub();
        ProofSession s(*stub);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            s.send(proof_request(i, lines[i].id, static_cast<std::uint64_t>(lines[i].paid), *lines[i].payer));
        }
        ASSERT_TRUE(s.finish().ok());
        for (const auto& r : s.results()) ASSERT_EQ(r.outcome(), v1::OUTCOME_ACCEPTED) << r.reason_token();
    }

    grpc::Status close(NodeRig& rig, std::size_t i) {
        const auto& l = lines[i];
        auto stub = rig.stub();
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        v1::CloseRequest req;
        req.set_channel_id(str(l.id.bytes()));
        req.set_signature(str(tron::sign_message_v2(tk::actor_key(l.payee), tron::close_message(l.id.bytes()))));
        v1::CloseResult result;
        return stub->CloseChannel(&ctx, req, &result);
    }

    // Every channel CLOSED, every balance exactly the plan, one confirmed attempt a payout.
    void expect_settled_exactly(NodeRig& rig) {
        for (const auto& l : lines) {
            rig.wait_channel(l.id, [](const auto& c) { return c && c->state() == v1::CHANNEL_STATE_CLOSED; },
                             std::chrono::seconds(180));
        }
        std::map<std::string, std::int64_t> want = start;
        std::int64_t fees = 0;
        for (const auto& l : lines) {
            const std::int64_t fee = l.paid / 100;
            want[l.payee] += l.paid - fee;
            fees += fee;
        }
        for (const auto* who : {"bob", "dave"}) {
            EXPECT_EQ(rig.token_balance(tk::actor(who)), want[who]) << who << " paid wrongly";
        }
        // Payers paid exactly what they signed (deposits went out, refunds came back).
        for (const auto* who : {"alice", "carol"}) {
            std::int64_t spent = 0;
            for (const auto& l : lines) {
                if (l.payer->address() == tk::actor(who)) spent += l.paid;
            }
            EXPECT_EQ(rig.token_balance(tk::actor(who)), start[who] - spent) << who << " refunded wrongly";
        }
        EXPECT_EQ(rig.token_balance(rig.escrow()), start["escrow"] + fees);
        EXPECT_EQ(rig.db_int("SELECT count(*) FROM payouts WHERE state <> 3"), 0);
        EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts WHERE state = 3"),
                  rig.db_int("SELECT count(*) FROM payouts"));
        EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts WHERE state = 1"), 0);
        // And the auditor's view agrees: bttctl reads the database and the solidity node
        // itself, and waits by itself for a watcher a block behind the solid head.
        const auto [status, out] = run_command(std::string(BTTCTL_EXE) +
                                               " --json audit reconcile --config " +
                                               rig.config_path() + " 2>/dev/null");
        EXPECT_EQ(status, 0) << out;
        const auto j = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
        ASSERT_TRUE(j.is_object()) << out;
        EXPECT_EQ(j.value("deficit", ""), "0") << out;
        EXPECT_EQ(j.value("surplus", ""), "0") << out;
        EXPECT_EQ(j.value("ok", false), true) << out;
    }
};

class CrashAtStep : public ::testing::TestWithParam<const char*> {};

TEST_P(CrashAtStep, ThePayoutPipelineResumesFromTheDatabaseAndPaysEachRecipientOnce) {
#ifndef BTT_TEST_HOOKS
    GTEST_SKIP() << "bttnode was built without BTT_TEST_HOOKS: it has no crash points";
#endif
    NodeRig rig(fast());
    rig.start_node();
    Story story;
    story.open(rig, 6);
    // The node is restarted with the crash armed, then every payee closes.
    rig.stop_node();
    rig.start_node({std::string("BTT_TEST_CRASH_AT=") + GetParam()});
    for (std::size_t i = 0; i < story.lines.size(); ++i) ASSERT_TRUE(story.close(rig, i).ok());
    const auto status = rig.wait_node_exit(std::chrono::seconds(60));
    ASSERT_TRUE(status) << "bttnode did not reach " << GetParam() << "\n" << rig.node_log();
    EXPECT_TRUE(WIFSIGNALED(*status)) << "expected an abort at " << GetParam();
    rig.start_node();
    story.expect_settled_exactly(rig);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, CrashAtStep,
                         ::testing::Values("after_plan", "after_sign", "after_broadcast", "after_confirm"));

int crash_runs() {
    const char* v = std::getenv("BTT_SETTLE_CRASH_RUNS");
    return v != nullptr ? std::max(1, std::atoi(v)) : 20;
}

TEST(SettlementCrash, KillNineAtRandomMomentsNeverPaysTwiceNorLosesAPayout) {
    NodeRig rig(fast());
    rig.start_node();
    Story story;
    const int runs = crash_runs();
    story.open(rig, 2 * runs);
    tk::SeededRng rng;
    // Two channels close per run, so payouts are always under way when the kill comes.
    for (int run = 0; run < runs; ++run) {
        for (std::size_t i = 2 * static_cast<std::size_t>(run); i < 2 * static_cast<std::size_t>(run) + 2; ++i) {
            const auto s = story.close(rig, i);
            ASSERT_TRUE(s.ok() || s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(rng.uniform(100, 1500)));
        rig.kill_node();
        rig.start_node();
    }
    story.expect_settled_exactly(rig);
}

TEST(SettlementFaults, BusyUnavailableSlowAndDroppingChainsEndWithEveryPayoutConfirmedOnce) {
    NodeRig rig(fast());
    rig.start_node();
    Story story;
    story.open(rig, 8);
    auto& f = rig.chain().faults();
    f.busy_rate = 0.3;
    f.unavailable_rate = 0.1;
    f.latency_ms = 20;
    f.drop_rate = 0.5;  // accepted, then never included: death must be proven first
    for (std::size_t i = 0; i < story.lines.size(); ++i) {
        // The close itself goes to the node, not the chain: no fault applies.
        ASSERT_TRUE(story.close(rig, i).ok());
    }
    // Let the faults bite for a while, then let the chain recover so the test ends.
    std::this_thread::sleep_for(std::chrono::seconds(8));
    const auto dead = rig.db_int("SELECT count(*) FROM payout_attempts WHERE state = 2");
    f.busy_rate = 0;
    f.unavailable_rate = 0;
    f.latency_ms = 0;
    f.drop_rate = 0;
    story.expect_settled_exactly(rig);
    std::cerr << "dead attempts re-signed after proof of death: " << dead << "\n";
}

TEST(SettlementFunds, AnEscrowWithoutTrxPaysNothingUntilFundedThenPaysEverythingOnce) {
    RigOptions o = fast();
    o.escrow_trx = 0;
    NodeRig rig(o);
    rig.start_node();
    Story story;
    story.open(rig, 3);
    for (std::size_t i = 0; i < story.lines.size(); ++i) ASSERT_TRUE(story.close(rig, i).ok());
    std::this_thread::sleep_for(std::chrono::seconds(4));
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts"), 0)
        << "signed while the escrow could not pay";
    EXPECT_NE(rig.node_log().find("payouts wait for funds"), std::string::npos);
    rig.transfer_trx(tk::alice(), rig.escrow(), 100'000'000);
    story.expect_settled_exactly(rig);
}

TEST(SettlementReconcile, ADeficitStopsPayoutsUntilALaterReconciliationClearsIt) {
    // The operator's other shard (a peer escrow) can send the escrow tokens that are held
    // for the operator, not owed to anyone: the way to cover a deficit.
    const auto operator_shard = tk::actor("operator-shard");
    NodeRig rig(fast("peer_escrows = [\"" + operator_shard.to_base58() + "\"]\n"));
    rig.start_node();
    Story story;
    story.open(rig, 2);
    // Tokens leave the escrow behind the node's back: the books now exceed the balance.
    rig.transfer_trx(tk::alice(), operator_shard, 100'000'000);
    rig.transfer(tk::escrow(), operator_shard, "1002000", 500'000, "");
    story.start["escrow"] -= 500'000;
    ASSERT_TRUE(wait_log(rig, "deficit 500000", 1)) << rig.node_log();
    for (std::size_t i = 0; i < story.lines.size(); ++i) ASSERT_TRUE(story.close(rig, i).ok());
    ASSERT_TRUE(wait_planned_payout(rig))
        << "no payout was planned, so the gate was never tested\n" << rig.node_log();
    // Two more reconciliations still see the deficit: the settler has polled its outbox
    // with payouts due, at every poll of those windows.
    const auto judged_at_plan = occurrences(rig.node_log(), "deficit 500000");
    ASSERT_TRUE(wait_log(rig, "deficit 500000", judged_at_plan + 2)) << rig.node_log();
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts"), 0)
        << "signed payouts during a deficit";
    // The shard sends them back (held, not owed): payouts resume by themselves.
    rig.transfer(tk::actor_key("operator-shard"), rig.escrow(), "1002000", 500'000, "");
    story.start["escrow"] += 500'000;
    story.expect_settled_exactly(rig);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM deposits WHERE outcome = 3"), 1);
}

// Issue 20, defect 1 (DESIGN §10, fail closed): a node restarted during a deficit signs
// nothing until this process has itself judged a reconciliation that held. The solidity
// node cannot read accounts after the restart, so no reconciliation can judge at all:
// a node that trusted its start-up defaults would sign the payee's payout at once.
TEST(SettlementReconcile, ARestartDuringADeficitSignsNothingUntilThisProcessHasJudged) {
    const auto operator_shard = tk::actor("operator-shard");
    NodeRig rig(fast("peer_escrows = [\"" + operator_shard.to_base58() + "\"]\n"));
    rig.start_node();
    Story story;
    story.open(rig, 2);
    rig.transfer_trx(tk::alice(), operator_shard, 100'000'000);
    rig.transfer(tk::escrow(), operator_shard, "1002000", 500'000, "");
    story.start["escrow"] -= 500'000;
    ASSERT_TRUE(wait_log(rig, "deficit 500000", 1)) << rig.node_log();

    rig.kill_node();
    rig.chain().faults().solidity_accounts_down = true;
    rig.start_node();
    for (std::size_t i = 0; i < story.lines.size(); ++i) ASSERT_TRUE(story.close(rig, i).ok());
    ASSERT_TRUE(wait_planned_payout(rig))
        << "no payout was planned, so the gate was never tested\n" << rig.node_log();
    // Two windows that could not judge, with payouts due at every poll between them. Each
    // takes up to ~23 s: the client retries UNAVAILABLE 8 times with jittered backoff
    // (200 ms doubling to 10 s) before the reconciliation gives up.
    const auto unjudged = occurrences(rig.node_log(), "cannot read accounts");
    ASSERT_TRUE(wait_log(rig, "cannot read accounts", unjudged + 2, std::chrono::seconds(60)))
        << rig.node_log();
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts"), 0)
        << "signed before this process judged any reconciliation\n" << rig.node_log();

    // The balance is readable again: the deficit is judged, and still nothing is signed.
    rig.chain().faults().solidity_accounts_down = false;
    const auto deficits = occurrences(rig.node_log(), "deficit 500000");
    ASSERT_TRUE(wait_log(rig, "deficit 500000", deficits + 2)) << rig.node_log();
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts"), 0)
        << "signed payouts during a deficit";
    // Covered again: every payout lands, exactly once.
    rig.transfer(tk::actor_key("operator-shard"), rig.escrow(), "1002000", 500'000, "");
    story.start["escrow"] += 500'000;
    story.expect_settled_exactly(rig);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts WHERE state = 3"),
              rig.db_int("SELECT count(*) FROM payouts"));
}

TEST(SettlementConservation, ATamperedStoredSplitStopsSigningUntilTheBooksBalanceAgain) {
    NodeRig rig(fast());
    rig.start_node();
    Story story;
    story.open(rig, 2);
    ASSERT_TRUE(story.close(rig, 0).ok());
    rig.wait_channel(story.lines[0].id, [](const auto& c) { return c && c->state() == v1::CHANNEL_STATE_CLOSED; });
    const auto exec = [&](const std::string& sql) {
        pqxx::connection c(rig.database_url());
        pqxx::work t(c);
        t.exec(sql);
        t.commit();
    };
    // Someone edits the first channel's stored fee (and payee share, so the split still
    // adds up row by row): only the books as a whole can tell.
    const auto first = "'\\x" + story.lines[0].id.to_hex() + "'";
    exec("UPDATE settlements SET fee = fee + 1, payee_amount = payee_amount - 1 WHERE channel_id = " + first);
    const auto attempts_before = rig.db_int("SELECT count(*) FROM payout_attempts");
    ASSERT_TRUE(story.close(rig, 1).ok());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (rig.node_log().find("conservation check failed") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_NE(rig.node_log().find("conservation check failed"), std::string::npos) << rig.node_log();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts"), attempts_before)
        << "signed a payout while the books did not balance";
    // Put the row back: signing resumes by itself and everything settles exactly.
    exec("UPDATE settlements SET fee = fee - 1, payee_amount = payee_amount + 1 WHERE channel_id = " + first);
    story.expect_settled_exactly(rig);
    EXPECT_NE(rig.node_log().find("conservation holds again"), std::string::npos);
}

}  // namespace
}  // namespace btt::e2e
