// The real trondev executable: balances survive a SIGTERM and a restart with --data-dir;
// in process, a restart rebuilds the current and the solid views alike.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <tron/api/api.grpc.pb.h>

#include <btt/testkit/actors.h>
#include <btt/tron/transaction.h>
#include <btt/tron/client/tron_client.h>
#include <btt/trondev/genesis_file.h>
#include <btt/trondev/node.h>

namespace {

namespace fs = std::filesystem;
namespace tk = btt::testkit;
using Clock = std::chrono::steady_clock;

std::string str(btt::ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

struct Running {
    pid_t pid = -1;
    int port = 0;
};

// Starts trondev and reads its ports from its first line of output (deadline 15 s).
Running start(const fs::path& dir, const std::string& log_name) {
    const std::string log = (dir / log_name).string();
    const pid_t pid = fork();
    if (pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        const std::string genesis = (dir / "genesis.json").string();
        const std::string data = (dir / "data").string();
        execl(TRONDEV_EXE, TRONDEV_EXE, "--genesis", genesis.c_str(), "--data-dir", data.c_str(), "--listen",
              "127.0.0.1:0", "--solidity-listen", "127.0.0.1:0", "--block-ms", "50", "--solid-lag", "2",
              static_cast<char*>(nullptr));
        _exit(127);
    }
    const auto deadline = Clock::now() + std::chrono::seconds(15);
    const std::regex line("full node 127\\.0\\.0\\.1:([0-9]+)");
    while (Clock::now() < deadline) {
        std::ifstream in(log);
        std::stringstream text;
        text << in.rdbuf();
        std::smatch m;
        const std::string s = text.str();
        if (std::regex_search(s, m, line)) return {pid, std::stoi(m[1])};
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    ADD_FAILURE() << "trondev did not start";
    return {};
}

int stop(const Running& r) {
    kill(r.pid, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(15);
    int status = 0;
    while (Clock::now() < deadline) {
        if (waitpid(r.pid, &status, WNOHANG) == r.pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(r.pid, SIGKILL);
    waitpid(r.pid, nullptr, 0);
    return -2;
}

std::int64_t included_in(protocol::Wallet::Stub& wallet, const btt::tron::TxId& txid) {
    protocol::BytesMessage q;
    q.set_value(str(txid));
    protocol::TransactionInfo info;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    EXPECT_TRUE(wallet.GetTransactionInfoById(&ctx, q, &info).ok());
    return info.blocknumber();
}

std::int64_t bob_btt(protocol::Wallet::Stub& wallet) {
    protocol::Account req, acc;
    req.set_address(str(tk::bob().address().bytes()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    EXPECT_TRUE(wallet.GetAccount(&ctx, req, &acc).ok());
    const auto it = acc.assetv2().find("1002000");
    return it == acc.assetv2().end() ? 0 : it->second;
}

TEST(TrondevExecutable, BalancesSurviveARestartWithADataDir) {
    char tmpl[] = "/tmp/btt-trondev-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const fs::path dir = tmpl;
    btt::trondev::Genesis g;
    g.tokens.push_back({"1002000", "BitTorrent", "BTT", 6, tk::actor("issuer"), 1'000'000'000});
    g.accounts.push_back({tk::alice().address(), 100'000'000, {{"1002000", 50'000'000}}});
    btt::trondev::save_genesis(g, (dir / "genesis.json").string());

    const Running first = start(dir, "first.log");
    ASSERT_GT(first.port, 0);
    auto wallet = protocol::Wallet::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(first.port), grpc::InsecureChannelCredentials()));
    // Reference the head block (as TronWeb does) and broadcast a transfer to bob.
    protocol::BlockExtention head;
    {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        ASSERT_TRUE(wallet->GetNowBlock2(&ctx, {}, &head).ok());
    }
    btt::Hash32 id{};
    std::copy(head.blockid().begin(), head.blockid().end(), id.begin());
    const auto t = head.block_header().raw_data().timestamp();
    const auto built = btt::tron::build_transfer({std::string("1002000"), tk::alice().address(), tk::bob().address(),
                                                  1'234'567, btt::tron::tapos_from_block(head.block_header().raw_data().number(), id),
                                                  t + 60'000, t, {}}).value();
    const btt::tron::Signature sig[] = {btt::tron::sign_transaction(tk::alice(), built.txid)};
    protocol::Transaction tx;
    const auto bytes = btt::tron::signed_transaction_bytes(built.raw_data, sig);
    tx.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
    protocol::Return ret;
    {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        ASSERT_TRUE(wallet->BroadcastTransaction(&ctx, tx, &ret).ok());
    }
    ASSERT_TRUE(ret.result()) << ret.message();
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    // Balances move at broadcast (pending state); wait for the block that includes it.
    while (included_in(*wallet, built.txid) == 0 && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const std::int64_t block = included_in(*wallet, built.txid);
    ASSERT_GT(block, 0);
    ASSERT_EQ(bob_btt(*wallet), 1'234'567);
    EXPECT_EQ(stop(first), 0);

    const Running second = start(dir, "second.log");
    ASSERT_GT(second.port, 0);
    auto again = protocol::Wallet::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(second.port), grpc::InsecureChannelCredentials()));
    EXPECT_EQ(bob_btt(*again), 1'234'567);
    EXPECT_EQ(included_in(*again, built.txid), block);  // same block after the replay
    EXPECT_EQ(stop(second), 0);
    fs::remove_all(dir);
}

// The chain log holds broadcasts and blocks; replaying it must rebuild both views, so a
// restarted node still hides from the solidity port what is above the solid head.
TEST(TrondevDataDir, ARestartRebuildsTheCurrentAndTheSolidViews) {
    char tmpl[] = "/tmp/btt-trondev-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const fs::path dir = tmpl;
    btt::trondev::Genesis g;
    g.timestamp_ms = 1'750'000'000'000;
    g.params.block_interval_ms = 100;
    g.params.solid_lag = 2;
    g.tokens.push_back({"1002000", "BitTorrent", "BTT", 6, tk::actor("issuer"), 1'000'000'000});
    g.accounts.push_back({tk::alice().address(), 100'000'000, {{"1002000", 50'000'000}}});
    const btt::trondev::NodeOptions options{"127.0.0.1:0", "127.0.0.1:0", /*produce_blocks=*/false, (dir / "data").string()};
    namespace tc = btt::tron::client;
    auto connect = [](const btt::trondev::Node& n) {
        tc::ClientOptions o;
        o.full_node.address = "127.0.0.1:" + std::to_string(n.wallet_port());
        o.solidity.address = "127.0.0.1:" + std::to_string(n.solidity_port());
        o.backoff.max_attempts = 1;
        return std::make_unique<tc::TronClient>(o);
    };
    auto send = [](tc::TronClient& c, std::optional<std::string> token, const btt::tron::TronAddress& to, std::int64_t amount) {
        const auto solid = c.solid_head().value();
        const auto head = c.head().value();
        const auto built = btt::tron::build_transfer({token, tk::alice().address(), to, amount,
                                                      btt::tron::tapos_from_block(solid.number, solid.id),
                                                      head.timestamp + 60'000, head.timestamp, {}}).value();
        const btt::tron::Signature sig[] = {btt::tron::sign_transaction(tk::alice(), built.txid)};
        return c.broadcast(btt::tron::signed_transaction_bytes(built.raw_data, sig)).value().kind;
    };
    const auto bob = tk::bob().address(), carol = tk::carol().address();
    using View = std::pair<tc::Balances, tc::Balances>;  // bob's, carol's
    auto view = [&](tc::TronClient& c, bool solid) { return View{c.account(bob, solid).value(), c.account(carol, solid).value()}; };
    auto same = [](const View& a, const View& b) {
        return a.first.exists == b.first.exists && a.first.trx == b.first.trx && a.first.tokens == b.first.tokens &&
               a.second.exists == b.second.exists && a.second.trx == b.second.trx && a.second.tokens == b.second.tokens;
    };

    View full_before, solid_before;
    {
        btt::trondev::Node first(g, options);
        auto c = connect(first);
        for (int i = 0; i < 3; ++i) first.produce_block_now();
        ASSERT_EQ(send(*c, std::string("1002000"), bob, 700), btt::tron::BroadcastClass::Accepted);
        first.produce_block_now();  // head 4, solid 2: BTT to bob in block 4
        ASSERT_EQ(send(*c, std::nullopt, carol, 3'000'000), btt::tron::BroadcastClass::Accepted);  // pending
        full_before = view(*c, false);
        solid_before = view(*c, true);
        EXPECT_EQ(full_before.first.tokens.at("1002000"), 700);
        EXPECT_TRUE(full_before.second.exists);
        EXPECT_FALSE(solid_before.first.exists);
        EXPECT_FALSE(solid_before.second.exists);
    }
    btt::trondev::Node second(g, options);
    auto c = connect(second);
    EXPECT_TRUE(same(view(*c, false), full_before));
    EXPECT_TRUE(same(view(*c, true), solid_before));
    for (int i = 0; i < 2; ++i) second.produce_block_now();  // head 6, solid 4: bob's, not carol's
    EXPECT_EQ(c->account(bob, true).value().tokens.at("1002000"), 700);
    EXPECT_FALSE(c->account(carol, true).value().exists);
    second.produce_block_now();  // solid 5: carol's too (the pending transfer went into block 5)
    EXPECT_TRUE(same(view(*c, true), view(*c, false)));
    EXPECT_EQ(c->account(carol, true).value().trx, 3'000'000);
    fs::remove_all(dir);
}

}  // namespace
