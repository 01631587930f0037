#include <btt/channels/deposit.h>

#include <btt/base/assert.h>
#include <btt/channels/memo.h>

namespace btt::channels {

const char* reason_token(UnclaimedReason r) noexcept {
    switch (r) {
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

DepositOutcome classify_topup(const IncomingTransfer& t, const Channel* c) {
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

// Everything but `held` (see classify_deposit).
DepositOutcome classify_unheld(const Rules& rules, const IncomingTransfer& t,
                               const Channel* existing) {
    BTT_ASSERT(t.to == rules.escrow, "classify_deposit: transfer is not to our escrow");
    const auto memo = parse_memo(t.memo);
    const auto* topup = memo ? std::get_if<TopUpMemo>(&*memo) : nullptr;
    BTT_ASSERT(existing == nullptr || topup == nullptr || existing->id == topup->channel,
               "classify_deposit: the channel handed in is not the one the memo names");
    // A peer escrow's transfer is an operator matter (rebalancing, mistakes): refunding it
    // automatically could ping-pong between shards.
    if (rules.is_peer_escrow(t.from)) return HeldForOperator{};
    if (t.amount.is_zero()) return Unclaimed{UnclaimedReason::ZeroAmount};
    if (t.token_id != rules.token_id) return Unclaimed{UnclaimedReason::WrongToken};
    if (!memo) return Unclaimed{UnclaimedReason::BadMemo};
    if (topup != nullptr) return classify_topup(t, existing);
    return classify_open(rules, t, std::get<OpenMemo>(*memo));
}

}  // namespace

std::optional<ChannelId> topup_target(ByteView memo) {
    const auto parsed = parse_memo(memo);
    if (!parsed) return std::nullopt;
    if (const auto* topup = std::get_if<TopUpMemo>(&*parsed)) return topup->channel;
    return std::nullopt;
}

DepositOutcome classify_deposit(const Rules& rules, const IncomingTransfer& t,
                                const Channel* existing) {
    auto outcome = classify_unheld(rules, t, existing);
    if (auto* u = std::get_if<Unclaimed>(&outcome))
        u->held = t.token_id != rules.token_id || t.amount < rules.min_refund;
    return outcome;
}

}  // namespace btt::channels
