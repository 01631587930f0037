#include <btt/channels/conservation.h>

#include <set>
#include <utility>

namespace btt::channels {

const char* kind_token(ConservationError::Kind k) noexcept {
    using K = ConservationError::Kind;
    switch (k) {
        case K::ProofExceedsDeposit:
            return "proof_exceeds_deposit";
        case K::SplitMismatch:
            return "split_mismatch";
        case K::FeeMismatch:
            return "fee_mismatch";
        case K::PayoutSumMismatch:
            return "payout_sum_mismatch";
        case K::UnknownChannel:
            return "unknown_channel";
        case K::UnknownTransfer:
            return "unknown_transfer";
        case K::DoubleContribution:
            return "double_contribution";
        case K::ContributionMismatch:
            return "contribution_mismatch";
        case K::WrongRecipient:
            return "wrong_recipient";
        case K::OpenChannelPaid:
            return "open_channel_paid";
        case K::Overflow:
            return "overflow";
        case K::BooksUnbalanced:
            return "books_unbalanced";
    }
    return "unknown";
}

std::string ConservationError::message() const {
    const char* what = "";
    switch (kind) {
        case Kind::ProofExceedsDeposit:
            what = "accepted proof exceeds the deposit";
            break;
        case Kind::SplitMismatch:
            what = "stored split does not add up to the channel";
            break;
        case Kind::FeeMismatch:
            what = "stored fee is not floor(accepted * fee_bps / 10000)";
            break;
        case Kind::PayoutSumMismatch:
            what = "payout differs from the sum of its contributions";
            break;
        case Kind::UnknownChannel:
            what = "names a channel with no stored channel or settlement";
            break;
        case Kind::UnknownTransfer:
            what = "refund names an unknown unclaimed transfer";
            break;
        case Kind::DoubleContribution:
            what = "paid or stored twice";
            break;
        case Kind::ContributionMismatch:
            what = "contribution differs from its stored source";
            break;
        case Kind::WrongRecipient:
            what = "contribution paid to the wrong recipient";
            break;
        case Kind::OpenChannelPaid:
            what = "an OPEN or CLOSING channel has a settlement";
            break;
        case Kind::Overflow:
            what = "sum overflows";
            break;
        case Kind::BooksUnbalanced:
            what = "deposits != payee payouts + fees + refunds + held";
            break;
    }
    return std::string("conservation violated: ") + what +
           (detail.empty() ? "" : " (" + detail + ")");
}

std::string Total::to_string() const {
    __extension__ typedef unsigned __int128 Magnitude;
    const bool negative = m_value < 0;
    Magnitude v = negative ? static_cast<Magnitude>(-(m_value + 1)) + 1 : static_cast<Magnitude>(m_value);
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    } while (v != 0);
    return negative ? "-" + digits : digits;
}

std::optional<Total> Total::from_decimal(std::string_view digits) {
    if (digits.empty() || digits.size() > 39)
        return std::nullopt;
    __extension__ typedef unsigned __int128 Magnitude;
    __extension__ typedef __int128 Signed;
    constexpr Magnitude kMax = (static_cast<Magnitude>(1) << 127) - 1;
    Magnitude v = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const auto d = static_cast<Magnitude>(c - '0');
        if (v > (kMax - d) / 10)
            return std::nullopt;
        v = v * 10 + d;
    }
    Total t;
    t.m_value = static_cast<Signed>(v);
    return t;
}

namespace {

using K = ConservationError::Kind;

// 128 bits so that accepted * fee_bps (< 2^63 * 2^14) cannot wrap.
__extension__ typedef unsigned __int128 Wide;

Unexpected<ConservationError> fail(K kind, std::string detail) {
    return unexpected(ConservationError{kind, std::move(detail)});
}

std::string num(Amount a) {
    return std::to_string(a.value());
}

std::string num(const Total& t) {
    return t.to_string();
}

std::string channel_ref(const ChannelId& id) {
    return "channel " + id.to_hex();
}
std::string transfer_ref(const TxId& id) {
    return "transfer " + id.to_hex();
}
std::string payout_ref(const StoredPayout& p) {
    return "payout " + std::to_string(p.id);
}
std::string token_ref(const std::string& token) {
    return "token " + token;
}

const char* role_name(PayoutRole r) {
    switch (r) {
        case PayoutRole::PayeeShare:
            return "payee share";
        case PayoutRole::PayerRefund:
            return "payer refund";
        case PayoutRole::UnclaimedRefund:
            return "unclaimed refund";
    }
    return "?";
}

// fee = floor(accepted * bps / 10000), stated as the bracket that defines a floor rather
// than computed: fee * 10000 <= accepted * bps < (fee + 1) * 10000. The planner computes
// the floor by splitting accepted into quotient and remainder; this never divides.
bool fee_is_floor(const StoredSettlement& s) {
    if (s.fee_bps > 10'000)
        return false;
    const Wide product = static_cast<Wide>(s.accepted.value()) * s.fee_bps;
    const Wide low = static_cast<Wide>(s.fee.value()) * 10'000U;
    return low <= product && product < low + 10'000U;
}

}  // namespace

Expected<std::map<std::string, Books>, ConservationError> check_conservation(
    std::span<const LedgerChannel> channels, std::span<const StoredSettlement> settlements,
    std::span<const StoredPayout> payouts, std::span<const StoredUnclaimed> unclaimed) {
    std::map<std::string, Books> books;

    // Channels: each proof within its deposit; deposits totalled from the channels alone.
    std::map<ChannelId, const LedgerChannel*> channel_by_id;
    for (const LedgerChannel& c : channels) {
        if (!channel_by_id.emplace(c.id, &c).second) {
            return fail(K::DoubleContribution, channel_ref(c.id) + " stored twice");
        }
        if (c.accepted > c.deposit) {
            return fail(K::ProofExceedsDeposit, channel_ref(c.id) + ": accepted " +
                                                    num(c.accepted) + " > deposit " +
                                                    num(c.deposit));
        }
        books[c.token_id].deposits.add(c.deposit);
    }

    // Settlements: one per SETTLING or CLOSED channel at most, each split adding up to its
    // channel; fees totalled from the settlements alone.
    std::map<ChannelId, const StoredSettlement*> settlement_of;
    for (const StoredSettlement& s : settlements) {
        const std::string ref = channel_ref(s.channel);
        const auto it = channel_by_id.find(s.channel);
        if (it == channel_by_id.end())
            return fail(K::UnknownChannel, ref + " has a settlement");
        const LedgerChannel& c = *it->second;
        if (c.state != ChannelState::Settling && c.state != ChannelState::Closed) {
            return fail(K::OpenChannelPaid, ref + " is " + state_name(c.state));
        }
        if (!settlement_of.emplace(s.channel, &s).second)
            return fail(K::DoubleContribution, ref + " settled twice");
        if (s.accepted != c.accepted) {
            return fail(K::SplitMismatch, ref + ": settled accepted " + num(s.accepted) +
                                              " != channel accepted " + num(c.accepted));
        }
        const auto paid = s.payee_amount.checked_add(s.fee);
        if (!paid)
            return fail(K::Overflow, ref + ": payee_amount + fee");
        if (*paid != s.accepted) {
            return fail(K::SplitMismatch, ref + ": payee_amount " + num(s.payee_amount) +
                                              " + fee " + num(s.fee) + " != accepted " +
                                              num(s.accepted));
        }
        const auto whole = paid->checked_add(s.refund);
        if (!whole)
            return fail(K::Overflow, ref + ": payee_amount + fee + refund");
        if (*whole != c.deposit) {
            return fail(K::SplitMismatch, ref + ": accepted " + num(s.accepted) + " + refund " +
                                              num(s.refund) + " != deposit " + num(c.deposit));
        }
        if (!fee_is_floor(s)) {
            return fail(K::FeeMismatch, ref + ": fee " + num(s.fee) + " at " +
                                            std::to_string(s.fee_bps) + " bps of " +
                                            num(s.accepted));
        }
        books[c.token_id].fees.add(s.fee);
    }

    // Unclaimed transfers: totalled apart from the deposits.
    std::map<TxId, const StoredUnclaimed*> transfer_by_id;
    std::map<std::string, Total> planned_unclaimed;
    for (const StoredUnclaimed& u : unclaimed) {
        const std::string ref = transfer_ref(u.transfer);
        if (!transfer_by_id.emplace(u.transfer, &u).second)
            return fail(K::DoubleContribution, ref + " stored twice");
        books[u.token_id].unclaimed.add(u.amount);
        if (u.refund_planned)
            planned_unclaimed[u.token_id].add(u.amount);
    }

    // Payouts: each contribution traced to its stored source, then the payout's sum; payee
    // payouts, payer refunds and unclaimed refunds totalled from the contributions alone.
    std::set<std::uint64_t> payout_ids;
    std::set<std::pair<ChannelId, PayoutRole>> channel_paid;
    std::set<TxId> transfer_paid;
    for (const StoredPayout& p : payouts) {
        const std::string pref = payout_ref(p);
        if (!payout_ids.insert(p.id).second)
            return fail(K::DoubleContribution, pref + " stored twice");
        Total sum;
        for (const StoredContribution& c : p.contributions) {
            switch (c.role) {
                case PayoutRole::PayeeShare:
                case PayoutRole::PayerRefund: {
                    const bool is_payee = c.role == PayoutRole::PayeeShare;
                    if (!c.channel || c.transfer) {
                        return fail(K::UnknownChannel,
                                    pref + ": " + role_name(c.role) + " names no channel");
                    }
                    const std::string ref = channel_ref(*c.channel);
                    const auto s = settlement_of.find(*c.channel);
                    if (s == settlement_of.end()) {
                        return fail(K::UnknownChannel,
                                    pref + ": " + ref + " has no stored settlement");
                    }
                    if (!channel_paid.insert({*c.channel, c.role}).second) {
                        return fail(K::DoubleContribution,
                                    pref + ": " + ref + " " + role_name(c.role) + " paid twice");
                    }
                    const LedgerChannel& ch = *channel_by_id.at(*c.channel);
                    if (p.recipient != (is_payee ? ch.payee : ch.payer)) {
                        return fail(K::WrongRecipient, pref + ": " + ref + " " + role_name(c.role) +
                                                           " to " + p.recipient.to_base58());
                    }
                    if (p.token_id != ch.token_id) {
                        return fail(K::ContributionMismatch, pref + ": " + ref + " in " +
                                                                 token_ref(p.token_id) +
                                                                 ", channel in " + ch.token_id);
                    }
                    const Amount owed = is_payee ? s->second->payee_amount : s->second->refund;
                    if (c.amount != owed) {
                        return fail(K::ContributionMismatch,
                                    pref + ": " + ref + " " + role_name(c.role) + " " +
                                        num(c.amount) + ", settled " + num(owed));
                    }
                    Books& b = books[ch.token_id];
                    (is_payee ? b.payee_payouts : b.refunds).add(c.amount);
                    break;
                }
                case PayoutRole::UnclaimedRefund: {
                    if (!c.transfer || c.channel)
                        return fail(K::UnknownTransfer, pref + ": refund names no transfer");
                    const std::string ref = transfer_ref(*c.transfer);
                    const auto u = transfer_by_id.find(*c.transfer);
                    if (u == transfer_by_id.end())
                        return fail(K::UnknownTransfer, pref + ": " + ref);
                    if (!transfer_paid.insert(*c.transfer).second) {
                        return fail(K::DoubleContribution, pref + ": " + ref + " refunded twice");
                    }
                    const StoredUnclaimed& t = *u->second;
                    if (p.recipient != t.sender) {
                        return fail(K::WrongRecipient,
                                    pref + ": " + ref + " refunded to " + p.recipient.to_base58());
                    }
                    if (p.token_id != t.token_id) {
                        return fail(K::ContributionMismatch, pref + ": " + ref + " in " +
                                                                 token_ref(p.token_id) +
                                                                 ", received in " + t.token_id);
                    }
                    if (c.amount != t.amount) {
                        return fail(K::ContributionMismatch, pref + ": " + ref + " refund " +
                                                                 num(c.amount) + ", received " +
                                                                 num(t.amount));
                    }
                    if (!t.refund_planned) {
                        return fail(K::ContributionMismatch,
                                    pref + ": " + ref + " is not marked refund_planned");
                    }
                    books[t.token_id].unclaimed_refunds.add(c.amount);
                    break;
                }
            }
            sum.add(c.amount);
        }
        if (!(sum == p.amount)) {
            return fail(K::PayoutSumMismatch,
                        pref + ": amount " + num(p.amount) + ", contributions " + num(sum));
        }
    }

    // Still held: deposits of channels with no settlement, from the channels alone.
    for (const LedgerChannel& c : channels) {
        if (settlement_of.count(c.id) != 0)
            continue;
        books[c.token_id].held.add(c.deposit);
    }

    // The identity, from the totals alone: a settled channel whose payout was never stored
    // (or lost a contribution) passes every row check above and is caught only here.
    for (const auto& [token, b] : books) {
        const Total out = b.payee_payouts.plus(b.fees).plus(b.refunds).plus(b.held);
        if (!(out == b.deposits)) {
            return fail(K::BooksUnbalanced, token_ref(token) + ": deposits " + num(b.deposits) +
                                                " != payee payouts " + num(b.payee_payouts) +
                                                " + fees " + num(b.fees) + " + refunds " +
                                                num(b.refunds) + " + held " + num(b.held));
        }
        const auto planned = planned_unclaimed.find(token);
        const Total want = planned == planned_unclaimed.end() ? Total{} : planned->second;
        if (!(b.unclaimed_refunds == want) || b.unclaimed_refunds > b.unclaimed) {
            return fail(K::BooksUnbalanced, token_ref(token) + ": unclaimed refunds " +
                                                num(b.unclaimed_refunds) + " != planned " +
                                                num(want) + " (of " + num(b.unclaimed) +
                                                " unclaimed)");
        }
    }
    return books;
}

}  // namespace btt::channels
