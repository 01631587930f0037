// bttload against a real node, small (seconds), with its JSON summary checked: this guards
// bttload as much as the node.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <btt/testkit/actors.h>

#include "node_rig.h"

namespace btt::e2e {
namespace {

namespace tk = btt::testkit;

std::pair<int, std::string> run(const std::string& command) {
    return run_command(command);
}

// alice's and carol's keys as a trondev genesis keys file (mode 0600): bttload's payers.
std::string write_payer_keys(const NodeRig& rig) {
    const std::string keys = rig.folder() + "/payers.keys.json";
    nlohmann::json k = nlohmann::json::array();
    for (const auto* who : {"alice", "carol"})
        k.push_back({{"address", tk::actor(who).to_base58()}, {"private_key", tk::actor_key(who).to_hex()}});
    std::ofstream(keys) << k.dump();
    std::filesystem::permissions(keys, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return keys;
}

TEST(BttloadE2E, OpensChannelsStreamsProofsAndReportsAnErrorFreeJsonSummary) {
    NodeRig rig;
    rig.start_node();
    const std::string keys = write_payer_keys(rig);
    const auto chain = rig.chain_addresses();
    const auto [code, out] = run(std::string(BTTLOAD_EXE) + " --node " + rig.node_address() + " --tron " +
                                 chain.first + " --tron-solidity " + chain.second + " --keys-file " + keys +
                                 " --payers 2 --payees 2 --channels-per-payer 2 --deposit 5000000 " +
                                 "--proofs 2000 --streams 2 --json 2>" + rig.folder() + "/bttload.err");
    ASSERT_EQ(code, 0) << out;
    const auto j = nlohmann::json::parse(out);
    for (const auto* key : {"sent", "accepted", "duplicate", "rejected", "errors", "seconds", "proofs_per_s",
                            "ack_ms", "channels", "streams"}) {
        EXPECT_TRUE(j.contains(key)) << key;
    }
    EXPECT_EQ(j["sent"], 2000);
    EXPECT_EQ(j["accepted"], 2000);
    EXPECT_EQ(j["errors"], 0);
    EXPECT_EQ(j["channels"], 4);
    EXPECT_EQ(j["streams"], 2);
    EXPECT_TRUE(j["rejected"].empty());
    for (const auto* p : {"p50", "p90", "p99", "max"}) EXPECT_TRUE(j["ack_ms"].contains(p)) << p;
    EXPECT_GT(j["proofs_per_s"].get<double>(), 0.0);
}

// bttload --attack (issue 20, DESIGN §10): each attacker beside an honest paced load, in
// one run each (baseline, then under attack). The node answers the attacker what its
// traffic deserves, and the honest client gets every answer right and no `overloaded`.
// Speed is bttload's to report (benchmarks), not this test's to judge.
TEST(BttloadE2E, EveryAttackerBesideAnHonestLoadLeavesTheHonestAnswersRight) {
    NodeRig rig;
    rig.start_node();
    const std::string keys = write_payer_keys(rig);
    const auto chain = rig.chain_addresses();
    const std::string channels_file = rig.folder() + "/attack.channels";
    const std::string common = std::string(BTTLOAD_EXE) + " --node " + rig.node_address() +
                               " --streams 2 --rate 400 --duration-s 2 --attack-window 64 --json ";
    const auto attack = [&](const std::string& kind, const std::string& extra, bool open) {
        const std::string source =
            open ? " --tron " + chain.first + " --tron-solidity " + chain.second + " --keys-file " + keys +
                       " --payers 2 --payees 2 --channels-per-payer 2 --deposit 50000000"
                 : " --channels-file " + channels_file;
        const auto [code, out] = run(common + "--attack " + kind + " " + extra + source + " --write-channels " +
                                     channels_file + " 2>>" + rig.folder() + "/bttload.err");
        EXPECT_EQ(code, 0) << kind << ": " << out;
        auto j = nlohmann::json::parse(out.empty() ? "{}" : out, nullptr, false);
        if (j.is_discarded() || !j.contains("baseline") || !j.contains("attack")) {
            ADD_FAILURE() << kind << ": no attack report in " << out;
            return nlohmann::json::object();
        }
        for (const auto* phase : {"baseline", ""}) {
            const auto& p = std::string(phase).empty() ? j : j[phase];
            EXPECT_EQ(p["errors"], 0) << kind << " " << phase << ": " << p.dump();
            EXPECT_GT(p["accepted"].get<std::uint64_t>(), 0u) << kind << " " << phase;
            EXPECT_FALSE(p["rejected"].contains("overloaded")) << kind << " " << phase << ": " << p.dump();
        }
        EXPECT_EQ(j["attack"]["kind"], kind);
        EXPECT_GT(j["attack"]["opened"].get<std::uint64_t>(), 0u) << kind;
        return j["attack"];
    };
    const auto count = [](const nlohmann::json& m, const char* key) -> std::uint64_t {
        return m.contains(key) ? m[key].get<std::uint64_t>() : 0;
    };

    const auto replay = attack("replay", "", true);
    EXPECT_GT(count(replay["answers"], "duplicate"), 0u) << replay.dump();
    EXPECT_EQ(count(replay["answers"], "accepted"), 0u) << replay.dump();

    const auto bad = attack("bad-signature", "", false);
    EXPECT_GT(count(bad["answers"], "bad_signature") + count(bad["answers"], "wrong_signer"), 0u) << bad.dump();
    EXPECT_EQ(count(bad["answers"], "accepted"), 0u) << bad.dump();

    const auto wrong = attack("wrong-signer", "", false);
    EXPECT_GT(count(wrong["answers"], "wrong_signer"), 0u) << wrong.dump();
    EXPECT_EQ(count(wrong["answers"], "accepted"), 0u) << wrong.dump();

    const auto closes = attack("close-spam", "", false);
    EXPECT_GT(count(closes["ended"], "INVALID_ARGUMENT") + count(closes["ended"], "PERMISSION_DENIED"), 0u)
        << closes.dump();
    EXPECT_EQ(count(closes["ended"], "OK"), 0u) << closes.dump();

    // The honest channels are still OPEN after the close spam: this run reuses them.
    const auto idle = attack("idle", "--attack-connections 40", false);
    EXPECT_GE(idle["opened"].get<std::uint64_t>(), 40u) << idle.dump();
}

TEST(BttloadE2E, ExitsThreeWhenNoNodeAnswers) {
    // A well-formed channels file, so the only thing wrong is the node nobody runs.
    const auto dir = std::filesystem::temp_directory_path() / "btt-bttload-exit3";
    std::filesystem::create_directories(dir);
    const auto file = (dir / "channels").string();
    std::ofstream(file) << "# btt-load-channels/1\n" << std::string(64, 'a') << ' '
                        << tk::actor_key("alice").to_hex() << " 0\n";
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const auto [code, out] = run(std::string(BTTLOAD_EXE) + " --node 127.0.0.1:1 --call-timeout-s 1 --channels-file " +
                                 file + " --proofs 1 --json 2>/dev/null");
    std::filesystem::remove_all(dir);
    EXPECT_EQ(code, 3) << out;
}

}  // namespace
}  // namespace btt::e2e
