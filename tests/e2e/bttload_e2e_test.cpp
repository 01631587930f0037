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

TEST(BttloadE2E, OpensChannelsStreamsProofsAndReportsAnErrorFreeJsonSummary) {
    NodeRig rig;
    rig.start_node();
    const std::string keys = rig.folder() + "/payers.keys.json";
    {
        nlohmann::json k = nlohmann::json::array();
        for (const auto* who : {"alice", "carol"}) {
            k.push_back({{"address", tk::actor(who).to_base58()}, {"private_key", tk::actor_key(who).to_hex()}});
        }
        std::ofstream(keys) << k.dump();
    }
    std::filesystem::permissions(keys, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
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
