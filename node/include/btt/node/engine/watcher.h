#pragma once
// The chain watcher (issue 10): follows solidified blocks from the stored cursor through
// the bridge, turns TRC-10 transfers to the escrow into channel events through channels/
// (open, top-up, held, unclaimed), and commits each block's events with the cursor in one
// transaction, so a restart neither skips nor repeats a block. Only after the commit are
// the new channels and deposits handed to intake.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <btt/channels/deposit.h>
#include <btt/channels/rules.h>
#include <btt/node/metrics.h>
#include <btt/node/store/store.h>

namespace btt::tron::client {
class TronClient;
}

namespace btt::node {

class Intake;

struct WatcherOptions {
    std::string database_url;
    channels::Rules rules;
    std::chrono::milliseconds poll{1000};
    std::int64_t start_block = -1;  // first block to scan on a fresh database; -1: solid head
    Metrics* metrics = nullptr;     // chain heights (optional)
};

class Watcher {
public:
    Watcher(WatcherOptions options, tron::client::TronClient& client, Intake& intake);
    ~Watcher();
    Watcher(const Watcher&) = delete;
    Watcher& operator=(const Watcher&) = delete;

    // Reads or initialises the cursor (throws on a store or chain failure), then follows
    // the chain on its own thread.
    void start();
    void stop();

    [[nodiscard]] bool caught_up() const { return m_caught_up.load(); }
    [[nodiscard]] std::int64_t applied_block() const { return m_applied.load(); }
    // Called after each applied block (from the watcher thread): opened and topped-up
    // channels, e.g. for WatchChannel events.
    std::function<void(const BlockChanges&)> on_block;

private:
    void loop();
    // Applies blocks after the cursor up to the solid head; false on a failure (retried
    // after the poll interval).
    bool catch_up();
    bool wait(std::chrono::milliseconds d);
    void return_freed_memory();

    WatcherOptions m_options;
    tron::client::TronClient& m_client;
    Intake& m_intake;
    std::unique_ptr<Store> m_store;
    std::atomic<bool> m_caught_up{false};
    std::atomic<std::int64_t> m_applied{-1};
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
    std::string m_last_error;
    bool m_untrimmed = false;            // transfers seen since memory was last handed back
    bool m_round_had_transfers = false;  // in the current catch_up()
    std::chrono::steady_clock::time_point m_last_trim{};
};

}  // namespace btt::node
