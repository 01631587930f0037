// bttctl channel close|show and audit reconcile on loopback, without a bttnode: a scripted
// ChannelService stands in for the node (it checks the close signature with the production
// message builder and answers what each test scripts), and the reconcile paths that need no
// database: an unreachable database exits 3 without opening a key file. The happy paths
// against a real bttnode and PostgreSQL live in tests/e2e.
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <btt/base/hex.h>
#include <btt/channel/v1/channel.grpc.pb.h>
#include <btt/testkit/actors.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

#include "../../unit/tools/bttctl_runner.h"

namespace {

using btt::testing::run_ctl;
namespace tk = btt::testkit;
namespace v1 = btt::channel::v1;

const std::string kChannelHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string raw(const std::string& hex) {
    const auto bytes = btt::from_hex(hex);
    return std::string(bytes->begin(), bytes->end());
}

// Answers CloseChannel and GetChannel as scripted; records what it was sent.
class ScriptedNode final : public v1::ChannelService::Service {
public:
    grpc::Status CloseChannel(grpc::ServerContext*, const v1::CloseRequest* request,
                              v1::CloseResult* result) override {
        std::lock_guard lock(m_mutex);
        ++close_calls;
        last_channel = request->channel_id();
        btt::Hash32 id{};
        if (request->channel_id().size() != id.size() || request->signature().size() != 65) {
            return {grpc::StatusCode::INVALID_ARGUMENT, "malformed close request"};
        }
        std::copy(request->channel_id().begin(), request->channel_id().end(), id.begin());
        btt::tron::Signature sig{};
        std::copy(request->signature().begin(), request->signature().end(), sig.begin());
        const auto signer = btt::tron::recover_message_v2(btt::tron::close_message(id), sig);
        if (!signer)
            return {grpc::StatusCode::INVALID_ARGUMENT, "bad signature"};
        last_signer = signer->to_base58();
        if (close_status)
            return *close_status;
        if (*signer == tk::bob().address()) {
            result->set_state(v1::CHANNEL_STATE_SETTLING);
            result->set_settle_at(1'700'000'000);
        } else if (*signer == tk::alice().address()) {
            result->set_state(v1::CHANNEL_STATE_CLOSING);
            result->set_settle_at(1'700'003'600);
        } else {
            return {grpc::StatusCode::PERMISSION_DENIED, "neither payer nor payee"};
        }
        return grpc::Status::OK;
    }

    grpc::Status GetChannel(grpc::ServerContext*, const v1::GetChannelRequest* request,
                            v1::ChannelInfo* info) override {
        std::lock_guard lock(m_mutex);
        if (request->channel_id() != raw(kChannelHex)) {
            return {grpc::StatusCode::NOT_FOUND, "no such channel"};
        }
        info->set_channel_id(request->channel_id());
        info->set_payer(tk::alice().address().to_base58());
        info->set_payee(tk::bob().address().to_base58());
        info->set_token_id("1002000");
        info->set_deposit(9'223'372'036'854'775'807);
        info->set_accepted(250'000);
        info->set_accepted_signature(std::string(64, '\x11') + "\x1b");
        info->set_state(v1::CHANNEL_STATE_CLOSING);
        info->set_opened_at(1'699'990'000);
        info->set_expiry(1'700'090'000);
        info->set_settle_at(1'700'003'600);
        info->set_close_cause("payer_request");
        return grpc::Status::OK;
    }

    // The answer to the next close requests; none: judge the signer as a node would.
    void script(std::optional<grpc::Status> status) {
        std::lock_guard lock(m_mutex);
        close_status = std::move(status);
    }

    std::optional<grpc::Status> close_status;
    int close_calls = 0;
    std::string last_channel, last_signer;

private:
    std::mutex m_mutex;
};

std::string write_key_file(const std::string& dir, const std::string& name,
                           const btt::tron::PrivateKey& key) {
    const std::string path = dir + "/" + name;
    std::ofstream(path) << key.to_hex() << "\n";
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return path;
}

class BttctlNode : public ::testing::Test {
protected:
    void SetUp() override {
        grpc::ServerBuilder builder;
        int port = 0;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
        builder.RegisterService(&node);
        server = builder.BuildAndStart();
        ASSERT_NE(server, nullptr);
        address = "127.0.0.1:" + std::to_string(port);
        char tmpl[] = "/tmp/btt-ctl-node-XXXXXX";
        dir = mkdtemp(tmpl);
        alice_key = write_key_file(dir, "alice.key", tk::alice());
        bob_key = write_key_file(dir, "bob.key", tk::bob());
        carol_key = write_key_file(dir, "carol.key", tk::carol());
    }
    void TearDown() override {
        server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
        std::filesystem::remove_all(dir);
    }

    btt::testing::CtlResult close_as(const std::string& key_file) {
        return run_ctl({"--json", "channel", "close", kChannelHex, "--private-key-file", key_file,
                        "--node", address});
    }

    ScriptedNode node;
    std::unique_ptr<grpc::Server> server;
    std::string address, dir, alice_key, bob_key, carol_key;
};

TEST_F(BttctlNode, PayeeCloseSignsTheCloseMessageAndPrintsSettling) {
    const auto r = close_as(bob_key);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = r.json();
    EXPECT_EQ(j["channel_id"], kChannelHex);
    EXPECT_EQ(j["signer"], tk::bob().address().to_base58());
    EXPECT_EQ(j["state"], "SETTLING");
    EXPECT_EQ(j["settle_at"], 1'700'000'000);
    EXPECT_EQ(node.last_channel, raw(kChannelHex));
    EXPECT_EQ(node.last_signer, tk::bob().address().to_base58());
}

TEST_F(BttctlNode, PayerClosePrintsClosingAndSettleAtAsText) {
    const auto r = run_ctl(
        {"channel", "close", kChannelHex, "--private-key-file", alice_key, "--node", address});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("state: CLOSING\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("settle_at: 1700003600\n"), std::string::npos) << r.out;
    EXPECT_EQ(node.last_signer, tk::alice().address().to_base58());
}

TEST_F(BttctlNode, TheNodeAddressMayComeFromBttNode) {
    ::setenv("BTT_NODE", address.c_str(), 1);
    const auto r =
        run_ctl({"--json", "channel", "close", kChannelHex, "--private-key-file", bob_key});
    ::unsetenv("BTT_NODE");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(node.close_calls, 1);
}

TEST_F(BttctlNode, EveryRefusalOfTheRequestExitsOneNamingTheStatus) {
    const auto stranger = close_as(carol_key);
    EXPECT_EQ(stranger.code, 1);
    EXPECT_TRUE(stranger.out.empty()) << stranger.out;
    EXPECT_NE(stranger.err.find("PERMISSION_DENIED: neither payer nor payee"), std::string::npos)
        << stranger.err;
    for (const auto code :
         {grpc::StatusCode::NOT_FOUND, grpc::StatusCode::INVALID_ARGUMENT,
          grpc::StatusCode::FAILED_PRECONDITION, grpc::StatusCode::PERMISSION_DENIED}) {
        node.script(grpc::Status(code, "scripted refusal"));
        const auto r = close_as(alice_key);
        EXPECT_EQ(r.code, 1) << static_cast<int>(code) << ": " << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
        EXPECT_NE(r.err.find(": scripted refusal"), std::string::npos) << r.err;
    }
    node.script(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "channel is SETTLING"));
    const auto again = close_as(bob_key);
    EXPECT_NE(again.err.find("FAILED_PRECONDITION: channel is SETTLING"), std::string::npos)
        << again.err;
}

TEST_F(BttctlNode, ANodeThatCannotAnswerExitsThree) {
    for (const auto code : {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED,
                            grpc::StatusCode::INTERNAL}) {
        node.script(grpc::Status(code, "scripted failure"));
        const auto r = close_as(bob_key);
        EXPECT_EQ(r.code, 3) << static_cast<int>(code) << ": " << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
    EXPECT_NE(close_as(bob_key).err.find("INTERNAL: scripted failure"), std::string::npos);
}

TEST_F(BttctlNode, AnUnreachableNodeExitsThree) {
    const auto close = run_ctl(
        {"channel", "close", kChannelHex, "--private-key-file", bob_key, "--node", "127.0.0.1:1"});
    EXPECT_EQ(close.code, 3) << close.err;
    EXPECT_NE(close.err.find("UNAVAILABLE"), std::string::npos) << close.err;
    const auto show = run_ctl({"channel", "show", kChannelHex, "--node", "127.0.0.1:1"});
    EXPECT_EQ(show.code, 3) << show.err;
}

TEST_F(BttctlNode, ShowPrintsEveryChannelInfoField) {
    const auto r = run_ctl({"--json", "channel", "show", kChannelHex, "--node", address});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = r.json();
    EXPECT_EQ(j["channel_id"], kChannelHex);
    EXPECT_EQ(j["payer"], tk::alice().address().to_base58());
    EXPECT_EQ(j["payee"], tk::bob().address().to_base58());
    EXPECT_EQ(j["token_id"], "1002000");
    EXPECT_EQ(j["deposit"], "9223372036854775807");  // amounts as decimal strings
    EXPECT_EQ(j["accepted"], "250000");
    EXPECT_EQ(j["accepted_signature"], std::string(128, '1') + "1b");
    EXPECT_EQ(j["state"], "CLOSING");
    EXPECT_EQ(j["opened_at"], 1'699'990'000);
    EXPECT_EQ(j["expiry"], 1'700'090'000);
    EXPECT_EQ(j["settle_at"], 1'700'003'600);
    EXPECT_EQ(j["close_cause"], "payer_request");
    EXPECT_EQ(j.size(), 12U);

    const auto unknown = run_ctl({"channel", "show", std::string(64, 'f'), "--node", address});
    EXPECT_EQ(unknown.code, 1);
    EXPECT_TRUE(unknown.out.empty());
    EXPECT_NE(unknown.err.find("NOT_FOUND: no such channel"), std::string::npos) << unknown.err;
}

// Only the required keys; the key files do not exist: a reconciliation must never open them
// (if it did, this would exit 2 instead of reaching the database).
std::string node_config(const std::string& database_url) {
    return "[node]\n"
           "receipt_key_file = \"/nonexistent/receipt.key\"\n"
           "[escrow]\n"
           "address = \"" +
           tk::escrow().address().to_base58() +
           "\"\n"
           "key_file = \"/nonexistent/escrow.key\"\n"
           "[database]\n"
           "url = \"" +
           database_url +
           "\"\n"
           "[tron]\n"
           "full_node = \"127.0.0.1:1\"\n"
           "solidity_node = \"127.0.0.1:1\"\n";
}

TEST_F(BttctlNode, ReconcileExitsThreeWhenTheDatabaseIsUnreachableAndNeverPrintsItsPassword) {
    const std::string path = dir + "/bttnode.toml";
    std::ofstream(path) << node_config(
        "host=127.0.0.1 port=1 user=btt password=hunter2secret dbname=btt connect_timeout=5");
    const auto r = run_ctl({"--json", "audit", "reconcile", "--config", path});
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find("database"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("hunter2secret"), std::string::npos) << r.err;

    std::ofstream(path) << node_config("postgresql://btt:hunter2secret@127.0.0.1:1/btt");
    const auto uri = run_ctl({"audit", "reconcile", "--config", path});
    EXPECT_EQ(uri.code, 3) << uri.err;
    EXPECT_EQ(uri.err.find("hunter2secret"), std::string::npos) << uri.err;
}

}  // namespace
