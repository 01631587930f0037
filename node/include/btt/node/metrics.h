#pragma once
// The node's Prometheus metrics on HTTP /metrics (DESIGN §6; issue 12). Every series is
// named bttnode_* and exists from construction on (counters at 0), so a dashboard or alert
// never has to tell "no data" from "zero". The engine, the watcher, the settler and the rpc
// layer report into one Metrics; none of them sees prometheus-cpp (pimpl).
//
// Every recording method is thread-safe and allocation-free: series are created once in
// the constructor and their pointers cached (proof_outcome indexes an array by Reject).
// Recording never does I/O and never throws. Amounts and heights are exported as Prometheus
// values (float64): exact up to 2^53 base units, which covers any real escrow.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <btt/channels/proof.h>
#include <btt/channels/reject.h>

namespace btt::node {

class Metrics {
public:
    // Creates the registry and every series; sets bttnode_build_info{version=...} to 1.
    // Serves nothing until serve().
    explicit Metrics(std::string version);
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;
    Metrics(Metrics&&) = delete;
    Metrics& operator=(Metrics&&) = delete;

    // Starts the HTTP server for GET /metrics on `listen` (node.metrics_listen: "host:port"
    // with an IPv4 address or a host name; Debian's civetweb refuses "[v6]:port"). ""
    // means off: nothing is started and port() stays 0. Port 0 binds a free port; port()
    // then tells which.
    // Throws std::runtime_error naming the address when the server cannot listen on it
    // (in use, not a local address, malformed). Call at most once, at start-up, before
    // other threads call port(); a second call throws std::logic_error (our bug).
    // The server stops when the Metrics is destroyed (civetweb 1.15 takes about 2 s to stop
    // once it has answered a request).
    void serve(const std::string& listen);
    // The bound TCP port, or 0 when not serving.
    [[nodiscard]] int port() const;

    // --- proofs (intake, committer, rpc) ---
    // bttnode_proofs_total{outcome="accepted|duplicate|rejected", reason=<token>|"none"}:
    // `r` counts only when `o` is Rejected (reason is "none" otherwise).
    void proof_outcome(channels::Outcome o, channels::Reject r);
    // bttnode_ack_latency_seconds: proof received to result written (0.5 ms .. 1 s buckets).
    void ack_latency(double seconds);
    // One committed batch: bttnode_commit_batch_size (proofs, 1 .. 5000 buckets) and
    // bttnode_commit_latency_seconds.
    void commit(std::size_t proofs, double seconds);
    // bttnode_commit_failures_total: a batch that did not commit (retried or in doubt).
    void commit_failed();
    // bttnode_duplicate_store_reads_total: database reads made to answer duplicates that
    // no cache held (a replay flood that keeps this growing misses the caches).
    void duplicate_store_reads(std::uint64_t reads);
    // bttnode_store_up: 1 while PostgreSQL answers, 0 while it does not.
    void store_available(bool up);

    // --- channels ---
    // bttnode_open_channels: channels in OPEN or CLOSING.
    void open_channels(std::int64_t n);

    // --- chain ---
    // bttnode_chain_head_block, bttnode_chain_solid_block, bttnode_watcher_block (last
    // solidified block the watcher applied) and bttnode_solid_lag_blocks = solid - applied.
    void chain_heights(std::int64_t head, std::int64_t solid, std::int64_t applied);

    // --- reconciliation (issue 11) ---
    // bttnode_escrow_balance, bttnode_liabilities, bttnode_reconcile_deficit,
    // bttnode_reconcile_surplus, in token base units.
    void reconciled(std::int64_t balance, std::int64_t liabilities, std::int64_t deficit,
                    std::int64_t surplus);
    // bttnode_conservation_ok: 1 when the last conservation check held. Starts at 0 (not
    // checked yet).
    void conservation_ok(bool ok);
    // bttnode_payouts_blocked: 1 while settlement refuses to sign payouts (fail closed).
    void payouts_blocked(bool blocked);

    // --- payouts ---
    // bttnode_payouts{state="planned|signed|confirmed"}: payouts currently in each state.
    void payouts_by_state(std::int64_t planned, std::int64_t signed_, std::int64_t confirmed);
    // bttnode_payout_attempts_total{result="signed|confirmed|dead"}. Any other string (or
    // nullptr) is ignored: the three names are the whole set.
    void payout_attempt(const char* result);

    // --- rpc / intake ---
    // bttnode_active_streams: += delta (+1 when a StreamProofs call starts, -1 when it ends).
    void active_streams(int delta);
    // bttnode_intake_paused: 1 while an operator has paused intake.
    void intake_paused(bool paused);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace btt::node
