#include <btt/channels/settlement.h>

#include <set>
#include <tuple>

namespace btt::channels {

const char* error_token(SettlementError e) noexcept {
    switch (e) {
        case SettlementError::ChannelNotSettling: return "channel_not_settling";
        case SettlementError::ProofExceedsDeposit: return "proof_exceeds_deposit";
        case SettlementError::DuplicateChannel: return "duplicate_channel";
        case SettlementError::DuplicateRefund: return "duplicate_refund";
        case SettlementError::BadFeeRate: return "bad_fee_rate";
        case SettlementError::Overflow: return "overflow";
    }
    return "unknown";
}

std::optional<Amount> fee_for(Amount amount, std::uint32_t fee_bps) {
    if (fee_bps > 10'000) return std::nullopt;
    // a = q * 10000 + r  =>  floor(a * b / 10000) = q * b + floor(r * b / 10000); no term
    // can exceed a, so nothing overflows.
    const std::int64_t a = amount.value();
    const std::int64_t b = fee_bps;
    const std::int64_t q = a / 10'000;
    const std::int64_t r = a % 10'000;
    return Amount::from_int64(q * b + (r * b) / 10'000);
}

std::optional<ChannelSettlement> split_channel(const Channel& channel, std::uint32_t fee_bps) {
    const auto refund = channel.deposit.checked_sub(channel.accepted);
    const auto fee = fee_for(channel.accepted, fee_bps);
    if (!refund || !fee) return std::nullopt;
    return ChannelSettlement{channel.id, *channel.accepted.checked_sub(*fee), *fee, *refund};
}

namespace {

using NetKey = std::tuple<tron::TronAddress, std::string>;

// Nets `c` into the recipient's payout of `token`. When the sum would pass what one
// TransferAsset can carry (INT64_MAX), the share starts another payout to the same
// recipient instead: anyone can send the escrow a self-issued token in amounts near 2^63,
// and refusing the whole plan would stop every payout (DESIGN §10).
void add_to(std::map<NetKey, std::vector<PlannedPayout>>& net, const tron::TronAddress& recipient,
            const std::string& token, Contribution c) {
    if (c.amount.is_zero()) return;
    auto& payouts = net[NetKey{recipient, token}];
    if (payouts.empty() || !payouts.back().amount.checked_add(c.amount)) {
        payouts.emplace_back();
        payouts.back().recipient = recipient;
        payouts.back().token_id = token;
    }
    PlannedPayout& p = payouts.back();
    p.amount = *p.amount.checked_add(c.amount);
    p.contributions.push_back(std::move(c));
}

}  // namespace

Expected<SettlementPlan, SettlementError> plan_settlement(std::span<const Channel> channels,
                                                          std::span<const UnclaimedRefund> refunds,
                                                          std::uint32_t fee_bps) {
    if (fee_bps > 10'000) return unexpected(SettlementError::BadFeeRate);
    SettlementPlan plan;
    std::map<NetKey, std::vector<PlannedPayout>> net;
    std::set<ChannelId> seen_channels;
    for (const Channel& c : channels) {
        if (c.state != ChannelState::Settling) return unexpected(SettlementError::ChannelNotSettling);
        if (!seen_channels.insert(c.id).second) return unexpected(SettlementError::DuplicateChannel);
        const auto split = split_channel(c, fee_bps);
        if (!split) return unexpected(SettlementError::ProofExceedsDeposit);
        plan.channels.push_back(*split);
        auto& fees = plan.fees_by_token[c.token_id];
        const auto fee_sum = fees.checked_add(split->fee);
        if (!fee_sum) return unexpected(SettlementError::Overflow);
        fees = *fee_sum;
        add_to(net, c.payee, c.token_id,
               {PayoutRole::PayeeShare, c.id, std::nullopt, split->payee_amount});
        add_to(net, c.payer, c.token_id,
               {PayoutRole::PayerRefund, c.id, std::nullopt, split->refund});
    }
    std::set<TxId> seen_refunds;
    for (const UnclaimedRefund& u : refunds) {
        if (!seen_refunds.insert(u.transfer).second) return unexpected(SettlementError::DuplicateRefund);
        add_to(net, u.to, u.token_id,
               {PayoutRole::UnclaimedRefund, std::nullopt, u.transfer, u.amount});
    }
    for (auto& [key, payouts] : net) {
        for (auto& payout : payouts) plan.payouts.push_back(std::move(payout));
    }
    return plan;
}

}  // namespace btt::channels
