#pragma once
// A running trondev: the chain behind java-tron's gRPC services on loopback ports —
// protocol.Wallet + protocol.Database on the full-node port, protocol.WalletSolidity +
// protocol.Database on the solidity port — and a block every block interval. Fault
// injection for reliability tests: busy (SERVER_BUSY), unavailable (gRPC UNAVAILABLE),
// added latency, accept-then-drop (SUCCESS, never included), answer lost after processing
// (gRPC INTERNAL or UNKNOWN, the transaction accepted all the same) and paused block
// production; each can change while the node runs.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <btt/trondev/chain.h>

namespace grpc {
class Server;
}

namespace btt::trondev {

struct Faults {
    std::atomic<double> busy_rate{0};         // broadcasts answered SERVER_BUSY
    std::atomic<double> unavailable_rate{0};  // any call failed with gRPC UNAVAILABLE
    std::atomic<double> drop_rate{0};         // broadcasts answered SUCCESS and discarded
    std::atomic<int> latency_ms{0};           // added to every call
    std::atomic<bool> paused{false};          // no blocks are produced
    std::atomic<bool> solidity_down{false};   // every solidity-port call fails UNAVAILABLE
    // Only the solidity port's GetAccount fails UNAVAILABLE: the escrow's solidified
    // balance cannot be read (reconciliation cannot judge) while everything else works.
    std::atomic<bool> solidity_accounts_down{false};
    // Broadcasts processed as usual (accepted ones enter the pending pool and the log), then
    // failed with gRPC INTERNAL / UNKNOWN instead of the Return: the "maybe sent" case.
    std::atomic<double> internal_after_accept_rate{0};
    std::atomic<double> unknown_after_accept_rate{0};
    // Counters tests wait on: calls that reached the fault layer (every call but
    // GetPendingSize, counted on arrival, before any latency), and faults injected so far.
    mutable std::atomic<std::int64_t> calls{0};
    mutable std::atomic<std::int64_t> injected{0};
};

struct NodeOptions {
    std::string listen = "127.0.0.1:50051";           // port 0: pick a free one
    std::string solidity_listen = "127.0.0.1:50061";
    bool produce_blocks = true;                        // false: only produce_block_now()
    // With a folder, every accepted broadcast and every block is appended (fsync'd) to
    // <data_dir>/chain.log before it is acknowledged, and replayed at start: the chain is
    // deterministic, so replaying the same inputs rebuilds the same blocks and balances.
    std::string data_dir;
};

class Node {
public:
    // Starts both servers and the block timer. Throws std::runtime_error when a port
    // cannot be bound.
    Node(Genesis genesis, NodeOptions options);
    ~Node();
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    [[nodiscard]] int wallet_port() const noexcept { return m_wallet_port; }
    [[nodiscard]] int solidity_port() const noexcept { return m_solidity_port; }
    [[nodiscard]] Faults& faults() noexcept { return m_faults; }

    void produce_block_now();
    // Runs `f` on the chain under the node's lock (tests and the storage layer use it).
    void with_chain(const std::function<void(Chain&)>& f);

    // Blocks until shutdown() is called (from a signal handler thread, say).
    void wait();
    void shutdown();

private:
    void produce_loop();
    void open_journal(const std::string& data_dir);
    void journal(const std::string& record);  // caller holds m_mutex
    void produce_locked();                     // caller holds m_mutex

    std::mutex m_mutex;
    Chain m_chain;
    Faults m_faults;
    std::unique_ptr<grpc::Server> m_wallet_server;
    std::unique_ptr<grpc::Server> m_solidity_server;
    struct Services;
    std::unique_ptr<Services> m_services;
    int m_wallet_port = 0;
    int m_solidity_port = 0;
    std::thread m_producer;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_produce = true;
    int m_journal_fd = -1;
};

}  // namespace btt::trondev
