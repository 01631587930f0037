// Operators and auditors end to end (issue 12): the role matrix over every AdminService
// and AuditService method, the operator's flows (pause, list, force settle, retry) and the
// auditor's reads, through gRPC and through bttctl, and JSON logs without secrets.
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <btt/base/hex.h>
#include <btt/testkit/actors.h>
#include <btt/testkit/pg_cluster.h>

#include "ops_rig.h"
#include "proof_session.h"

namespace btt::e2e {
namespace {

namespace tk = btt::testkit;
namespace fs = std::filesystem;

struct Call {
    const char* name;
    bool admin;  // AdminService (operator only) or AuditService (auditor or operator)
    std::function<grpc::Status(grpc::ClientContext&)> run;
};

std::vector<Call> every_method(const std::shared_ptr<grpc::Channel>& channel) {
    auto admin = std::shared_ptr<v1::AdminService::Stub>(v1::AdminService::NewStub(channel));
    auto audit = std::shared_ptr<v1::AuditService::Stub>(v1::AuditService::NewStub(channel));
    const std::string unknown(32, '\x07');
    return {
        {"ListChannels", true,
         [=](auto& c) {
             v1::ListChannelsResponse r;
             return admin->ListChannels(&c, {}, &r);
         }},
        {"ForceSettle", true,
         [=](auto& c) {
             v1::ForceSettleRequest q;
             q.set_channel_id(unknown);
             v1::ForceSettleResult r;
             return admin->ForceSettle(&c, q, &r);
         }},
        {"PauseIntake", true,
         [=](auto& c) {
             v1::IntakeState r;
             return admin->PauseIntake(&c, {}, &r);
         }},
        {"ResumeIntake", true,
         [=](auto& c) {
             v1::IntakeState r;
             return admin->ResumeIntake(&c, {}, &r);
         }},
        {"ListSettlementBatches", true,
         [=](auto& c) {
             v1::ListSettlementBatchesResponse r;
             return admin->ListSettlementBatches(&c, {}, &r);
         }},
        {"ListPayouts", true,
         [=](auto& c) {
             v1::ListPayoutsResponse r;
             return admin->ListPayouts(&c, {}, &r);
         }},
        {"RetryPayout", true,
         [=](auto& c) {
             v1::RetryPayoutRequest q;
             q.set_payout_id(424242);
             v1::RetryPayoutResult r;
             return admin->RetryPayout(&c, q, &r);
         }},
        {"ListHeldTransfers", true,
         [=](auto& c) {
             v1::ListHeldTransfersResponse r;
             return admin->ListHeldTransfers(&c, {}, &r);
         }},
        {"RefundUnclaimed", true,
         [=](auto& c) {
             v1::RefundUnclaimedRequest q;
             q.set_txid(unknown);
             v1::RefundUnclaimedResult r;
             return admin->RefundUnclaimed(&c, q, &r);
         }},
        {"GetChannelHistory", false,
         [=](auto& c) {
             v1::GetChannelHistoryRequest q;
             q.set_channel_id(unknown);
             v1::ChannelHistory r;
             return audit->GetChannelHistory(&c, q, &r);
         }},
        {"ListReceiptBatches", false,
         [=](auto& c) {
             v1::ListReceiptBatchesResponse r;
             return audit->ListReceiptBatches(&c, {}, &r);
         }},
        {"ListSettlements", false,
         [=](auto& c) {
             v1::ListSettlementsResponse r;
             return audit->ListSettlements(&c, {}, &r);
         }},
        {"Reconcile", false,
         [=](auto& c) {
             v1::ReconcileReport r;
             return audit->Reconcile(&c, {}, &r);
         }},
        {"ExportLedger", false,
         [=](auto& c) {
             auto reader = audit->ExportLedger(&c, {});
             v1::LedgerLine line;
             for (int i = 0; i < 100'000 && reader->Read(&line); ++i) {
             }
             return reader->Finish();
         }},
    };
}

bool refused(const grpc::Status& s) {
    return s.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
           s.error_code() == grpc::StatusCode::PERMISSION_DENIED;
}

TEST(OpsE2E, RoleMatrixCoversEveryMethodAndJsonLogsCarryNoToken) {
    TokenFiles tokens;
    NodeRig rig(ops_rig(tokens, "json"));
    rig.start_node();
    const auto calls = every_method(rig.node_channel());
    // Every method of both services, as the proto declares them.
    const auto* file = v1::ListChannelsRequest::descriptor()->file();
    ASSERT_EQ(calls.size(),
              static_cast<std::size_t>(file->FindServiceByName("AdminService")->method_count() +
                                       file->FindServiceByName("AuditService")->method_count()));
    for (const auto& call : calls) {
        SCOPED_TRACE(call.name);
        {
            grpc::ClientContext c;
            bearer(c, nullptr);
            EXPECT_EQ(call.run(c).error_code(), grpc::StatusCode::UNAUTHENTICATED);
        }
        {
            grpc::ClientContext c;
            bearer(c, "not-a-token-of-this-node-000000");
            EXPECT_EQ(call.run(c).error_code(), grpc::StatusCode::UNAUTHENTICATED);
        }
        {
            // The scheme is required: the bare token is not a bearer header.
            grpc::ClientContext c;
            c.AddMetadata("authorization", kOperatorToken);
            EXPECT_EQ(call.run(c).error_code(), grpc::StatusCode::UNAUTHENTICATED);
        }
        {
            grpc::ClientContext c;
            bearer(c, kAuditorToken);
            const auto s = call.run(c);
            if (call.admin)
                EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
            else
                EXPECT_FALSE(refused(s)) << s.error_message();
        }
        {
            grpc::ClientContext c;
            bearer(c, kOperatorToken);
            const auto s = call.run(c);
            EXPECT_FALSE(refused(s)) << s.error_message();
        }
    }
    // ChannelService needs no token.
    {
        auto stub = rig.stub();
        grpc::ClientContext c;
        bearer(c, nullptr);
        v1::NodeInfo info;
        EXPECT_TRUE(stub->GetNodeInfo(&c, {}, &info).ok());
    }
    // log.format = json: every line is one object; no token ever reaches the log.
    const auto log = rig.node_log();
    std::istringstream lines(log);
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        if (line.empty())
            continue;
        const auto j = nlohmann::json::parse(line, nullptr, false);
        ASSERT_TRUE(j.is_object()) << line;
        EXPECT_TRUE(j.contains("ts") && j.contains("level") && j.contains("msg")) << line;
        ++count;
    }
    EXPECT_GT(count, 2);
    EXPECT_EQ(log.find(kOperatorToken), std::string::npos);
    EXPECT_EQ(log.find(kAuditorToken), std::string::npos);
}

std::string hex(const channels::ChannelId& id) {
    return to_hex(id.bytes());
}

v1::ProofResult pay(NodeRig& rig, const channels::ChannelId& id, std::uint64_t amount,
                    const tron::PrivateKey& payer) {
    auto stub = rig.stub();
    ProofSession s(*stub);
    s.send(proof_request(1, id, amount, payer));
    EXPECT_TRUE(s.finish().ok());
    const auto r = s.results();
    EXPECT_EQ(r.size(), 1u);
    return r.empty() ? v1::ProofResult{} : r[0];
}

// A node with one channel that has taken one payment, and the operator's bttctl flags
// (read anew: a restarted node listens on another port).
class OpsOneChannel : public ::testing::Test {
protected:
    void SetUp() override {
        rig.start_node();
        a = rig.open_channel(tk::alice(), tk::actor("bob"), 10'000'000);
        ASSERT_EQ(pay(rig, a, 1'000'000, tk::alice()).outcome(), v1::OUTCOME_ACCEPTED);
    }
    [[nodiscard]] std::string op() const {
        return " --node " + rig.node_address() + " --token-file " + tokens.operator_file();
    }

    TokenFiles tokens;
    NodeRig rig{ops_rig(tokens)};
    channels::ChannelId a;
};

// A pause is an operator's stop: a crash or a restart does not lift it; only ResumeIntake
// does, and a resumed node stays resumed across the next restart.
TEST_F(OpsOneChannel, APauseOutlivesARestartUntilAnOperatorResumes) {
    auto paused = json_of(bttctl("--json pause --reason incident-42" + op()));
    ASSERT_EQ(paused.value("paused", false), true);
    const auto since = paused.value("since", std::int64_t{0});
    EXPECT_GT(since, 0);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM intake_pause"), 1);

    rig.kill_node();
    rig.start_node();
    EXPECT_NE(rig.node_log().find("intake stays paused"), std::string::npos);
    auto r = pay(rig, a, 2'000'000, tk::alice());
    EXPECT_EQ(r.reason_token(), "intake_paused");
    // Pausing again keeps the first reason and time.
    auto again = json_of(bttctl("--json pause --reason other" + op()));
    EXPECT_EQ(again.value("reason", ""), "incident-42");
    EXPECT_EQ(again.value("since", std::int64_t{0}), since);

    ASSERT_EQ(json_of(bttctl("--json resume" + op())).value("paused", true), false);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM intake_pause"), 0);
    EXPECT_EQ(rig.stop_node(), 0);
    rig.start_node();
    EXPECT_EQ(pay(rig, a, 2'000'000, tk::alice()).outcome(), v1::OUTCOME_ACCEPTED);
}

// With PostgreSQL down a pause still stops intake at once, but says it could not be
// recorded; a resume that cannot be recorded does not happen (it would come back paused).
TEST_F(OpsOneChannel, WithTheDatabaseDownPauseAndResumeSayWhatTheyDid) {
    testkit::pg().stop_immediately();
    const auto paused = bttctl("pause --reason db-down" + op());
    EXPECT_EQ(paused.first, 3) << paused.second;
    EXPECT_NE(paused.second.find("could not be recorded"), std::string::npos) << paused.second;
    EXPECT_EQ(pay(rig, a, 2'000'000, tk::alice()).reason_token(), "intake_paused");
    const auto resumed = bttctl("resume" + op());
    EXPECT_EQ(resumed.first, 3) << resumed.second;
    EXPECT_NE(resumed.second.find("stays paused"), std::string::npos) << resumed.second;
    EXPECT_EQ(pay(rig, a, 2'000'000, tk::alice()).reason_token(), "intake_paused");
    testkit::pg().restart();

    // Pausing again records it; resuming then removes it, and intake takes amounts again.
    EXPECT_EQ(json_of(bttctl("--json pause --reason db-down" + op())).value("reason", ""),
              "db-down");
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM intake_pause"), 1);
    EXPECT_EQ(json_of(bttctl("--json resume" + op())).value("paused", true), false);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM intake_pause"), 0);
    // The first commit after the outage may find its connection gone (store_unavailable,
    // a retry class): resend, bounded.
    std::string outcome;
    for (int i = 0; i < 50 && outcome != "accepted"; ++i) {
        const auto r = pay(rig, a, 2'000'000, tk::alice());
        outcome = r.outcome() == v1::OUTCOME_ACCEPTED ? "accepted" : r.reason_token();
        if (outcome != "accepted") {
            ASSERT_EQ(outcome, "store_unavailable");
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
    EXPECT_EQ(outcome, "accepted");
}

// With PostgreSQL down the operators' and auditors' reads answer UNAVAILABLE (bttctl exit
// 3, "retry"), a force settle is not committed and says so, and both work once it is back.
TEST_F(OpsOneChannel, WithTheDatabaseDownReadsAndForceSettleAnswerUnavailableThenWork) {
    const std::string aud =
        " --node " + rig.node_address() + " --token-file " + tokens.auditor_file();
    testkit::pg().stop_immediately();
    for (const std::string& cmd :
         {"channels list" + op(), "payouts list" + op(), "batches list" + op(),
          "audit history " + hex(a) + aud, "audit export --format jsonl" + aud}) {
        const auto r = bttctl(cmd);
        EXPECT_EQ(r.first, 3) << cmd << ": " << r.second;
        EXPECT_NE(r.second.find("UNAVAILABLE"), std::string::npos) << cmd << ": " << r.second;
    }
    const auto settle = bttctl("settle " + hex(a) + op());
    EXPECT_EQ(settle.first, 3) << settle.second;
    EXPECT_NE(settle.second.find("UNAVAILABLE"), std::string::npos) << settle.second;
    testkit::pg().restart();

    // Intake reads back what is durable before it commits again: retry, bounded.
    nlohmann::json settled;
    for (int i = 0; i < 50; ++i) {
        const auto r = bttctl("--json settle " + hex(a) + op());
        if (r.first == 0) {
            settled = nlohmann::json::parse(r.second, nullptr, false);
            break;
        }
        ASSERT_NE(r.second.find("UNAVAILABLE"), std::string::npos) << r.second;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    EXPECT_EQ(settled.value("state", ""), "SETTLING") << settled.dump();
    auto listed = json_of(bttctl("--json channels list --all" + op()));
    ASSERT_EQ(listed["channels"].size(), 1u);
    EXPECT_EQ(listed["channels"][0].value("accepted", ""), "1000000");
    EXPECT_EQ(json_of(bttctl("--json audit history " + hex(a) + aud))["proofs"].size(), 1u);
}

TEST(OpsE2E, OperatorPausesListsForceSettlesAndAuditorReadsTheHistory) {
    TokenFiles tokens;
    NodeRig rig(ops_rig(tokens));
    rig.start_node();
    const auto bob = tk::actor("bob");
    const auto dave = tk::actor("dave");
    const auto a = rig.open_channel(tk::alice(), bob, 10'000'000);
    const auto b = rig.open_channel(tk::alice(), dave, 10'000'000);
    const auto c = rig.open_channel(tk::actor_key("carol"), bob, 10'000'000);
    ASSERT_EQ(pay(rig, a, 1'000'000, tk::alice()).outcome(), v1::OUTCOME_ACCEPTED);

    const std::string op =
        " --node " + rig.node_address() + " --token-file " + tokens.operator_file();
    const std::string aud =
        " --node " + rig.node_address() + " --token-file " + tokens.auditor_file();

    // Pause: new amounts get intake_paused (9); a resent amount is still acknowledged.
    auto paused = json_of(bttctl("--json pause --reason maintenance" + op));
    EXPECT_EQ(paused.value("paused", false), true);
    EXPECT_EQ(paused.value("reason", ""), "maintenance");
    auto r = pay(rig, a, 2'000'000, tk::alice());
    EXPECT_EQ(r.outcome(), v1::OUTCOME_REJECTED);
    EXPECT_EQ(r.reason(), 9u);
    EXPECT_EQ(r.reason_token(), "intake_paused");
    EXPECT_EQ(pay(rig, a, 1'000'000, tk::alice()).outcome(), v1::OUTCOME_DUPLICATE);
    // The auditor may not pause or resume.
    EXPECT_EQ(bttctl("--json resume" + aud).first, 1);
    EXPECT_EQ(json_of(bttctl("--json resume" + op)).value("paused", true), false);
    EXPECT_EQ(pay(rig, a, 2'000'000, tk::alice()).outcome(), v1::OUTCOME_ACCEPTED);
    EXPECT_EQ(pay(rig, c, 3'000'000, tk::actor_key("carol")).outcome(), v1::OUTCOME_ACCEPTED);

    // Listing: filters and pages.
    auto all = json_of(bttctl("--json channels list --limit 2 --all" + op));
    ASSERT_EQ(all["channels"].size(), 3u);
    auto page = json_of(bttctl("--json channels list --limit 2" + op));
    ASSERT_EQ(page["channels"].size(), 2u);
    ASSERT_FALSE(page.value("next_page_token", "").empty());
    auto rest = json_of(bttctl("--json channels list --limit 2 --page-token " +
                               page.value("next_page_token", "") + op));
    ASSERT_EQ(rest["channels"].size(), 1u);
    EXPECT_EQ(rest.value("next_page_token", "x"), "");
    auto by_carol =
        json_of(bttctl("--json channels list --payer " + tk::actor("carol").to_base58() + op));
    ASSERT_EQ(by_carol["channels"].size(), 1u);
    EXPECT_EQ(by_carol["channels"][0].value("channel_id", ""), hex(c));
    EXPECT_EQ(by_carol["channels"][0].value("accepted", ""), "3000000");
    EXPECT_EQ(json_of(bttctl("--json channels list --state CLOSED" + op))["channels"].size(), 0u);
    EXPECT_EQ(bttctl("channels list --state NOPE" + op).first, 2);
    EXPECT_EQ(bttctl("channels list --payer Tnotanaddress" + op).first, 1);  // INVALID_ARGUMENT

    // Force settle: SETTLING at once; again is FAILED_PRECONDITION; unknown NOT_FOUND.
    auto settled = json_of(bttctl("--json settle " + hex(a) + op));
    EXPECT_EQ(settled.value("state", ""), "SETTLING");
    EXPECT_EQ(bttctl("settle " + hex(a) + op).first, 1);
    EXPECT_EQ(bttctl("settle " + std::string(64, '0') + op).first, 1);
    EXPECT_EQ(bttctl("settle " + hex(a) + aud).first, 1);  // PERMISSION_DENIED
    const auto closed = rig.wait_channel(
        a, [](const auto& ch) { return ch && ch->state() == v1::CHANNEL_STATE_CLOSED; },
        std::chrono::seconds(60));
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->close_cause(), "force_settle");
    // bob got 2,000,000 less 1 % fee; alice's refund is the rest of the deposit.
    EXPECT_EQ(rig.token_balance(bob), 1'980'000);

    // Payouts and batches: confirmed, with txids and blocks; retry is refused for them.
    auto payouts = json_of(bttctl("--json payouts list --state CONFIRMED" + op));
    ASSERT_EQ(payouts["payouts"].size(), 2u);
    for (const auto& p : payouts["payouts"]) {
        EXPECT_EQ(p.value("txid", "").size(), 64u);
        EXPECT_GT(p.value("block", 0), 0);
        ASSERT_EQ(p["attempts"].size(), 1u);
        EXPECT_EQ(p["attempts"][0].value("state", ""), "CONFIRMED");
        EXPECT_EQ(bttctl("payouts retry " + std::to_string(p.value("payout_id", 0)) + op).first, 1);
    }
    EXPECT_EQ(bttctl("payouts retry 999999" + op).first, 1);
    auto batches = json_of(bttctl("--json batches list" + op));
    ASSERT_GE(batches["batches"].size(), 1u);
    EXPECT_EQ(batches["batches"][0].value("channels", 0), 1);
    EXPECT_EQ(batches["batches"][0]["payouts"].size(), 2u);
    auto settled_list = json_of(bttctl("--json channels list --settled-from 1" + op));
    ASSERT_EQ(settled_list["channels"].size(), 1u);
    EXPECT_EQ(settled_list["channels"][0].value("channel_id", ""), hex(a));
    {
        // Time bounds PostgreSQL cannot compare are the caller's mistake, not the node's
        // (issue 20, item 10): INVALID_ARGUMENT naming the field, never INTERNAL.
        auto admin = v1::AdminService::NewStub(rig.node_channel());
        auto audit = v1::AuditService::NewStub(rig.node_channel());
        for (const std::int64_t t : {std::numeric_limits<std::int64_t>::max(), std::int64_t{-1}}) {
            grpc::ClientContext c1;
            bearer(c1, kOperatorToken);
            v1::ListChannelsRequest q;
            q.set_opened_from(t);
            v1::ListChannelsResponse listed_r;
            const auto st = admin->ListChannels(&c1, q, &listed_r);
            EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << t;
            EXPECT_EQ(st.error_message().rfind("opened_from: ", 0), 0u) << st.error_message();
            grpc::ClientContext c2;
            bearer(c2, kOperatorToken);
            v1::ListSettlementsRequest sq;
            sq.set_to(t);
            v1::ListSettlementsResponse sr;
            EXPECT_EQ(audit->ListSettlements(&c2, sq, &sr).error_code(),
                      grpc::StatusCode::INVALID_ARGUMENT)
                << t;
        }
        grpc::ClientContext c3;
        bearer(c3, kOperatorToken);
        v1::ListChannelsRequest edge;
        edge.set_opened_to(std::int64_t{1} << 37);  // the latest bound taken: all channels
        v1::ListChannelsResponse all_r;
        ASSERT_TRUE(admin->ListChannels(&c3, edge, &all_r).ok());
        EXPECT_EQ(all_r.channels_size(), 3);
    }

    // The auditor's view of channel a: the deposit, both proofs with their batches, the
    // settlement split and both payouts.
    auto history = json_of(bttctl("--json audit history " + hex(a) + aud));
    ASSERT_EQ(history["deposits"].size(), 1u);
    EXPECT_EQ(history["deposits"][0].value("outcome", ""), "open");
    EXPECT_EQ(history["deposits"][0].value("amount", ""), "10000000");
    ASSERT_EQ(history["proofs"].size(), 2u);
    EXPECT_EQ(history["proofs"][0].value("amount", ""), "1000000");
    EXPECT_EQ(history["proofs"][1].value("amount", ""), "2000000");
    EXPECT_EQ(history["proofs"][1].value("signature", "").size(), 130u);
    EXPECT_GE(history["proofs"][1].value("batch_seq", 0), 1);
    EXPECT_TRUE(history["close"].is_null());  // force settle: no party asked
    EXPECT_EQ(history["settlement"].value("accepted", ""), "2000000");
    EXPECT_EQ(history["settlement"].value("fee", ""), "20000");
    EXPECT_EQ(history["settlement"].value("payee_amount", ""), "1980000");
    EXPECT_EQ(history["settlement"].value("refund", ""), "8000000");
    EXPECT_EQ(history["payouts"].size(), 2u);
    EXPECT_EQ(bttctl("audit history " + std::string(64, '1') + aud).first, 1);  // NOT_FOUND
    EXPECT_EQ(bttctl("audit history " + hex(a) + " --node " + rig.node_address() +
                     " --token-file " + tokens.wrong_file())
                  .first,
              1);  // UNAUTHENTICATED

    // Receipt batches chain up; settlements by time; reconciliation is exact.
    auto audit = v1::AuditService::NewStub(rig.node_channel());
    {
        grpc::ClientContext ctx;
        bearer(ctx, kAuditorToken);
        v1::ListReceiptBatchesRequest q;
        q.set_from_seq(1);
        v1::ListReceiptBatchesResponse batches_r;
        ASSERT_TRUE(audit->ListReceiptBatches(&ctx, q, &batches_r).ok());
        ASSERT_GE(batches_r.batches_size(), 3);
        EXPECT_EQ(batches_r.batches(0).seq(), 1u);
        EXPECT_EQ(batches_r.batches(0).prev_hash(), std::string(32, '\0'));
        for (int i = 1; i < batches_r.batches_size(); ++i) {
            EXPECT_EQ(batches_r.batches(i).seq(), batches_r.batches(i - 1).seq() + 1);
            EXPECT_EQ(batches_r.batches(i).prev_hash(), batches_r.batches(i - 1).batch_hash());
        }
    }
    {
        grpc::ClientContext ctx;
        bearer(ctx, kAuditorToken);
        v1::ListSettlementsResponse s;
        ASSERT_TRUE(audit->ListSettlements(&ctx, {}, &s).ok());
        ASSERT_EQ(s.settlements_size(), 1);
        EXPECT_EQ(s.settlements(0).channel_id(), str(a.bytes()));
    }
    {
        v1::ReconcileReport rec;
        grpc::Status s;
        for (int i = 0; i < 100; ++i) {  // UNAVAILABLE while the watcher catches up
            grpc::ClientContext ctx;
            bearer(ctx, kAuditorToken);
            s = audit->Reconcile(&ctx, {}, &rec);
            if (s.ok())
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ASSERT_TRUE(s.ok()) << s.error_message();
        EXPECT_TRUE(rec.ok());
        EXPECT_EQ(rec.deficit(), 0);
        EXPECT_EQ(rec.balance(), rec.liabilities() + rec.surplus());
        EXPECT_GE(rec.liabilities(), 20'000'000);  // b and c are still open
    }
    (void)b;
}

TEST(OpsE2E, RetryingALivePayoutResendsItAndNeverSignsASecondAttempt) {
    TokenFiles tokens;
    NodeRig rig(ops_rig(tokens));
    rig.start_node();
    const auto bob = tk::actor("bob");
    const auto id = rig.open_channel(tk::alice(), bob, 10'000'000);
    ASSERT_EQ(pay(rig, id, 3'000'000, tk::alice()).outcome(), v1::OUTCOME_ACCEPTED);
    // No blocks from now on: payouts are signed and broadcast but cannot land, and their
    // death cannot be proven either. They stay live.
    rig.chain().faults().paused = true;
    auto stub = rig.stub();
    {
        grpc::ClientContext ctx;
        bearer(ctx, nullptr);
        v1::CloseRequest req;
        req.set_channel_id(str(id.bytes()));
        req.set_signature(
            str(tron::sign_message_v2(tk::actor_key("bob"), tron::close_message(id.bytes()))));
        v1::CloseResult result;
        ASSERT_TRUE(stub->CloseChannel(&ctx, req, &result).ok());
    }
    auto admin = v1::AdminService::NewStub(rig.node_channel());
    const auto live_payouts = [&] {
        grpc::ClientContext ctx;
        bearer(ctx, kOperatorToken);
        v1::ListPayoutsRequest q;
        q.set_state(v1::PAYOUT_STATE_SIGNED);
        v1::ListPayoutsResponse r;
        EXPECT_TRUE(admin->ListPayouts(&ctx, q, &r).ok());
        return r;
    };
    v1::ListPayoutsResponse signed_payouts;
    for (int i = 0; i < 300 && signed_payouts.payouts_size() < 2; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        signed_payouts = live_payouts();
    }
    ASSERT_EQ(signed_payouts.payouts_size(), 2);  // bob's share and alice's refund
    for (int round = 0; round < 10; ++round) {
        for (const auto& p : signed_payouts.payouts()) {
            grpc::ClientContext ctx;
            bearer(ctx, kOperatorToken);
            v1::RetryPayoutRequest q;
            q.set_payout_id(p.payout_id());
            v1::RetryPayoutResult r;
            ASSERT_TRUE(admin->RetryPayout(&ctx, q, &r).ok());
            EXPECT_EQ(r.action(), "rebroadcast");
            ASSERT_EQ(r.payout().attempts_size(), 1);
            EXPECT_EQ(r.payout().attempts(0).txid(), p.attempts(0).txid());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts"), 2);
    // The chain moves again: each payout lands with its one signature.
    rig.chain().faults().paused = false;
    const auto closed = rig.wait_channel(
        id, [](const auto& ch) { return ch && ch->state() == v1::CHANNEL_STATE_CLOSED; },
        std::chrono::seconds(90));
    ASSERT_TRUE(closed);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts"), 2);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts WHERE state = 3"), 2);
    EXPECT_EQ(rig.token_balance(bob), 2'970'000);
}

}  // namespace
}  // namespace btt::e2e
