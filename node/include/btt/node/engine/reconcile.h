#pragma once
// Escrow reconciliation (DESIGN §5, §8; issue 11): the escrow's balance of the token on the
// solidified chain against the node's liabilities, both taken at one solidified height H.
// A payout already on the solidified chain at or below H but not yet marked confirmed
// counts as paid (it must not read as a deficit). Anyone can send the escrow tokens, so a
// surplus is reported apart and is no alarm; a deficit stops payouts.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <btt/base/expected.h>
#include <btt/node/store/settlement_store.h>
#include <btt/tron/address.h>

namespace btt::tron::client {
class TronClient;
}

namespace btt::node {

struct Reconciliation {
    std::int64_t height = 0;
    std::int64_t balance = 0;
    std::int64_t liabilities = 0;
    std::int64_t deficit = 0;
    std::int64_t surplus = 0;
    // The amounts above are computed in 128 bits and clamped into int64 (the API's type);
    // whether there is a deficit is decided before clamping.
    bool in_deficit = false;
    [[nodiscard]] bool ok() const { return !in_deficit && deficit == 0; }
};

struct ReconcileError {
    enum class Kind { Store, Chain, WatcherBehind };
    Kind kind;
    std::string message;
};

// How long reconcile() may wait for the node's watcher. A healthy watcher trails a moving
// solidified head by a block or so (it applies what it finds at each poll, and the head
// moves every block interval), so a single look usually finds it one block short; within
// the bound, reconcile() looks again every `step` until the watcher has applied the head it
// reads the balance at.
struct ReconcileWait {
    std::chrono::milliseconds within{0};  // 0: one look
    std::chrono::milliseconds step{100};
    std::function<bool()> stop;  // optional: true ends the wait at once (shutdown)
};

// Reads the solid head, the escrow's solidified balance and the solid head again (retried
// until both heads agree, so the balance is the one at H), then the liabilities at H.
// WatcherBehind when the watcher has not applied H by the end of the wait (the deposits up
// to H are unknown); its message names both blocks. Chain and store errors end it at once.
[[nodiscard]] Expected<Reconciliation, ReconcileError> reconcile(SettlementStore& store,
                                                                 tron::client::TronClient& chain,
                                                                 const tron::TronAddress& escrow,
                                                                 const std::string& token_id,
                                                                 const ReconcileWait& wait = {});

}  // namespace btt::node
