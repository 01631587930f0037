#pragma once
// The parameters every channel rule depends on. The node builds one from its config and
// passes it in: nothing here reads config, clock or environment.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <btt/base/expected.h>
#include <btt/channels/amount.h>
#include <btt/tron/address.h>

namespace btt::channels {

struct Rules {
    std::string token_id = "1002000";  // TRC-10 token the node settles (BTT by default)
    tron::TronAddress escrow;          // the node's escrow address
    std::vector<tron::TronAddress> peer_escrows;  // other shards' escrows (DESIGN §7, §8)
    Amount min_deposit;                           // opens below this are refunded
    // Unclaimed transfers of token_id below this are held for the operator, not refunded
    // (a refund would cost the escrow more than it returns; DESIGN §10).
    Amount min_refund = *Amount::from_int64(1'000'000);
    std::chrono::seconds min_expiry_horizon{3600};         // expiry - open time, at least
    std::chrono::seconds max_expiry_horizon{90 * 86400};   // and at most
    std::chrono::seconds settle_delay{3600};               // payer close -> settlement
    std::uint32_t fee_bps = 0;                             // operator fee, basis points
    std::chrono::seconds settlement_window{60};            // payouts netted per window
    std::chrono::seconds expiry_grace{0};                  // delays settling expired channels

    // A sentence naming the first bad parameter, if any.
    [[nodiscard]] Expected<void, std::string> validate() const;
    [[nodiscard]] bool is_peer_escrow(const tron::TronAddress& a) const;
};

}  // namespace btt::channels
