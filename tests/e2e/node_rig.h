#pragma once
// End-to-end rig: a throwaway PostgreSQL database, trondev in-process (fast blocks), and
// the real bttnode executable as a child process with a generated config, talked to only
// through its public gRPC API. Every wait has a deadline.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <btt/channel/v1/channel.grpc.pb.h>
#include <grpcpp/grpcpp.h>

#include <btt/channels/ids.h>
#include <btt/tron/client/tron_client.h>
#include <btt/tron/keys.h>
#include <btt/trondev/node.h>

namespace btt::e2e {

namespace v1 = btt::channel::v1;

struct RigOptions {
    std::int64_t block_ms = 100;
    std::int64_t solid_lag = 2;
    std::string extra_config;                  // TOML lines appended to the generated config
    std::int64_t escrow_trx = 10'000'000'000;  // sun; 0: the escrow starts without TRX
    bool metrics = false;                      // serve /metrics on a free port
    // Set when the node serves TLS (extra_config has tls.*): the rig's own calls trust
    // this CA and, for mutual TLS, present this client certificate.
    std::string tls_ca_pem;
    std::string tls_client_cert_pem, tls_client_key_pem;
};

class NodeRig {
public:
    explicit NodeRig(RigOptions options = {});
    ~NodeRig();

    // bttnode: start (waits until its health check says SERVING), SIGKILL, SIGTERM.
    // `env`: NAME=VALUE pairs set for this start only (e.g. BTT_TEST_CRASH_AT=after_sign).
    void start_node(const std::vector<std::string>& env = {});
    // Waits (bounded) for the node to exit by itself; its exit status, or nullopt.
    std::optional<int> wait_node_exit(std::chrono::seconds limit);
    void kill_node();  // kill -9, waits for the process to be gone
    int stop_node();   // SIGTERM; returns the exit code (-1 if it had to be killed)
    [[nodiscard]] bool node_running() const { return m_pid > 0; }
    [[nodiscard]] pid_t node_pid() const { return m_pid; }

    [[nodiscard]] std::unique_ptr<v1::ChannelService::Stub> stub() const;
    // A channel to the node with the rig's credentials (plaintext, or TLS per RigOptions).
    [[nodiscard]] std::shared_ptr<grpc::Channel> node_channel() const;
    [[nodiscard]] std::string node_address() const {
        return "127.0.0.1:" + std::to_string(m_node_port);
    }
    [[nodiscard]] const std::string& database_url() const { return m_database; }
    [[nodiscard]] trondev::Node& chain() { return *m_chain; }
    [[nodiscard]] tron::client::TronClient& bridge() { return *m_bridge; }
    [[nodiscard]] const std::string& folder() const { return m_folder; }
    [[nodiscard]] const std::string& config_path() const { return m_config; }
    // The balance of `a` in `token` on the solidified chain.
    [[nodiscard]] std::int64_t token_balance(const tron::TronAddress& a,
                                             const std::string& token = "1002000");
    // One integer from the node's database (e.g. a count).
    [[nodiscard]] std::int64_t db_int(const std::string& sql) const;
    [[nodiscard]] std::string node_log() const;
    [[nodiscard]] tron::TronAddress escrow() const { return m_escrow; }
    // trondev's full-node and solidity addresses (host:port).
    [[nodiscard]] std::pair<std::string, std::string> chain_addresses() const {
        return {"127.0.0.1:" + std::to_string(m_chain->wallet_port()),
                "127.0.0.1:" + std::to_string(m_chain->solidity_port())};
    }

    // A TRC-10 transfer from `from` (a funded genesis account) with `memo`; returns the
    // txid once the full node accepted it into its pending pool.
    channels::TxId transfer(const tron::PrivateKey& from, const tron::TronAddress& to,
                            const std::string& token, std::int64_t amount, const std::string& memo);
    channels::TxId transfer_trx(const tron::PrivateKey& from, const tron::TronAddress& to,
                                std::int64_t sun);
    // Opens a channel alice -> bob (deposit, expiry = now + 1 day) and waits until the
    // node reports it OPEN.
    channels::ChannelId open_channel(const tron::PrivateKey& payer, const tron::TronAddress& payee,
                                     std::int64_t deposit);
    std::string open_memo(const tron::TronAddress& payee, std::int64_t expiry_from_now_s = 86'400);
    // GetChannel until `pred` holds (deadline); the last answer or nullopt (NOT_FOUND).
    std::optional<v1::ChannelInfo> wait_channel(
        const channels::ChannelId& id,
        const std::function<bool(const std::optional<v1::ChannelInfo>&)>& pred,
        std::chrono::seconds limit = std::chrono::seconds(30));
    // Waits until the node's watcher has applied the chain's current head.
    void wait_watcher_caught_up(std::chrono::seconds limit = std::chrono::seconds(30));

private:
    RigOptions m_options;
    std::string m_folder;
    std::string m_database;
    std::unique_ptr<trondev::Node> m_chain;
    std::unique_ptr<tron::client::TronClient> m_bridge;
    tron::TronAddress m_escrow;
    std::string m_config;
    pid_t m_pid = -1;
    int m_node_port = 0;
    int m_starts = 0;
};

// Runs a shell command line (bounded by the tools' own deadlines); its exit status (-1 if
// it did not exit normally) and its standard output.
[[nodiscard]] std::pair<int, std::string> run_command(const std::string& command);

// Funded genesis accounts (deterministic test keys from testkit's actors): alice, carol
// pay; bob and dave are paid; the escrow has TRX for bandwidth.
[[nodiscard]] std::string str(ByteView b);

}  // namespace btt::e2e
