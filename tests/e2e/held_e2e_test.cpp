// DESIGN §10, issue 20 defect 2: unclaimed transfers of a foreign token or under
// channels.min_refund are held for the operator, never refunded by themselves; the
// operator lists them and releases one, which is then refunded exactly once; dust of the
// settled token is reconciled as surplus; the ledger export marks what is held.
#include <thread>

#include <gtest/gtest.h>

#include <btt/testkit/actors.h>

#include "ops_rig.h"

namespace btt::e2e {
namespace {

namespace tk = btt::testkit;

template <typename Done>
bool wait_until(Done done, std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return done();
}

std::string surplus(const NodeRig& rig, const std::string& token_id = "") {
    const auto r = json_of(bttctl("--json audit reconcile --config " + rig.config_path() +
                                  (token_id.empty() ? "" : " --token-id " + token_id)));
    EXPECT_EQ(r.value("deficit", ""), "0");
    EXPECT_EQ(r.value("token_id", ""), token_id.empty() ? "1002000" : token_id);
    return r.value("surplus", "");
}

// AuditService.Reconcile of one token: ok and its surplus, as the node itself sees it.
v1::ReconcileReport reconcile_rpc(NodeRig& rig, const std::string& token_id) {
    auto audit = v1::AuditService::NewStub(rig.node_channel());
    v1::ReconcileRequest req;
    req.set_token_id(token_id);
    v1::ReconcileReport rec;
    grpc::Status s;
    for (int i = 0; i < 100; ++i) {  // UNAVAILABLE while the watcher catches up
        grpc::ClientContext ctx;
        bearer(ctx, kAuditorToken);
        s = audit->Reconcile(&ctx, req, &rec);
        if (s.ok())
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(s.ok()) << s.error_message();
    return rec;
}

TEST(HeldE2E, ForeignTokensAndDustWaitForTheOperatorWhoRefundsOneExactlyOnce) {
    TokenFiles tokens;
    NodeRig rig(ops_rig(tokens));
    rig.start_node();
    const std::string op =
        " --node " + rig.node_address() + " --token-file " + tokens.operator_file();
    const auto carol = tk::carol().address();
    const auto surplus_before = std::stoll(surplus(rig));
    const auto foreign_surplus_before = std::stoll(surplus(rig, "1000001"));
    const auto foreign_before = rig.token_balance(carol, "1000001");
    const auto settled_before = rig.token_balance(carol);

    const auto foreign = rig.transfer(tk::carol(), rig.escrow(), "1000001", 2'000'000, "hi");
    const auto dust = rig.transfer(tk::carol(), rig.escrow(), "1002000", 999'999, "hi");
    rig.transfer(tk::carol(), rig.escrow(), "1002000", 3'000'000, "hi");  // refunded by itself
    ASSERT_TRUE(wait_until([&] { return rig.db_int("SELECT count(*) FROM deposits") == 3; }));
    ASSERT_TRUE(wait_until([&] {
        return rig.db_int("SELECT count(*) FROM payouts WHERE state = 3") == 1;
    })) << rig.node_log();
    EXPECT_EQ(rig.token_balance(carol), settled_before - 999'999);
    // Several windows later, still nothing else was planned.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payouts"), 1);
    EXPECT_EQ(rig.token_balance(carol, "1000001"), foreign_before - 2'000'000);
    // The dust is the escrow's surplus, not owed to anyone; so is the foreign token.
    EXPECT_EQ(std::stoll(surplus(rig)), surplus_before + 999'999);
    EXPECT_EQ(std::stoll(surplus(rig, "1000001")), foreign_surplus_before + 2'000'000);
    const auto rec = reconcile_rpc(rig, "1000001");
    EXPECT_TRUE(rec.ok());
    EXPECT_EQ(rec.surplus(), foreign_surplus_before + 2'000'000);
    {  // a token id that is not one: refused, not reconciled as an unknown token
        auto audit = v1::AuditService::NewStub(rig.node_channel());
        for (const char* bad : {"01000001", "10x", "99999999999999999999", "-1"}) {
            grpc::ClientContext ctx;
            bearer(ctx, kAuditorToken);
            v1::ReconcileRequest req;
            req.set_token_id(bad);
            v1::ReconcileReport r;
            EXPECT_EQ(audit->Reconcile(&ctx, req, &r).error_code(),
                      grpc::StatusCode::INVALID_ARGUMENT)
                << bad;
        }
        EXPECT_EQ(bttctl("audit reconcile --token-id 0x1 --config " + rig.config_path()).first, 2);
    }

    const auto held = json_of(bttctl("--json held list" + op));
    ASSERT_TRUE(held.contains("held")) << held.dump();
    ASSERT_EQ(held["held"].size(), 2u) << held.dump();
    // Both came in one block maybe: find each by its txid, not by position.
    const auto entry = [&](const channels::TxId& txid) {
        for (const auto& h : held["held"])
            if (h.value("txid", "") == txid.to_hex())
                return h;
        ADD_FAILURE() << "no held entry for " << txid.to_hex() << " in " << held.dump();
        return nlohmann::json::object();
    };
    EXPECT_EQ(entry(foreign).value("token_id", ""), "1000001");
    EXPECT_EQ(entry(foreign).value("unclaimed_reason", ""), "wrong_token");
    EXPECT_EQ(entry(dust).value("amount", ""), "999999");
    EXPECT_EQ(entry(dust).value("from", ""), carol.to_base58());

    // The operator sends the foreign token back: once, however often asked.
    const auto released = json_of(bttctl("--json held refund " + foreign.to_hex() + op));
    EXPECT_EQ(released.value("action", ""), "refund_queued");
    const auto again = bttctl("--json held refund " + foreign.to_hex() + op);
    EXPECT_NE(again.first, 0);
    EXPECT_NE(again.second.find("FAILED_PRECONDITION"), std::string::npos) << again.second;
    const auto unknown = bttctl("--json held refund " + std::string(64, 'a') + op);
    EXPECT_NE(unknown.second.find("NOT_FOUND"), std::string::npos) << unknown.second;
    ASSERT_TRUE(wait_until([&] {
        return rig.token_balance(carol, "1000001") == foreign_before;
    })) << rig.node_log();
    std::this_thread::sleep_for(std::chrono::seconds(3));
    EXPECT_EQ(rig.token_balance(carol, "1000001"), foreign_before);
    // Paid back: no longer the escrow's surplus, and never a liability or deficit.
    EXPECT_EQ(std::stoll(surplus(rig, "1000001")), foreign_surplus_before);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payouts WHERE token_id = '1000001'"), 1);
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM payout_attempts"),
              rig.db_int("SELECT count(*) FROM payouts"));
    const auto left = json_of(bttctl("--json held list" + op));
    ASSERT_EQ(left["held"].size(), 1u) << left.dump();
    EXPECT_EQ(left["held"][0].value("txid", ""), dust.to_hex());

    // The auditor's ledger says what is held, and still verifies.
    const std::string file = rig.folder() + "/ledger.jsonl";
    const auto exported = bttctl("--json audit export --format jsonl --out " + file + op);
    ASSERT_EQ(exported.first, 0) << exported.second;
    const auto verified = bttctl("--json audit verify " + file);
    EXPECT_EQ(verified.first, 0) << verified.second;
    std::ifstream in(file);
    std::string line;
    int held_lines = 0;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.value("type", "") == "deposit" && j.value("held", false)) {
            ++held_lines;
            EXPECT_EQ(j.value("txid", ""), dust.to_hex());
        }
    }
    EXPECT_EQ(held_lines, 1);
}

}  // namespace
}  // namespace btt::e2e
