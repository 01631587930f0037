#include <btt/channels/deposit.h>

#include <btt/channels/memo.h>

namespace btt::channels {

const char* reason_token(UnclaimedReason r) noexcept {
    switch (r) {
        case UnclaimedReason::NotToEscrow: return "not_to_escrow";
        case UnclaimedReason::ZeroAmount: return "zero_amount";
        case UnclaimedReason::WrongToken: return "wrong_token";
        case UnclaimedReason::BadMemo: return "bad_memo";
        case UnclaimedReason::PayeeIsEscrow: return "payee_is_escrow";
        case UnclaimedReason::BelowMinimumDeposit: return "below_minimum_deposit";
        case UnclaimedReason::ExpiryOutOfRange: return "expiry_out_of_range";
        case UnclaimedReason::UnknownChannel: return "unknown_channel";
        case UnclaimedReason::TopUpNotFromPayer: return "topup_not_from_payer";
        case UnclaimedReason::ChannelNotOpen: return "channel_not_open";
        case UnclaimedReason::DepositOverflow: return "deposit_overflow";
    }
    return "unknown";
}

const char* state_name(ChannelState s) noexcept {
    switch (s) {
        case ChannelState::Open: return "OPEN";
        case ChannelState::Closing: return "CLOSING";
        case ChannelState::Settling: return "SETTLING";
        case ChannelState::Closed: return "CLOSED";
    }
    return "UNKNOWN";
}

namespace {

DepositOutcome classify_open(const Rules& rules, const IncomingTransfer& t, const OpenMemo& memo) {
    if (memo.payee == rules.escrow || rules.is_peer_escrow(memo.payee)) {
        return Unclaimed{UnclaimedReason::PayeeIsEscrow};
    }
    if (t.amount < rules.min_deposit) return Unclaimed{UnclaimedReason::BelowMinimumDeposit};
    const UnixSeconds earliest = t.block_time.plus(rules.min_expiry_horizon);
    const UnixSeconds latest = t.block_time.plus(rules.max_expiry_horizon);
    if (memo.expiry < earliest || memo.expiry > latest) {
        return Unclaimed{UnclaimedReason::ExpiryOutOfRange};
    }
    Channel c;
    c.id = channel_id_of(t.txid);
    c.payer = t.from;
    c.payee = memo.payee;
    c.token_id = t.token_id;
    c.deposit = t.amount;
    c.opened_at = t.block_time;
    c.expiry = memo.expiry;
    return OpenChannel{c};
}

DepositOutcome classify_topup(const IncomingTransfer& t, const TopUpMemo& memo,
                              const ChannelLookup& lookup) {
    const Channel* c = lookup ? lookup(memo.channel) : nullptr;
    if (c == nullptr) return Unclaimed{UnclaimedReason::UnknownChannel};
    if (t.from != c->payer) return Unclaimed{UnclaimedReason::TopUpNotFromPayer};
    // An expired channel is about to settle: money added now would only be refunded.
    if (c->state != ChannelState::Open || t.block_time >= c->expiry) {
        return Unclaimed{UnclaimedReason::ChannelNotOpen};
    }
    if (c->token_id != t.token_id) return Unclaimed{UnclaimedReason::WrongToken};
    const auto sum = c->deposit.checked_add(t.amount);
    if (!sum) return Unclaimed{UnclaimedReason::DepositOverflow};
    return TopUp{c->id, t.amount, *sum};
}

}  // namespace

DepositOutcome classify_deposit(const Rules& rules, const IncomingTransfer& t,
                                const ChannelLookup& lookup) {
    if (t.to != rules.escrow) return Unclaimed{UnclaimedReason::NotToEscrow};
    // A peer escrow's transfer is an operator matter (rebalancing, mistakes): refunding it
    // automatically could ping-pong between shards.
    if (rules.is_peer_escrow(t.from)) return HeldForOperator{};
    if (t.amount.is_zero()) return Unclaimed{UnclaimedReason::ZeroAmount};
    if (t.token_id != rules.token_id) return Unclaimed{UnclaimedReason::WrongToken};
    const auto memo = parse_memo(t.memo);
    if (!memo) return Unclaimed{UnclaimedReason::BadMemo};
    if (const auto* open = std::get_if<OpenMemo>(&*memo)) return classify_open(rules, t, *open);
    return classify_topup(t, std::get<TopUpMemo>(*memo), lookup);
}

}  // namespace btt::channels
