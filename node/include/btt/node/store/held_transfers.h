#pragma once
// Unclaimed transfers held for the operator (DESIGN §10, migration 0009): a token other
// than channels.token_id, or under channels.min_refund. AdminService lists them and
// releases one (RefundUnclaimed) to the next settlement window's refunds. Each call is one
// transaction on a connection of its own (they are rare); errors are StoreError's.
#include <cstdint>
#include <string>
#include <vector>

#include <btt/channels/deposit.h>
#include <btt/node/store/store.h>

namespace btt::node {

struct HeldTransfer {
    channels::TxId txid;
    tron::TronAddress from;
    std::string token_id;
    channels::Amount amount;
    std::int64_t block = 0;
    std::int64_t block_time = 0;  // Unix seconds
    channels::UnclaimedReason reason = channels::UnclaimedReason::WrongToken;
};

enum class ReleaseOutcome {
    Released,  // it will be refunded in the next settlement window
    NotFound,  // no transfer to the escrow has this txid
    NotHeld,   // opened or topped up a channel, from a peer escrow, or already released
};

struct Release {
    ReleaseOutcome outcome = ReleaseOutcome::NotFound;
    std::optional<HeldTransfer> transfer;  // Released and NotHeld of an unclaimed one
};

class HeldTransfers {
public:
    static constexpr std::uint32_t kMaxPage = 1000;

    explicit HeldTransfers(std::string database_url) : m_url(std::move(database_url)) {}

    // The oldest `limit` held transfers (by block, then txid) after `after_block`.
    [[nodiscard]] StoreResult<std::vector<HeldTransfer>> list(std::uint32_t limit,
                                                              std::int64_t after_block) const;
    // Releases one: held = false, released_at = now(), in one statement, so two
    // operators releasing at once release it once.
    [[nodiscard]] StoreResult<Release> release(const channels::TxId& txid) const;

private:
    std::string m_url;
};

}  // namespace btt::node
