// bttorrent end to end (issue 14): real libtorrent swarms on 127.0.0.1, a seeder selling
// pieces through the btt_pay extension, bttnode + trondev + PostgreSQL from the e2e rig.
// Every process is bounded in time; every wait has a deadline.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/settings_pack.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <btt/testkit/actors.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/io/key_file.h>
#include <btt/tron/io/random.h>
#include <btt/tron/tip104.h>

#include "node_rig.h"

namespace btt::e2e {
namespace {

namespace fs = std::filesystem;
namespace tk = btt::testkit;
namespace lt = libtorrent;
using Clock = std::chrono::steady_clock;

constexpr int kPieces = 64;
constexpr int kPieceSize = 16 * 1024;
constexpr std::int64_t kPrice = 1000;

int free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A bttorrent child process, stdout and stderr to files.
class Proc {
public:
    Proc(const std::string& folder, const std::string& name, const std::vector<std::string>& args)
        : m_out(folder + "/" + name + ".out"), m_err(folder + "/" + name + ".err") {
        m_pid = fork();
        if (m_pid == 0) {
            const int out = open(m_out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            const int err = open(m_err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            dup2(out, 1);
            dup2(err, 2);
            std::vector<char*> argv;
            argv.push_back(const_cast<char*>(BTTORRENT_EXE));
            for (const auto& a : args)
                argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            execv(BTTORRENT_EXE, argv.data());
            _exit(127);
        }
    }
    ~Proc() {
        if (m_pid > 0) {
            kill(m_pid, SIGKILL);
            waitpid(m_pid, nullptr, 0);
        }
    }
    // The exit code, or nullopt if it did not exit in time (then it is killed).
    std::optional<int> wait(std::chrono::seconds limit) {
        const auto deadline = Clock::now() + limit;
        int status = 0;
        while (Clock::now() < deadline) {
            if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
                m_pid = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return std::nullopt;
    }
    std::optional<int> terminate(std::chrono::seconds limit = std::chrono::seconds(20)) {
        if (m_pid > 0)
            kill(m_pid, SIGTERM);
        return wait(limit);
    }
    [[nodiscard]] bool running() { return m_pid > 0 && waitpid(m_pid, nullptr, WNOHANG) == 0; }
    bool wait_for_err(const std::string& text, std::chrono::seconds limit) {
        const auto deadline = Clock::now() + limit;
        while (Clock::now() < deadline) {
            if (err().find(text) != std::string::npos)
                return true;
            if (!running())
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
    [[nodiscard]] std::string out() const { return slurp(m_out); }
    [[nodiscard]] std::string err() const { return slurp(m_err); }
    // The last line of stdout as JSON.
    [[nodiscard]] nlohmann::json json() const {
        auto text = out();
        while (!text.empty() && text.back() == '\n')
            text.pop_back();
        const auto nl = text.rfind('\n');
        return nlohmann::json::parse(nl == std::string::npos ? text : text.substr(nl + 1));
    }

private:
    std::string m_out, m_err;
    pid_t m_pid = -1;
};

// Fast settlement (1 s windows), 1 % fee: the settled amounts are checked to the unit.
RigOptions swarm_rig() {
    RigOptions o;
    o.extra_config =
        "settle_delay_s = 2\nfee_bps = 100\nmin_expiry_horizon_s = 3\n"
        "[settlement]\nwindow_s = 1\npayout_expiration_s = 3\n";
    return o;
}

class Swarm {
public:
    explicit Swarm(NodeRig& rig) : m_rig(rig), m_dir(rig.folder() + "/swarm") {
        fs::create_directories(m_dir + "/seed");
        std::mt19937_64 rng(14);
        std::string data(kPieces * kPieceSize, '\0');
        for (auto& c : data)
            c = static_cast<char>(rng());
        std::ofstream(m_dir + "/seed/movie.bin", std::ios::binary) << data;
        m_data = data;
        Proc make(m_dir, "make",
                  {"make", m_dir + "/seed/movie.bin", "-o", torrent(), "--piece-size",
                   std::to_string(kPieceSize)});
        EXPECT_EQ(make.wait(std::chrono::seconds(30)), 0) << make.err();
        write_key("payee.key", m_payee);
        write_key("alice.key", tk::alice());
        write_key("carol.key", tk::carol());
    }

    [[nodiscard]] std::string torrent() const { return m_dir + "/movie.torrent"; }
    [[nodiscard]] const std::string& dir() const { return m_dir; }
    [[nodiscard]] const tron::PrivateKey& payee() const { return m_payee; }
    [[nodiscard]] const std::string& data() const { return m_data; }

    std::unique_ptr<Proc> seed(int port, int free_pieces, int credit_pieces) {
        auto p = std::make_unique<Proc>(
            m_dir, "seed",
            std::vector<std::string>{"seed", torrent(), "--data", m_dir + "/seed/movie.bin",
                                     "--price", std::to_string(kPrice), "--payee-key",
                                     m_dir + "/payee.key", "--node", m_rig.node_address(),
                                     "--free-pieces", std::to_string(free_pieces),
                                     "--credit-pieces", std::to_string(credit_pieces), "--listen",
                                     "127.0.0.1:" + std::to_string(port), "--tron",
                                     m_rig.chain_addresses().first, "--json"});
        EXPECT_TRUE(p->wait_for_err("ready", std::chrono::seconds(30))) << p->err();
        return p;
    }

    std::unique_ptr<Proc> get(const std::string& name, const std::string& key, int seed_port,
                              std::vector<std::string> more) {
        std::vector<std::string> args{"get",         torrent(),
                                      "--out",       m_dir + "/" + name,
                                      "--payer-key", m_dir + "/" + key,
                                      "--node",      m_rig.node_address(),
                                      "--tron",      m_rig.chain_addresses().first,
                                      "--peer",      "127.0.0.1:" + std::to_string(seed_port),
                                      "--json"};
        args.insert(args.end(), more.begin(), more.end());
        return std::make_unique<Proc>(m_dir, name, args);
    }

private:
    void write_key(const std::string& name, const tron::PrivateKey& key) {
        const auto r = tron::io::write_private_key_file(m_dir + "/" + name, key);
        ASSERT_TRUE(r.has_value()) << r.error().message();
    }

    NodeRig& m_rig;
    std::string m_dir;
    std::string m_data;
    tron::PrivateKey m_payee = tron::io::generate_private_key();
};

// A hand-made BitTorrent peer that speaks btt_pay badly: handshake, an extended handshake
// announcing btt_pay, then a btt_pay message that is not bencoded. Returns true when the
// seeder closed the connection within `limit`.
bool bad_peer_is_closed(int port, const std::string& torrent, std::chrono::seconds limit) {
    const lt::torrent_info ti(torrent);
    const auto hash = ti.info_hashes().v1;
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        close(fd);
        return false;
    }
    timeval tv{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    out += static_cast<char>(19);
    out += "BitTorrent protocol";
    std::string reserved(8, '\0');
    reserved[5] = 0x10;  // BEP 10
    out += reserved;
    out.append(reinterpret_cast<const char*>(hash.data()), 20);
    out += "-BT0001-badpeer00001";
    const auto extended = [&](char id, const std::string& payload) {
        const auto n = static_cast<std::uint32_t>(2 + payload.size());
        out += static_cast<char>(n >> 24);
        out += static_cast<char>((n >> 16) & 0xff);
        out += static_cast<char>((n >> 8) & 0xff);
        out += static_cast<char>(n & 0xff);
        out += static_cast<char>(20);
        out += id;
        out += payload;
    };
    extended(0, "d7:btt_payd1:vi1ee1:md7:btt_payi1eee");
    extended(33, "this is not bencoding");
    if (send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) {
        close(fd);
        return false;
    }
    const auto deadline = Clock::now() + limit;
    char buf[4096];
    while (Clock::now() < deadline) {
        const auto n = recv(fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            close(fd);
            return true;
        }
    }
    close(fd);
    return false;
}

channels::ChannelId channel_of(const nlohmann::json& summary) {
    return channels::ChannelId::from_lower_hex(summary.at("channel_id").get<std::string>()).value();
}

std::int64_t accepted(NodeRig& rig, const channels::ChannelId& id, std::int64_t want) {
    const auto c = rig.wait_channel(
        id, [&](const auto& info) { return info && info->accepted() >= want; },
        std::chrono::seconds(20));
    return c ? c->accepted() : -1;
}

grpc::Status close_channel(NodeRig& rig, const channels::ChannelId& id,
                           const tron::PrivateKey& who) {
    auto stub = rig.stub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::CloseRequest req;
    req.set_channel_id(str(id.bytes()));
    req.set_signature(str(tron::sign_message_v2(who, tron::close_message(id.bytes()))));
    v1::CloseResult result;
    return stub->CloseChannel(&ctx, req, &result);
}

const nlohmann::json* peer_entry(const nlohmann::json& seed_summary,
                                 const std::string& channel_hex) {
    for (const auto& p : seed_summary.at("peers")) {
        if (p.at("channel_id") == channel_hex)
            return &p;
    }
    return nullptr;
}

TEST(TorrentE2E, APayerCompletesAndPaysExactlyWhileANonPayerGetsOnlyTheFreePieces) {
    NodeRig rig(swarm_rig());
    rig.start_node();
    Swarm swarm(rig);
    const auto alice_before = rig.token_balance(tk::alice().address());
    const int port = free_port();
    auto seeder = swarm.seed(port, /*free_pieces=*/2, /*credit_pieces=*/8);

    auto payer = swarm.get("alice", "alice.key", port,
                           {"--deposit", "1000000", "--max-price", "1000", "--timeout-s", "90"});
    // carol refuses the price and asks for every piece anyway.
    auto freeloader = swarm.get("carol", "carol.key", port,
                                {"--max-price", "999", "--greedy", "--timeout-s", "12"});

    ASSERT_EQ(payer->wait(std::chrono::seconds(100)), 0) << payer->err();
    const auto summary = payer->json();
    std::cout << "payer: " << summary.dump() << "\n";
    EXPECT_TRUE(summary.at("complete").get<bool>());
    EXPECT_EQ(summary.at("pieces"), kPieces);
    EXPECT_EQ(summary.at("paid"), std::to_string(kPieces * kPrice));
    EXPECT_EQ(slurp(swarm.dir() + "/alice/movie.bin"), swarm.data());

    ASSERT_EQ(freeloader->wait(std::chrono::seconds(30)), 1) << freeloader->err();
    const auto carol = freeloader->json();
    EXPECT_FALSE(carol.at("complete").get<bool>());
    EXPECT_LE(carol.at("pieces").get<int>(), 2);
    EXPECT_EQ(carol.at("paid"), "0");
    EXPECT_EQ(carol.at("channel_id"), "");
    EXPECT_NE(freeloader->err().find("price_too_high"), std::string::npos);

    // Every proof the payer signed is committed at the node.
    const auto id = channel_of(summary);
    EXPECT_EQ(accepted(rig, id, kPieces * kPrice), kPieces * kPrice);

    ASSERT_EQ(seeder->terminate(), 0) << seeder->err();
    const auto served = seeder->json();
    const auto* alice_peer = peer_entry(served, id.to_hex());
    ASSERT_NE(alice_peer, nullptr) << served.dump();
    EXPECT_EQ(alice_peer->at("served"), kPieces);
    EXPECT_EQ(alice_peer->at("paid_pieces"), kPieces);
    EXPECT_EQ(alice_peer->at("committed"), std::to_string(kPieces * kPrice));
    std::uint64_t served_unpaid = 0;
    for (const auto& p : served.at("peers")) {
        if (p.at("channel_id") == "")
            served_unpaid += p.at("served").get<std::uint64_t>();
    }
    EXPECT_LE(served_unpaid, 2u) << served.dump();
    EXPECT_EQ(served.at("payee_balance"), "0");  // nothing settled yet

    // The payee closes: settled at once; 1 % fee stays with the operator.
    ASSERT_TRUE(close_channel(rig, id, swarm.payee()).ok());
    ASSERT_TRUE(rig.wait_channel(
        id, [](const auto& c) { return c && c->state() == v1::CHANNEL_STATE_CLOSED; },
        std::chrono::seconds(60)));
    const std::int64_t paid = kPieces * kPrice;
    const std::int64_t fee = paid * 100 / 10'000;
    EXPECT_EQ(rig.token_balance(swarm.payee().address()), paid - fee);
    EXPECT_EQ(rig.token_balance(tk::alice().address()), alice_before - paid);
}

TEST(TorrentE2E, APayerThatStopsPayingIsCutOffWithinTheCreditWindow) {
    NodeRig rig(swarm_rig());
    rig.start_node();
    Swarm swarm(rig);
    const int port = free_port();
    constexpr int kCredit = 3;
    constexpr int kPaidPieces = 10;
    auto seeder = swarm.seed(port, /*free_pieces=*/0, kCredit);
    auto payer = swarm.get("alice", "alice.key", port,
                           {"--deposit", "1000000", "--timeout-s", "15", "--stop-paying-after",
                            std::to_string(kPaidPieces)});
    ASSERT_EQ(payer->wait(std::chrono::seconds(40)), 1) << payer->err();
    const auto summary = payer->json();
    EXPECT_FALSE(summary.at("complete").get<bool>());
    EXPECT_EQ(summary.at("paid"), std::to_string(kPaidPieces * kPrice));
    EXPECT_GE(summary.at("pieces").get<int>(), kPaidPieces);
    EXPECT_LE(summary.at("pieces").get<int>(), kPaidPieces + kCredit);
    ASSERT_TRUE(seeder->running());
    EXPECT_NE(seeder->err().find("cut off"), std::string::npos) << seeder->err();
    ASSERT_EQ(seeder->terminate(), 0);
    const auto served = seeder->json();
    const auto* peer = peer_entry(served, summary.at("channel_id").get<std::string>());
    ASSERT_NE(peer, nullptr);
    EXPECT_LE(peer->at("served").get<int>(), kPaidPieces + kCredit);
    EXPECT_EQ(peer->at("paid_pieces"), kPaidPieces);
}

TEST(TorrentE2E, APlainLibtorrentPeerJoinsWithoutHarm) {
    NodeRig rig(swarm_rig());
    rig.start_node();
    Swarm swarm(rig);
    const int port = free_port();
    auto seeder = swarm.seed(port, /*free_pieces=*/3, /*credit_pieces=*/8);

    // A stock libtorrent session: no btt_pay, asks for every piece.
    lt::settings_pack s;
    s.set_str(lt::settings_pack::listen_interfaces, "127.0.0.1:0");
    for (const auto key : {lt::settings_pack::enable_dht, lt::settings_pack::enable_lsd,
                           lt::settings_pack::enable_upnp, lt::settings_pack::enable_natpmp}) {
        s.set_bool(key, false);
    }
    s.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
    lt::session plain(s);
    lt::add_torrent_params atp;
    atp.ti = std::make_shared<lt::torrent_info>(swarm.torrent());
    atp.save_path = swarm.dir() + "/plain";
    auto h = plain.add_torrent(atp);
    h.connect_peer(
        lt::tcp::endpoint(lt::make_address("127.0.0.1"), static_cast<unsigned short>(port)));

    auto payer =
        swarm.get("alice", "alice.key", port, {"--deposit", "1000000", "--timeout-s", "90"});
    ASSERT_EQ(payer->wait(std::chrono::seconds(100)), 0) << payer->err();
    EXPECT_EQ(slurp(swarm.dir() + "/alice/movie.bin"), swarm.data());
    EXPECT_EQ(payer->json().at("paid"), std::to_string(kPieces * kPrice));

    EXPECT_LE(h.status().num_pieces, 3);
    EXPECT_GT(h.status().num_pieces, 0) << "the plain peer never got its free pieces";
    // A peer whose btt_pay message is garbage loses its connection, with a log line, and
    // the seeder goes on.
    EXPECT_TRUE(bad_peer_is_closed(port, swarm.torrent(), std::chrono::seconds(10)));
    EXPECT_TRUE(seeder->wait_for_err("bad btt_pay message", std::chrono::seconds(5)))
        << seeder->err();
    ASSERT_TRUE(seeder->running());
    ASSERT_EQ(seeder->terminate(), 0);
    const auto served = seeder->json();
    bool saw_plain = false;
    for (const auto& p : served.at("peers")) {
        if (!p.at("btt_pay").get<bool>()) {
            saw_plain = true;
            EXPECT_LE(p.at("served").get<int>(), 3);
        }
    }
    EXPECT_TRUE(saw_plain) << served.dump();
}

// The seeder keeps, per channel, the latest proof the node has not acknowledged and resends
// it once the node is back: a node killed mid-download loses no payment, and the payer,
// stalled at the credit window meanwhile, completes.
TEST(TorrentE2E, ANodeKilledMidDownloadLosesNoPayment) {
    NodeRig rig(swarm_rig());
    rig.start_node();
    // The restarted node must listen where the seeder's --node points: pin the port the
    // rig's first start picked.
    {
        auto config = slurp(rig.config_path());
        const std::string any_port = "listen = \"127.0.0.1:0\"";
        const auto at = config.find(any_port);
        ASSERT_NE(at, std::string::npos) << config;
        config.replace(at, any_port.size(), "listen = \"" + rig.node_address() + "\"");
        std::ofstream(rig.config_path(), std::ios::trunc) << config;
    }
    Swarm swarm(rig);
    const int port = free_port();
    auto seeder = swarm.seed(port, /*free_pieces=*/0, /*credit_pieces=*/4);
    auto payer =
        swarm.get("alice", "alice.key", port, {"--deposit", "1000000", "--timeout-s", "150"});

    // Mid-download: the channel is open and some proofs are committed, not all.
    ASSERT_TRUE(seeder->wait_for_err("pays through channel", std::chrono::seconds(60)))
        << seeder->err() << payer->err();
    const auto line_start = seeder->err().find("pays through channel ") + 21;
    const auto id = channels::ChannelId::from_lower_hex(seeder->err().substr(line_start, 64));
    ASSERT_TRUE(id.has_value()) << seeder->err();
    ASSERT_GE(accepted(rig, *id, 6 * kPrice), 6 * kPrice);
    ASSERT_TRUE(payer->running()) << "the download ended before the node could be killed";
    rig.kill_node();
    EXPECT_TRUE(seeder->wait_for_err("node stream ended", std::chrono::seconds(10)))
        << seeder->err();
    // Long enough for the payer to use up the credit window and the seeder to retry.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    EXPECT_TRUE(payer->running());
    rig.start_node();

    ASSERT_EQ(payer->wait(std::chrono::seconds(160)), 0) << payer->err() << seeder->err();
    const auto summary = payer->json();
    EXPECT_TRUE(summary.at("complete").get<bool>());
    EXPECT_EQ(summary.at("paid"), std::to_string(kPieces * kPrice));
    EXPECT_EQ(channel_of(summary), *id);
    EXPECT_EQ(slurp(swarm.dir() + "/alice/movie.bin"), swarm.data());
    // What the payer signed is what the node committed: no proof was lost.
    EXPECT_EQ(accepted(rig, *id, kPieces * kPrice), kPieces * kPrice);

    ASSERT_EQ(seeder->terminate(), 0) << seeder->err();
    const auto served = seeder->json();
    const auto* peer = peer_entry(served, id->to_hex());
    ASSERT_NE(peer, nullptr) << served.dump();
    EXPECT_EQ(peer->at("served"), kPieces);
    EXPECT_EQ(peer->at("paid_pieces"), kPieces);
    EXPECT_EQ(peer->at("committed"), std::to_string(kPieces * kPrice));
}

// intake_paused is a retry-class answer (DESIGN §8): the seeder resends until the operator
// resumes intake, and keeps the connection.
TEST(TorrentE2E, ProofsRefusedWhileIntakeIsPausedAreResentAfterResume) {
    const std::string token = "operator-token-torrent-0123456789";
    // The operator's token file, 0600, removed at the end whatever happens.
    struct TokenDir {
        fs::path path =
            fs::temp_directory_path() / ("btt-torrent-token-" + std::to_string(getpid()));
        TokenDir() { fs::create_directories(path); }
        ~TokenDir() { fs::remove_all(path); }
    } token_dir;
    const auto token_file = (token_dir.path / "operator.token").string();
    std::ofstream(token_file) << token;
    fs::permissions(token_file, fs::perms::owner_read | fs::perms::owner_write);
    auto options = swarm_rig();
    options.extra_config += "[auth]\noperator_token_file = \"" + token_file + "\"\n";
    NodeRig rig(options);
    rig.start_node();
    auto admin = v1::AdminService::NewStub(rig.node_channel());
    const auto call = [&](const char* what, auto method) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        ctx.AddMetadata("authorization", "Bearer " + token);
        v1::IntakeState state;
        const auto status = method(ctx, state);
        EXPECT_TRUE(status.ok()) << what << ": " << status.error_message();
        return state;
    };
    EXPECT_TRUE(call("pause", [&](grpc::ClientContext& c, v1::IntakeState& st) {
                    return admin->PauseIntake(&c, {}, &st);
                }).paused());

    Swarm swarm(rig);
    const int port = free_port();
    auto seeder = swarm.seed(port, /*free_pieces=*/0, /*credit_pieces=*/4);
    auto payer =
        swarm.get("alice", "alice.key", port, {"--deposit", "1000000", "--timeout-s", "120"});
    ASSERT_TRUE(seeder->wait_for_err("intake_paused", std::chrono::seconds(60)))
        << seeder->err() << payer->err();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    EXPECT_TRUE(payer->running());  // stalled at the credit window, not cut off
    EXPECT_EQ(seeder->err().find("closing the connection"), std::string::npos) << seeder->err();
    EXPECT_FALSE(call("resume", [&](grpc::ClientContext& c, v1::IntakeState& st) {
                     return admin->ResumeIntake(&c, {}, &st);
                 }).paused());

    ASSERT_EQ(payer->wait(std::chrono::seconds(130)), 0) << payer->err() << seeder->err();
    const auto summary = payer->json();
    EXPECT_EQ(summary.at("paid"), std::to_string(kPieces * kPrice));
    EXPECT_EQ(accepted(rig, channel_of(summary), kPieces * kPrice), kPieces * kPrice);
    ASSERT_EQ(seeder->terminate(), 0) << seeder->err();
}

}  // namespace
}  // namespace btt::e2e
