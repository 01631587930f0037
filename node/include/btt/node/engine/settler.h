#pragma once
// The settlement engine (issue 11). Every settlement window it moves due channels
// (through intake, so the moves commit in order with the proofs), plans every SETTLING
// channel and every unclaimed transfer with channels/ (netted per recipient and token),
// stores the plan, and checks conservation over what is stored. Every poll it signs the
// payouts that have no live transaction (the outbox: signed bytes and txid are stored
// before the first broadcast), broadcasts the live ones (the same bytes, again and again,
// until the solidified chain settles their fate), confirms included ones and kills
// provably dead ones (reference §5.7) so that they are signed anew, and closes channels
// whose payouts are all confirmed.
//
// It stops signing (fails closed) while the conservation check fails, while the last
// reconciliation shows a deficit, and while the escrow lacks the tokens or TRX to pay;
// each resumes by itself once cleared. Intake is never stopped by it.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <btt/channels/rules.h>
#include <btt/node/engine/events.h>
#include <btt/node/metrics.h>
#include <btt/node/engine/reconcile.h>
#include <btt/node/store/settlement_store.h>
#include <btt/tron/keys.h>

namespace btt::tron::client {
class TronClient;
}

namespace btt::node {

class Intake;

struct SettlerOptions {
    std::string database_url;
    channels::Rules rules;
    std::chrono::seconds payout_expiration{60};
    std::chrono::milliseconds poll{1000};
    bool payout_memo = false;
    // Resend the same bytes of a live payout at most this often.
    std::chrono::milliseconds rebroadcast{3000};
    EventBus* events = nullptr;  // payout_broadcast, payout_confirmed, closed (optional)
    Metrics* metrics = nullptr;  // optional
};

// What operators see (metrics, logs, AdminService.RetryPayout).
//
// Fail closed (DESIGN §10): a payout is signed only after this process has itself judged,
// since it started, both the conservation check and a reconciliation at a solidified
// height at or above the payout's planning height, and both held. Not yet judged is
// stopped, at every start.
struct SettlerStatus {
    std::atomic<bool> books_judged{false};    // a conservation check ran in this process
    std::atomic<bool> conservation_ok{false};
    std::atomic<bool> reserves_judged{false};  // a reconciliation judged in this process
    std::atomic<bool> reconciled_ok{false};
    // The solidified height of the last reconciliation that held in this process (-1:
    // none): payouts planned above it wait for the next one.
    std::atomic<std::int64_t> reconciled_height{-1};
    std::atomic<bool> funded{true};
    std::atomic<std::int64_t> deficit{0};
    std::atomic<std::int64_t> surplus{0};
    std::atomic<std::uint64_t> payouts_confirmed{0};
    std::atomic<std::uint64_t> attempts_signed{0};

    // Why payouts are held right now, for people; empty when nothing holds them.
    [[nodiscard]] std::string held_because() const;
};

class Settler {
public:
    Settler(SettlerOptions options, tron::client::TronClient& chain, Intake& intake,
            tron::PrivateKey escrow_key);
    ~Settler();
    Settler(const Settler&) = delete;
    Settler& operator=(const Settler&) = delete;

    void start();
    void stop();
    [[nodiscard]] const SettlerStatus& status() const { return m_status; }
    // An operator's RetryPayout: run a poll now, resending every live attempt's same bytes
    // without waiting for the rebroadcast interval, and signing what is due. Never signs
    // anything the engine would not sign on its own.
    void retry_now();

private:
    void loop();
    void window();
    void plan();
    void check_books();
    void check_reserves();
    void sign_due();
    void drive_live();
    void close_paid();
    void publish(const LiveAttempt& attempt, const char* kind);
    void note(const std::string& problem);
    void report();
    bool wait(std::chrono::milliseconds d);

    SettlerOptions m_options;
    tron::client::TronClient& m_chain;
    Intake& m_intake;
    tron::PrivateKey m_key;
    std::unique_ptr<SettlementStore> m_store;
    SettlerStatus m_status;
    std::map<channels::TxId, std::chrono::steady_clock::time_point> m_last_broadcast;
    std::string m_books_error, m_fund_error, m_last_problem;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_retry = false;  // under m_mutex
    std::thread m_thread;
};

// Test hook for crash tests: when the environment variable BTT_TEST_CRASH_AT names this
// step, the process aborts here (as kill -9 would, but at an exact point). Only in a
// build with -DBTT_TEST_HOOKS=ON (tools/test); elsewhere it does nothing.
void crash_point(const char* step);

}  // namespace btt::node
