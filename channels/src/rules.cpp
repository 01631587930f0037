#include <btt/channels/rules.h>

#include <algorithm>

namespace btt::channels {

Expected<void, std::string> Rules::validate() const {
    if (token_id.empty() || token_id.size() > 19 ||
        !std::all_of(token_id.begin(), token_id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return unexpected(std::string("token_id must be a TRC-10 token id (decimal digits)"));
    }
    if (fee_bps > 10'000) return unexpected(std::string("fee_bps must be at most 10000"));
    if (min_expiry_horizon.count() < 0 || max_expiry_horizon < min_expiry_horizon) {
        return unexpected(std::string("expiry horizon must satisfy 0 <= min <= max"));
    }
    if (settle_delay.count() < 0 || expiry_grace.count() < 0 || settlement_window.count() <= 0) {
        return unexpected(std::string("settle_delay and expiry_grace must be >= 0, settlement_window > 0"));
    }
    if (is_peer_escrow(escrow)) return unexpected(std::string("escrow is listed among peer_escrows"));
    return {};
}

bool Rules::is_peer_escrow(const tron::TronAddress& a) const {
    return std::find(peer_escrows.begin(), peer_escrows.end(), a) != peer_escrows.end();
}

}  // namespace btt::channels
