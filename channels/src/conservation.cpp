#include <btt/channels/conservation.h>

#include <set>
#include <utility>

namespace btt::channels {

std::string ConservationError::message() const {
    const char* what = "";
    switch (kind) {
        case Kind::ProofExceedsDeposit: what = "accepted proof exceeds the deposit"; break;
        case Kind::ChannelUnbalanced: what = "settled channel's payouts differ from its split"; break;
        case Kind::PayoutSumMismatch: what = "payout differs from the sum of its contributions"; break;
        case Kind::UnknownChannel: what = "payout names an unknown channel"; break;
        case Kind::DoubleContribution: what = "contribution appears twice"; break;
        case Kind::OpenChannelPaid: what = "an unsettled channel has payouts"; break;
        case Kind::Overflow: what = "sum overflows"; break;
        case Kind::BooksUnbalanced: what = "deposits != payouts + fees + refunds + held"; break;
    }
    return std::string("conservation violated: ") + what + (detail.empty() ? "" : " (" + detail + ")");
}

namespace {

using K = ConservationError::Kind;

struct Paid {
    Amount payee;
    Amount refund;
    bool any = false;
};

bool add(Amount& into, Amount more) {
    const auto sum = into.checked_add(more);
    if (!sum) return false;
    into = *sum;
    return true;
}

}  // namespace

Expected<std::map<std::string, Books>, ConservationError> check_conservation(
    std::span<const Channel> channels, std::span<const PlannedPayout> payouts,
    std::uint32_t fee_bps) {
    std::map<ChannelId, const Channel*> by_id;
    for (const Channel& c : channels) by_id[c.id] = &c;

    // What the payouts say each channel received, checked for sums and duplicates.
    std::map<ChannelId, Paid> paid;
    std::set<std::pair<ChannelId, PayoutRole>> seen;
    std::set<TxId> seen_refunds;
    std::map<std::string, Books> books;
    for (const PlannedPayout& p : payouts) {
        Amount sum;
        for (const Contribution& c : p.contributions) {
            if (!add(sum, c.amount)) return unexpected(ConservationError{K::Overflow, p.recipient.to_base58()});
            if (c.role == PayoutRole::UnclaimedRefund) {
                if (!c.transfer || !seen_refunds.insert(*c.transfer).second) {
                    return unexpected(ConservationError{K::DoubleContribution, "unclaimed refund"});
                }
                if (!add(books[p.token_id].unclaimed_refunds, c.amount)) {
                    return unexpected(ConservationError{K::Overflow, p.token_id});
                }
                continue;
            }
            if (!c.channel || by_id.count(*c.channel) == 0) {
                return unexpected(ConservationError{K::UnknownChannel, c.channel ? c.channel->to_hex() : ""});
            }
            if (!seen.insert({*c.channel, c.role}).second) {
                return unexpected(ConservationError{K::DoubleContribution, c.channel->to_hex()});
            }
            const Channel& ch = *by_id[*c.channel];
            const auto& expected_recipient = c.role == PayoutRole::PayeeShare ? ch.payee : ch.payer;
            if (expected_recipient != p.recipient || ch.token_id != p.token_id) {
                return unexpected(ConservationError{K::ChannelUnbalanced, c.channel->to_hex()});
            }
            Paid& pd = paid[*c.channel];
            pd.any = true;
            (c.role == PayoutRole::PayeeShare ? pd.payee : pd.refund) = c.amount;
        }
        if (sum != p.amount) {
            return unexpected(ConservationError{K::PayoutSumMismatch, p.recipient.to_base58()});
        }
    }

    for (const Channel& c : channels) {
        Books& b = books[c.token_id];
        const std::string id = c.id.to_hex();
        if (c.accepted > c.deposit) return unexpected(ConservationError{K::ProofExceedsDeposit, id});
        if (!add(b.deposits, c.deposit)) return unexpected(ConservationError{K::Overflow, id});
        const auto it = paid.find(c.id);
        const bool has_payouts = it != paid.end() && it->second.any;
        const bool settled = c.state == ChannelState::Settling || c.state == ChannelState::Closed;
        if (!settled && has_payouts) return unexpected(ConservationError{K::OpenChannelPaid, id});
        const auto split = split_channel(c, fee_bps);
        if (!split) return unexpected(ConservationError{K::ProofExceedsDeposit, id});
        const bool nothing_to_pay = split->payee_amount.is_zero() && split->refund.is_zero();
        if (!settled || (c.state == ChannelState::Settling && !has_payouts && !nothing_to_pay)) {
            if (!add(b.held, c.deposit)) return unexpected(ConservationError{K::Overflow, id});
            continue;
        }
        const Paid got = has_payouts ? it->second : Paid{};
        if (got.payee != split->payee_amount || got.refund != split->refund) {
            return unexpected(ConservationError{K::ChannelUnbalanced, id});
        }
        if (!add(b.payee_payouts, got.payee) || !add(b.refunds, got.refund) || !add(b.fees, split->fee)) {
            return unexpected(ConservationError{K::Overflow, id});
        }
    }

    // The identity itself, from the totals alone.
    for (const auto& [token, b] : books) {
        Amount out;
        if (!add(out, b.payee_payouts) || !add(out, b.fees) || !add(out, b.refunds) || !add(out, b.held)) {
            return unexpected(ConservationError{K::Overflow, token});
        }
        if (out != b.deposits) return unexpected(ConservationError{K::BooksUnbalanced, token});
    }
    return books;
}

}  // namespace btt::channels
