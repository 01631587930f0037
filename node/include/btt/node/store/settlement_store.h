#pragma once
// The settlement engine's rows (migration 0003): plans, payouts and their contributions,
// and the outbox of signed payout transactions. Like Store, one connection, one thread;
// each method is one transaction (see store.h for the error kinds).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <btt/channels/conservation.h>
#include <btt/channels/settlement.h>
#include <btt/node/store/store.h>

namespace btt::node {

// A payout that has no live transaction and is not confirmed: the next one to sign.
struct PayoutToSign {
    std::uint64_t payout_id = 0;
    std::uint64_t batch_id = 0;
    tron::TronAddress recipient;
    std::string token_id;
    channels::Amount amount;
    int attempts = 0;  // signed so far (all dead)
    // Its batch's planned_height (migration 0007); -1 for a batch planned before it.
    std::int64_t planned_height = -1;
};

// A signed transaction of the outbox, not yet confirmed nor dead.
struct LiveAttempt {
    channels::TxId txid;
    std::uint64_t payout_id = 0;
    channels::Amount amount;
    Bytes signed_tx;
    std::int64_t expiration_ms = 0;
    std::vector<channels::ChannelId> channels;  // whose shares or refunds it carries
};

struct StoredLedger {
    std::vector<channels::LedgerChannel> channels;
    std::vector<channels::StoredSettlement> settlements;
    std::vector<channels::StoredPayout> payouts;
    std::vector<channels::StoredUnclaimed> unclaimed;
};

// Liabilities at one solidified height H (DESIGN §5, §8 "Conservation and
// reconciliation"): every token that came in at or below H (open deposits, top-ups,
// unclaimed transfers owed back; not what peer escrows sent, which is held for the
// operator and owed to nobody), less every payout confirmed at or below H. Retained fees
// stay in: they are part of what came in and never left.
struct Liabilities {
    std::int64_t cursor = -1;              // the watcher's cursor (must be >= H to judge)
    // In 128 bits (DESIGN §10): a foreign token's amounts may sum past INT64_MAX.
    channels::Total incoming;              // deposits of the token in blocks <= H, not held
    channels::Total paid;                  // payouts confirmed in blocks <= H
    std::vector<LiveAttempt> unconfirmed;  // may be on chain at <= H: the caller checks
};

class SettlementStore {
public:
    explicit SettlementStore(const std::string& url) : m_store(url) {}

    // SETTLING channels with no settlement yet, and unclaimed transfers with no refund.
    [[nodiscard]] StoreResult<std::vector<channels::Channel>> settling_unplanned();
    [[nodiscard]] StoreResult<std::vector<channels::UnclaimedRefund>> unclaimed_unplanned();

    // Stores one window's plan: a settlement batch, each channel's split (as planned, with
    // the channel's deposit and accepted), the payouts (state planned) and every
    // contribution, in one transaction. Returns the batch id.
    [[nodiscard]] StoreResult<std::uint64_t> store_plan(
        const channels::SettlementPlan& plan, const std::vector<channels::Channel>& channels,
        std::uint32_t fee_bps);

    // Everything the conservation check reads, as stored.
    [[nodiscard]] StoreResult<StoredLedger> ledger();

    [[nodiscard]] StoreResult<std::vector<PayoutToSign>> payouts_to_sign();
    // The outbox write: the signed bytes and txid are stored (live) and the payout marked
    // signed, before any broadcast. Refused if the payout already has a live attempt.
    [[nodiscard]] StoreResult<void> store_attempt(const PayoutToSign& payout,
                                                  const channels::TxId& txid,
                                                  const Bytes& signed_tx,
                                                  std::int64_t expiration_ms,
                                                  std::int64_t ref_block);
    [[nodiscard]] StoreResult<std::vector<LiveAttempt>> live_attempts();
    // Included on the solidified chain at `block`: the attempt and its payout are confirmed.
    [[nodiscard]] StoreResult<void> confirm_attempt(const channels::TxId& txid, std::int64_t block);
    // Provably dead (reference §5.7): kept in the history; its payout may be signed again.
    [[nodiscard]] StoreResult<void> kill_attempt(const channels::TxId& txid);
    // SETTLING channels that have a settlement and whose payouts are all confirmed: due
    // to become CLOSED. Only reads: intake writes the move (one writer of channels.state).
    [[nodiscard]] StoreResult<std::vector<channels::ChannelId>> paid_settling_channels();

    // For metrics: OPEN and CLOSING channels, payouts by state.
    struct Counts {
        std::int64_t open_channels = 0, planned = 0, signed_ = 0, confirmed = 0;
    };
    [[nodiscard]] StoreResult<Counts> counts();

    [[nodiscard]] StoreResult<Liabilities> liabilities(std::int64_t height,
                                                       const std::string& token_id);

private:
    template <typename F>
    auto run(F&& body) {
        return m_store.run_unit(std::forward<F>(body));
    }
    Store m_store;
};

}  // namespace btt::node
