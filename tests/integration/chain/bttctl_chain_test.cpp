// bttctl's chain commands against trondev on loopback.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <btt/testkit/actors.h>
#include <btt/trondev/node.h>

#include "../../unit/tools/bttctl_runner.h"

namespace {

using btt::testing::run_ctl;
namespace tk = btt::testkit;

class BttctlChain : public ::testing::Test {
protected:
    void SetUp() override {
        btt::trondev::Genesis g;
        g.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
        g.params.block_interval_ms = 50;
        g.params.solid_lag = 2;
        g.tokens.push_back({"1002000", "BitTorrent", "BTT", 6, tk::actor("issuer"), 1'000'000'000'000});
        g.accounts.push_back({tk::alice().address(), 100'000'000, {{"1002000", 50'000'000}}});
        node = std::make_unique<btt::trondev::Node>(g, btt::trondev::NodeOptions{"127.0.0.1:0", "127.0.0.1:0", true, ""});
        tron = "127.0.0.1:" + std::to_string(node->wallet_port());
        solid = "127.0.0.1:" + std::to_string(node->solidity_port());
        for (int i = 0; i < 4; ++i) node->produce_block_now();
        char tmpl[] = "/tmp/btt-ctl-chain-XXXXXX";
        dir = mkdtemp(tmpl);
        key_file = dir + "/alice.key";
        std::ofstream(key_file) << tk::alice().to_hex() << "\n";
        std::filesystem::permissions(key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::unique_ptr<btt::trondev::Node> node;
    std::string tron, solid, dir, key_file;
};

TEST_F(BttctlChain, HeadBlockAndAccount) {
    const auto h = run_ctl({"--json", "chain", "head", "--tron", tron, "--tron-solidity", solid});
    ASSERT_EQ(h.code, 0) << h.err;
    EXPECT_GE(h.json()["number"].get<long long>(), 4);
    const auto b = run_ctl({"--json", "chain", "block", "1", "--tron", tron, "--tron-solidity", solid});
    ASSERT_EQ(b.code, 0) << b.err;
    EXPECT_EQ(b.json()["number"], 1);
    const auto missing = run_ctl({"chain", "block", "999999", "--tron", tron, "--tron-solidity", solid});
    EXPECT_EQ(missing.code, 1);
    const auto a = run_ctl({"--json", "account", tk::alice().address().to_base58(), "--tron", tron, "--tron-solidity", solid});
    ASSERT_EQ(a.code, 0) << a.err;
    EXPECT_EQ(a.json()["tokens"]["1002000"], 50'000'000);
    EXPECT_EQ(run_ctl({"account", "Tnot-an-address", "--tron", tron}).code, 2);
}

TEST_F(BttctlChain, SendAssetWaitsUntilSolid) {
    const auto r = run_ctl({"--json", "tx", "send-asset", "--private-key-file", key_file, "--to",
                            tk::bob().address().to_base58(), "--token", "1002000", "--amount", "777",
                            "--memo", "btt-channel:v1:topup:00", "--wait", "solid", "--timeout-s", "30",
                            "--tron", tron, "--tron-solidity", solid});
    ASSERT_EQ(r.code, 0) << r.err << r.out;
    const auto j = r.json();
    EXPECT_EQ(j["outcome"], "accepted");
    EXPECT_EQ(j["state"], "solid");
    EXPECT_GT(j["block"].get<long long>(), 0);
    const auto bob = run_ctl({"--json", "account", tk::bob().address().to_base58(), "--tron", tron, "--tron-solidity", solid});
    EXPECT_EQ(bob.json()["tokens"]["1002000"], 777);
}

TEST_F(BttctlChain, RefusedTransfersExitOneAndUnreachableNodesExitThree) {
    const auto refused = run_ctl({"--json", "tx", "send-asset", "--private-key-file", key_file, "--to",
                                  tk::bob().address().to_base58(), "--token", "1002000", "--amount", "60000000",
                                  "--tron", tron, "--tron-solidity", solid});
    EXPECT_EQ(refused.code, 1);
    EXPECT_EQ(refused.json()["outcome"], "final");
    EXPECT_EQ(refused.json()["message"], "Contract validate error : assetBalance is not sufficient.");
    const auto down = run_ctl({"chain", "head", "--tron", "127.0.0.1:1", "--tron-solidity", "127.0.0.1:1"});
    EXPECT_EQ(down.code, 3);
    EXPECT_FALSE(down.err.empty());
}

}  // namespace
