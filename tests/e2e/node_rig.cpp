// The end-to-end rig (see node_rig.h).
#include "node_rig.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <sstream>
#include <thread>

#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <btt/base/hex.h>
#include <btt/testkit/actors.h>
#include <btt/testkit/pg_cluster.h>
#include <btt/tron/io/key_file.h>
#include <btt/tron/transaction.h>

namespace btt::e2e {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string str(ByteView b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

namespace {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// grpc.health.v1.Health/Check with an empty service name: SERVING is `08 01` on the wire.
bool is_serving(const std::shared_ptr<grpc::Channel>& channel) {
    grpc::GenericStub stub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    grpc::ByteBuffer request, response;
    grpc::Slice empty("");
    request = grpc::ByteBuffer(&empty, 1);
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                   [&](grpc::Status s) { done.set_value(s); });
    const auto status = done.get_future().get();
    if (!status.ok())
        return false;
    std::vector<grpc::Slice> slices;
    if (!response.Dump(&slices).ok())
        return false;
    std::string bytes;
    for (const auto& s : slices)
        bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    return bytes == std::string("\x08\x01", 2);
}

void write_key(const std::string& path, const tron::PrivateKey& key) {
    fs::remove(path);
    const auto r = tron::io::write_private_key_file(path, key);
    if (!r)
        throw std::runtime_error(r.error().message());
}

}  // namespace

NodeRig::NodeRig(RigOptions options) : m_options(std::move(options)) {
    char tmpl[] = "/tmp/btt-e2e-XXXXXX";
    m_folder = mkdtemp(tmpl);
    m_database = testkit::pg().fresh_database();
    m_escrow = testkit::escrow().address();

    trondev::Genesis g;
    g.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    g.params.block_interval_ms = m_options.block_ms;
    g.params.solid_lag = m_options.solid_lag;
    g.tokens.push_back(
        {"1002000", "BitTorrent", "BTT", 6, testkit::actor("issuer"), 1'000'000'000'000'000});
    g.tokens.push_back({"1000001", "Other", "OTH", 6, testkit::actor("issuer"), 1'000'000'000'000});
    for (const auto* name : {"alice", "carol"}) {
        g.accounts.push_back({testkit::actor(name),
                              10'000'000'000,
                              {{"1002000", 1'000'000'000'000}, {"1000001", 1'000'000'000}}});
    }
    if (m_options.escrow_trx > 0)
        g.accounts.push_back({m_escrow, m_options.escrow_trx, {}});
    m_chain = std::make_unique<trondev::Node>(
        g, trondev::NodeOptions{"127.0.0.1:0", "127.0.0.1:0", true, ""});
    tron::client::ClientOptions co;
    co.full_node.address = "127.0.0.1:" + std::to_string(m_chain->wallet_port());
    co.solidity.address = "127.0.0.1:" + std::to_string(m_chain->solidity_port());
    m_bridge = std::make_unique<tron::client::TronClient>(co);

    write_key(m_folder + "/receipt.key", testkit::node_key());
    write_key(m_folder + "/escrow.key", testkit::escrow());
    m_config = m_folder + "/bttnode.toml";
    std::ofstream(m_config) << "[node]\nlisten = \"127.0.0.1:0\"\nmetrics_listen = \""
                            << (m_options.metrics ? "127.0.0.1:0" : "") << "\"\n"
                            << "receipt_key_file = \"" << m_folder << "/receipt.key\"\n"
                            << "[escrow]\naddress = \"" << m_escrow.to_base58() << "\"\n"
                            << "key_file = \"" << m_folder << "/escrow.key\"\n"
                            << "[tron]\nfull_node = \"" << co.full_node.address << "\"\n"
                            << "solidity_node = \"" << co.solidity.address << "\"\n"
                            << "start_block = 0\npoll_ms = 50\n"
                            << "[database]\nurl = \"" << m_database << "\"\n"
                            << "[channels]\nmin_deposit = 1000000\n"
                            << m_options.extra_config << "\n";
}

NodeRig::~NodeRig() {
    if (m_pid > 0)
        kill_node();
    m_bridge.reset();
    m_chain.reset();
    if (::testing::Test::HasFailure() || std::uncaught_exceptions() > 0) {
        std::cerr << "e2e: kept " << m_folder << " (node logs) for the failure above\n";
    } else {
        fs::remove_all(m_folder);
    }
}

std::pair<int, std::string> run_command(const std::string& command) {
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    if (p == nullptr)
        return {-1, out};
    char buf[4096];
    while (std::fgets(buf, sizeof buf, p) != nullptr)
        out += buf;
    const int status = pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::shared_ptr<grpc::Channel> NodeRig::node_channel() const {
    if (m_options.tls_ca_pem.empty())
        return grpc::CreateChannel(node_address(), grpc::InsecureChannelCredentials());
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = m_options.tls_ca_pem;
    tls.pem_cert_chain = m_options.tls_client_cert_pem;
    tls.pem_private_key = m_options.tls_client_key_pem;
    // The test certificates name "localhost"; the rig dials 127.0.0.1.
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel(node_address(), grpc::SslCredentials(tls), args);
}

std::string NodeRig::node_log() const {
    std::ifstream in(m_folder + "/bttnode." + std::to_string(m_starts) + ".log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void NodeRig::start_node(const std::vector<std::string>& env) {
    ++m_starts;
    const std::string log = m_folder + "/bttnode." + std::to_string(m_starts) + ".log";
    const pid_t pid = fork();
    if (pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        for (const auto& e : env)
            putenv(const_cast<char*>(e.c_str()));
        execl(BTTNODE_EXE, BTTNODE_EXE, "--config", m_config.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    m_pid = pid;
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    const std::regex line("listening on [^ ]+ \\(port ([0-9]+)\\)");
    m_node_port = 0;
    while (Clock::now() < deadline) {
        if (m_node_port == 0) {
            std::smatch m;
            const std::string s = node_log();
            if (std::regex_search(s, m, line))
                m_node_port = std::stoi(m[1]);
        }
        if (m_node_port != 0 && is_serving(node_channel()))
            return;
        int status = 0;
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            throw std::runtime_error("bttnode exited at start:\n" + node_log());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("bttnode did not become SERVING in 60 s:\n" + node_log());
}

std::optional<int> NodeRig::wait_node_exit(std::chrono::seconds limit) {
    if (m_pid <= 0)
        return std::nullopt;
    const auto deadline = Clock::now() + limit;
    int status = 0;
    while (Clock::now() < deadline) {
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            return status;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
}

void NodeRig::kill_node() {
    if (m_pid <= 0)
        return;
    kill(m_pid, SIGKILL);
    waitpid(m_pid, nullptr, 0);
    m_pid = -1;
}

int NodeRig::stop_node() {
    if (m_pid <= 0)
        return -1;
    kill(m_pid, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    int status = 0;
    while (Clock::now() < deadline) {
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill_node();
    return -1;
}

std::unique_ptr<v1::ChannelService::Stub> NodeRig::stub() const {
    return v1::ChannelService::NewStub(node_channel());
}

channels::TxId NodeRig::transfer(const tron::PrivateKey& from, const tron::TronAddress& to,
                                 const std::string& token, std::int64_t amount,
                                 const std::string& memo) {
    const auto solid = m_bridge->solid_head().value();
    const auto head = m_bridge->head().value();
    const auto built =
        tron::build_transfer({token, from.address(), to, amount,
                              tron::tapos_from_block(solid.number, solid.id),
                              head.timestamp + 60'000, head.timestamp, to_bytes(memo)})
            .value();
    const tron::Signature sig[] = {tron::sign_transaction(from, built.txid)};
    const auto outcome = m_bridge->broadcast(tron::signed_transaction_bytes(built.raw_data, sig));
    if (!outcome || outcome->kind != tron::BroadcastClass::Accepted) {
        throw std::runtime_error("funding transfer not accepted: " +
                                 (outcome ? outcome->message : outcome.error().message));
    }
    return channels::TxId(built.txid);
}

channels::TxId NodeRig::transfer_trx(const tron::PrivateKey& from, const tron::TronAddress& to,
                                     std::int64_t sun) {
    const auto solid = m_bridge->solid_head().value();
    const auto head = m_bridge->head().value();
    const auto built = tron::build_transfer({std::nullopt,
                                             from.address(),
                                             to,
                                             sun,
                                             tron::tapos_from_block(solid.number, solid.id),
                                             head.timestamp + 60'000,
                                             head.timestamp,
                                             {}})
                           .value();
    const tron::Signature sig[] = {tron::sign_transaction(from, built.txid)};
    const auto outcome = m_bridge->broadcast(tron::signed_transaction_bytes(built.raw_data, sig));
    if (!outcome || outcome->kind != tron::BroadcastClass::Accepted) {
        throw std::runtime_error("TRX transfer not accepted: " +
                                 (outcome ? outcome->message : outcome.error().message));
    }
    return channels::TxId(built.txid);
}

std::string NodeRig::open_memo(const tron::TronAddress& payee, std::int64_t expiry_from_now_s) {
    return "btt-channel:v1:open:" + payee.to_base58() + ":" +
           std::to_string(unix_now() + expiry_from_now_s);
}

channels::ChannelId NodeRig::open_channel(const tron::PrivateKey& payer,
                                          const tron::TronAddress& payee, std::int64_t deposit) {
    const auto txid = transfer(payer, m_escrow, "1002000", deposit, open_memo(payee));
    const auto id = channels::channel_id_of(txid);
    const auto info = wait_channel(id, [](const auto& c) { return c.has_value(); });
    if (!info || info->state() != v1::CHANNEL_STATE_OPEN)
        throw std::runtime_error("channel did not open");
    return id;
}

std::optional<v1::ChannelInfo> NodeRig::wait_channel(
    const channels::ChannelId& id,
    const std::function<bool(const std::optional<v1::ChannelInfo>&)>& pred,
    std::chrono::seconds limit) {
    auto s = stub();
    const auto deadline = Clock::now() + limit;
    std::optional<v1::ChannelInfo> last;
    while (Clock::now() < deadline) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        v1::GetChannelRequest req;
        req.set_channel_id(str(id.bytes()));
        v1::ChannelInfo info;
        const auto status = s->GetChannel(&ctx, req, &info);
        if (status.ok()) {
            last = info;
        } else if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
            last.reset();
        } else {
            throw std::runtime_error("GetChannel: " + status.error_message());
        }
        if (pred(last))
            return last;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("channel " + id.to_hex() +
                             " did not reach the expected state in time");
}

std::int64_t NodeRig::token_balance(const tron::TronAddress& a, const std::string& token) {
    const auto b = m_bridge->account(a, /*solidified=*/true).value();
    const auto it = b.tokens.find(token);
    return it == b.tokens.end() ? 0 : it->second;
}

std::int64_t NodeRig::db_int(const std::string& sql) const {
    pqxx::connection c(m_database);
    pqxx::read_transaction t(c);
    return t.exec1(sql)[0].as<std::int64_t>();
}

void NodeRig::wait_watcher_caught_up(std::chrono::seconds limit) {
    const auto target = m_bridge->solid_head().value().number;
    auto s = stub();
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        v1::NodeInfo info;
        if (s->GetNodeInfo(&ctx, v1::GetNodeInfoRequest{}, &info).ok() &&
            info.solid_block() >= target) {
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("the node's watcher did not reach block " + std::to_string(target));
}

}  // namespace btt::e2e
