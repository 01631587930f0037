// kill -9 of bttnode in the middle of heavy streaming, repeated at random moments
// (issue 10): every acknowledged amount survives, and a client that reconnects and resends
// its unanswered proofs in order gets each one accepted, duplicate, or (only below an
// amount committed but not acknowledged before the kill) amount_not_increasing.
//
// BTT_CRASH_RUNS sets the number of kills (default 20, sized for CI); BTT_TEST_SEED
// replays the random moments.
#include <cstdlib>
#include <random>

#include <set>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <btt/testkit/actors.h>
#include <btt/testkit/seeded_rng.h>

#include "proof_session.h"

namespace btt::e2e {
namespace {

namespace tk = btt::testkit;

int crash_runs() {
    const char* v = std::getenv("BTT_CRASH_RUNS");
    return v != nullptr ? std::max(1, std::atoi(v)) : 20;
}

std::int64_t stored_accepted(const std::string& url) {
    pqxx::connection c(url);
    pqxx::read_transaction t(c);
    return t.exec1("SELECT accepted FROM channels")[0].as<std::int64_t>();
}

TEST(NodeCrash, KillNineAtRandomMomentsLosesNoAcknowledgedProof) {
    NodeRig rig;
    rig.start_node();
    const auto id = rig.open_channel(tk::alice(), tk::actor("bob"), 1'000'000'000'000);
    tk::SeededRng rng;
    std::uint64_t last_sent = 0;      // every amount up to here was sent at least once
    std::uint64_t last_answered = 0;  // every amount up to here got a final answer
    const int runs = crash_runs();
    for (int run = 0; run < runs; ++run) {
        // What is durable before this run: the only amounts that may come back
        // amount_not_increasing are at or below it (committed, not acknowledged).
        const auto stored_at_start =
            static_cast<std::uint64_t>(stored_accepted(rig.database_url()));
        auto stub = rig.stub();
        auto session = std::make_unique<ProofSession>(*stub);
        // Resend what was never answered, in order, then keep going with new amounts.
        std::atomic<bool> stop{false};
        std::atomic<std::uint64_t> sent{last_answered};
        std::thread writer([&] {
            for (std::uint64_t a = last_answered + 1; !stop.load(); ++a) {
                if (!session->send(proof_request(a, id, a, tk::alice())))
                    break;
                sent = a;
            }
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(rng.uniform(50, 700)));
        rig.kill_node();
        stop = true;
        session->abandon();
        writer.join();
        last_sent = std::max<std::uint64_t>(last_sent, sent.load());

        // Every answer is one of the three allowed, in request order.
        std::uint64_t expect = last_answered + 1;
        std::uint64_t acked = 0;
        for (const auto& r : session->results()) {
            ASSERT_EQ(r.request_id(), expect) << "run " << run;
            ++expect;
            switch (r.outcome()) {
                case v1::OUTCOME_ACCEPTED:
                case v1::OUTCOME_DUPLICATE:
                    ASSERT_EQ(r.accepted(), r.request_id());
                    acked = std::max<std::uint64_t>(acked, r.request_id());
                    break;
                case v1::OUTCOME_REJECTED:
                    ASSERT_EQ(r.reason_token(), "amount_not_increasing") << "run " << run;
                    ASSERT_LE(r.request_id(), stored_at_start) << "run " << run;
                    break;
                default:
                    FAIL() << "unexpected outcome";
            }
        }
        // Ack means durable: the kill lost nothing that was acknowledged.
        const auto stored = static_cast<std::uint64_t>(stored_accepted(rig.database_url()));
        ASSERT_GE(stored, acked) << "run " << run << ": acknowledged " << acked << ", stored "
                                 << stored;
        ASSERT_LE(stored, last_sent);
        last_answered = expect - 1;
        rig.start_node();
    }
    // A last, calm session: resend everything unanswered, in order, to the end.
    auto stub = rig.stub();
    ProofSession session(*stub);
    const auto stored = static_cast<std::uint64_t>(stored_accepted(rig.database_url()));
    for (std::uint64_t a = last_answered + 1; a <= last_sent; ++a) {
        ASSERT_TRUE(session.send(proof_request(a, id, a, tk::alice())));
    }
    ASSERT_TRUE(session.finish().ok());
    for (const auto& r : session.results()) {
        if (r.outcome() == v1::OUTCOME_REJECTED) {
            EXPECT_EQ(r.reason_token(), "amount_not_increasing");
            EXPECT_LT(r.request_id(), stored);
        }
    }
    EXPECT_EQ(static_cast<std::uint64_t>(stored_accepted(rig.database_url())), last_sent);
    EXPECT_EQ(rig.wait_channel(id, [](const auto&) { return true; })->accepted(),
              static_cast<std::int64_t>(last_sent));
    std::cerr << "crash runs: " << runs << ", amounts sent: " << last_sent << "\n";
}

}  // namespace
}  // namespace btt::e2e
