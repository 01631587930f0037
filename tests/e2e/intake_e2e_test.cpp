// bttnode end to end: trondev funding -> watcher -> channel OPEN -> streamed proofs with
// batch receipts; restarts, SIGTERM and the database's view of it all.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <btt/testkit/actors.h>

#include "proof_session.h"

namespace btt::e2e {
namespace {

namespace tk = btt::testkit;

TEST(NodeE2E, AFundingTransferOpensAChannelOnlyOnceSolidified) {
    NodeRig rig;
    rig.start_node();
    // Blocks stop: the transfer sits in the pending pool, in no block.
    rig.chain().faults().paused = true;
    const auto txid = rig.transfer(tk::alice(), rig.escrow(), "1002000", 5'000'000,
                                   rig.open_memo(tk::actor("bob")));
    const auto id = channels::channel_id_of(txid);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_FALSE(rig.wait_channel(id, [](const auto&) { return true; }).has_value());
    rig.chain().faults().paused = false;
    const auto info = rig.wait_channel(id, [](const auto& c) { return c.has_value(); });
    ASSERT_TRUE(info);
    EXPECT_EQ(info->state(), v1::CHANNEL_STATE_OPEN);
    EXPECT_EQ(info->payer(), tk::alice().address().to_base58());
    EXPECT_EQ(info->payee(), tk::actor("bob").to_base58());
    EXPECT_EQ(info->deposit(), 5'000'000);
    EXPECT_EQ(info->accepted(), 0);
    EXPECT_EQ(info->token_id(), "1002000");
    // Not before it was solidified: the block holding it is at or below the solid head.
    const auto inclusion = rig.bridge().solid_inclusion(txid.bytes()).value();
    ASSERT_TRUE(inclusion);
}

TEST(NodeE2E, TopUpsCountAndEveryTransferThatOpensNothingIsRecordedUnclaimed) {
    NodeRig rig;
    rig.start_node();
    // An open and a top-up of the same channel in one block: both count.
    rig.chain().faults().paused = true;
    const auto open_tx = rig.transfer(tk::alice(), rig.escrow(), "1002000", 2'000'000,
                                      rig.open_memo(tk::actor("bob")));
    const auto id = channels::channel_id_of(open_tx);
    rig.transfer(tk::alice(), rig.escrow(), "1002000", 3'000'000,
                 "btt-channel:v1:topup:" + id.to_hex());
    rig.chain().faults().paused = false;
    auto info = rig.wait_channel(id, [](const auto& c) { return c && c->deposit() == 5'000'000; });
    EXPECT_EQ(info->deposit(), 5'000'000);
    // A later top-up raises it again.
    rig.transfer(tk::alice(), rig.escrow(), "1002000", 1'000'000,
                 "btt-channel:v1:topup:" + id.to_hex());
    info = rig.wait_channel(id, [](const auto& c) { return c && c->deposit() == 6'000'000; });
    EXPECT_EQ(info->deposit(), 6'000'000);

    // Unclaimed: a bad memo, the wrong token, an open under the minimum deposit, and a
    // top-up by someone who is not the payer.
    rig.transfer(tk::carol(), rig.escrow(), "1002000", 2'000'000, "hello escrow");
    rig.transfer(tk::carol(), rig.escrow(), "1000001", 2'000'000, rig.open_memo(tk::actor("bob")));
    rig.transfer(tk::carol(), rig.escrow(), "1002000", 999'999, rig.open_memo(tk::actor("bob")));
    rig.transfer(tk::carol(), rig.escrow(), "1002000", 1'000'000,
                 "btt-channel:v1:topup:" + id.to_hex());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (rig.db_int("SELECT count(*) FROM deposits WHERE outcome = 4") < 4 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pqxx::connection c(rig.database_url());
    pqxx::read_transaction t(c);
    const auto rows = t.exec(
        "SELECT e.token, d.amount FROM deposits d JOIN enum_tokens e "
        "ON e.enum_name = 'unclaimed_reason' AND e.number = d.unclaimed_reason ORDER BY d.amount");
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0][0].as<std::string>(), "below_minimum_deposit");
    EXPECT_EQ(rows[1][0].as<std::string>(), "topup_not_from_payer");
    std::set<std::string> rest{rows[2][0].as<std::string>(), rows[3][0].as<std::string>()};
    EXPECT_EQ(rest, (std::set<std::string>{"bad_memo", "wrong_token"}));
    EXPECT_EQ(t.exec1("SELECT count(*) FROM deposits WHERE outcome = 1")[0].as<int>(), 1);
    EXPECT_EQ(t.exec1("SELECT count(*) FROM deposits WHERE outcome = 2")[0].as<int>(), 2);
    // The node did not count the carol top-up.
    EXPECT_EQ(rig.wait_channel(id, [](const auto&) { return true; })->deposit(), 6'000'000);
}

TEST(NodeE2E, StreamsProofsOverSeveralStreamsWithValidReceiptsInOrder) {
    NodeRig rig;
    rig.start_node();
    std::vector<channels::ChannelId> ids;
    for (int i = 0; i < 4; ++i)
        ids.push_back(rig.open_channel(tk::alice(), tk::actor("bob"), 100'000'000));
    auto stub = rig.stub();
    v1::NodeInfo info;
    {
        grpc::ClientContext ctx;
        ASSERT_TRUE(stub->GetNodeInfo(&ctx, {}, &info).ok());
    }
    EXPECT_EQ(info.escrow_address(), rig.escrow().to_base58());
    EXPECT_EQ(info.receipt_address(), tk::node_key().address().to_base58());
    EXPECT_EQ(info.token_id(), "1002000");
    EXPECT_EQ(info.min_deposit(), 1'000'000);
    const auto receipt_address = tron::TronAddress::from_base58(info.receipt_address()).value();

    constexpr std::uint64_t kPerChannel = 500;
    std::vector<std::unique_ptr<ProofSession>> sessions;
    for (std::size_t s = 0; s < 2; ++s)
        sessions.push_back(std::make_unique<ProofSession>(*stub));
    std::vector<std::thread> writers;
    for (std::size_t s = 0; s < 2; ++s) {
        writers.emplace_back([&, s] {
            for (std::uint64_t a = 1; a <= kPerChannel; ++a) {
                for (std::size_t c = s; c < 4; c += 2) {
                    sessions[s]->send(proof_request(a * 1000 + c, ids[c], a, tk::alice()));
                }
            }
        });
    }
    for (auto& w : writers)
        w.join();
    for (std::size_t s = 0; s < 2; ++s) {
        ASSERT_TRUE(sessions[s]->finish().ok());
        const auto results = sessions[s]->results();
        ASSERT_EQ(results.size(), kPerChannel * 2);
        std::size_t i = 0;
        for (std::uint64_t a = 1; a <= kPerChannel; ++a) {
            for (std::size_t c = s; c < 4; c += 2, ++i) {
                const auto& r = results[i];
                ASSERT_EQ(r.request_id(), a * 1000 + c) << "results out of request order";
                ASSERT_EQ(r.outcome(), v1::OUTCOME_ACCEPTED) << r.reason_token();
                EXPECT_EQ(r.accepted(), a);
                ASSERT_TRUE(receipt_valid(r, ids[c], receipt_address));
            }
        }
    }
    for (const auto& id : ids) {
        EXPECT_EQ(rig.wait_channel(id, [](const auto&) { return true; })->accepted(),
                  static_cast<std::int64_t>(kPerChannel));
    }
}

TEST(NodeE2E, MalformedMessagesGetMalformedOrAGrpcErrorAndNeverCrashTheNode) {
    NodeRig rig;
    rig.start_node();
    const auto id = rig.open_channel(tk::alice(), tk::actor("bob"), 10'000'000);
    auto stub = rig.stub();
    {
        ProofSession s(*stub);
        v1::ProofRequest empty;
        empty.set_request_id(1);
        s.send(empty);  // every field missing
        auto no_sig = proof_request(2, id, 5, tk::alice());
        no_sig.clear_signature();
        s.send(no_sig);
        auto huge_amount = proof_request(3, id, 1ull << 63, tk::alice());
        s.send(huge_amount);
        s.send(proof_request(4, id, 5, tk::alice()));  // and the stream goes on
        ASSERT_TRUE(s.finish().ok());
        const auto r = s.results();
        ASSERT_EQ(r.size(), 4u);
        for (int i = 0; i < 3; ++i) {
            EXPECT_EQ(r[static_cast<std::size_t>(i)].outcome(), v1::OUTCOME_REJECTED);
            EXPECT_EQ(r[static_cast<std::size_t>(i)].reason(), 1u);
            EXPECT_EQ(r[static_cast<std::size_t>(i)].reason_token(), "malformed");
        }
        EXPECT_EQ(r[3].outcome(), v1::OUTCOME_ACCEPTED);
    }
    {
        // Larger than limits.max_message_bytes: the call fails, the node stays up.
        ProofSession s(*stub);
        auto big = proof_request(9, id, 6, tk::alice());
        big.set_signature(std::string(200'000, 'x'));
        s.send(big);
        const auto status = s.finish();
        EXPECT_FALSE(status.ok());
        EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
            << status.error_message();
    }
    ProofSession after(*stub);
    after.send(proof_request(10, id, 6, tk::alice()));
    ASSERT_TRUE(after.finish().ok());
    EXPECT_EQ(after.results().at(0).outcome(), v1::OUTCOME_ACCEPTED);
    EXPECT_TRUE(rig.node_running());
}

TEST(NodeE2E, ARestartReloadsChannelsAndTheWatcherResumesAtItsCursor) {
    NodeRig rig;
    rig.start_node();
    const auto first = rig.open_channel(tk::alice(), tk::actor("bob"), 10'000'000);
    auto stub = rig.stub();
    {
        ProofSession s(*stub);
        for (std::uint64_t a = 1; a <= 20; ++a)
            s.send(proof_request(a, first, a, tk::alice()));
        ASSERT_TRUE(s.finish().ok());
    }
    EXPECT_EQ(rig.stop_node(), 0);
    // While the node is down, another channel is funded: the restarted watcher finds it.
    const auto txid = rig.transfer(tk::carol(), rig.escrow(), "1002000", 4'000'000,
                                   rig.open_memo(tk::actor("dave")));
    const auto cursor_before = rig.db_int("SELECT block_number FROM chain_cursor");
    rig.start_node();
    const auto second = rig.wait_channel(channels::channel_id_of(txid),
                                         [](const auto& c) { return c.has_value(); });
    EXPECT_EQ(second->payer(), tk::carol().address().to_base58());
    EXPECT_GE(rig.db_int("SELECT block_number FROM chain_cursor"), cursor_before);
    // No block was applied twice: one deposit row per transfer.
    EXPECT_EQ(rig.db_int("SELECT count(*) FROM deposits"), 2);
    const auto reloaded = rig.wait_channel(first, [](const auto&) { return true; });
    EXPECT_EQ(reloaded->accepted(), 20);
    auto stub2 = rig.stub();
    ProofSession s(*stub2);
    s.send(proof_request(1, first, 20, tk::alice()));
    s.send(proof_request(2, first, 19, tk::alice()));
    s.send(proof_request(3, first, 21, tk::alice()));
    ASSERT_TRUE(s.finish().ok());
    const auto r = s.results();
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].outcome(), v1::OUTCOME_DUPLICATE);
    EXPECT_EQ(r[1].reason_token(), "amount_not_increasing");
    EXPECT_EQ(r[2].outcome(), v1::OUTCOME_ACCEPTED);
}

TEST(NodeE2E, SigtermAnswersWhatIsInFlightAndExitsZero) {
    NodeRig rig;
    rig.start_node();
    const auto id = rig.open_channel(tk::alice(), tk::actor("bob"), 100'000'000);
    auto stub = rig.stub();
    ProofSession s(*stub);
    // Proofs keep coming while the signal lands, so some are in flight (received, not yet
    // answered) whatever the timing. Bounded: at most 200,000 proofs, and a write fails
    // once the node is gone.
    constexpr std::uint64_t kMost = 200'000;
    std::thread writer([&] {
        for (std::uint64_t a = 1; a <= kMost; ++a) {
            if (!s.send(proof_request(a, id, a, tk::alice())))
                break;
        }
    });
    ASSERT_TRUE(s.wait_for(100));
    const auto answered_before = s.count();
    EXPECT_EQ(rig.stop_node(), 0) << rig.node_log();
    // The node has exited: the stream ends and the writer's next write fails.
    ASSERT_TRUE(s.wait_ended(std::chrono::seconds(30)));
    s.abandon();
    writer.join();
    const auto results = s.results();
    const auto stored = static_cast<std::uint64_t>(rig.db_int("SELECT accepted FROM channels"));
    // Committed but unanswered when the signal came: the case this test is about.
    ASSERT_GT(stored, answered_before) << "no proof was in flight at SIGTERM";
    // Every stored amount was acknowledged before the node exited, and nothing above what
    // is stored was acknowledged.
    std::vector<bool> acked(stored + 1, false);
    for (const auto& r : results) {
        if (r.outcome() != v1::OUTCOME_ACCEPTED)
            continue;
        ASSERT_LE(r.accepted(), stored) << "acknowledged an amount that is not stored";
        if (r.request_id() <= stored)
            acked[r.request_id()] = true;
    }
    for (std::uint64_t a = 1; a <= stored; ++a)
        ASSERT_TRUE(acked[a]) << "proof " << a << " was stored but never answered";
    EXPECT_NE(rig.node_log().find("stopped cleanly"), std::string::npos);
}

// A blocking HTTP/1.0 GET on loopback; the body, or "" on any failure.
std::string http_get(int port, const std::string& path) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return "";
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string out;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        const std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        if (::send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
            char buf[4096];
            ssize_t n = 0;
            while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    const auto body = out.find("\r\n\r\n");
    return body == std::string::npos ? "" : out.substr(body + 4);
}

// The value of the first sample line that starts with `series` (name and labels).
double sample(const std::string& text, const std::string& series) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(series, 0) == 0 && line.size() > series.size() && line[series.size()] == ' ') {
            return std::stod(line.substr(series.size() + 1));
        }
    }
    return -1;
}

TEST(NodeE2E, MetricsCountProofsByOutcomeAndShowTheChainAndTheBooks) {
    RigOptions o;
    o.metrics = true;
    NodeRig rig(o);
    rig.start_node();
    const std::regex line("metrics on http://[^ ]+ \\(port ([0-9]+)\\)");
    std::smatch m;
    const auto log = rig.node_log();
    ASSERT_TRUE(std::regex_search(log, m, line)) << log;
    const int port = std::stoi(m[1]);
    const auto id = rig.open_channel(tk::alice(), tk::actor("bob"), 10'000'000);
    auto stub = rig.stub();
    ProofSession s(*stub);
    for (std::uint64_t a = 1; a <= 30; ++a) s.send(proof_request(a, id, a, tk::alice()));
    s.send(proof_request(31, id, 30, tk::alice()));  // duplicate
    s.send(proof_request(32, id, 5, tk::alice()));   // amount_not_increasing
    ASSERT_TRUE(s.finish().ok());
    const auto text = http_get(port, "/metrics");
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(sample(text, "bttnode_proofs_total{outcome=\"accepted\",reason=\"none\"}"), 30);
    EXPECT_EQ(sample(text, "bttnode_proofs_total{outcome=\"duplicate\",reason=\"none\"}"), 1);
    EXPECT_EQ(sample(text, "bttnode_proofs_total{outcome=\"rejected\",reason=\"amount_not_increasing\"}"), 1);
    EXPECT_GE(sample(text, "bttnode_watcher_block"), 1);
    EXPECT_EQ(sample(text, "bttnode_store_up"), 1);
    EXPECT_EQ(sample(text, "bttnode_conservation_ok"), 1);
    EXPECT_NE(text.find("bttnode_ack_latency_seconds_count"), std::string::npos);
    EXPECT_NE(text.find("bttnode_build_info{version=\"0.1.0\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace btt::e2e
