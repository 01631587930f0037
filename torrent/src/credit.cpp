#include <btt/torrent/credit.h>

#include <algorithm>

namespace btt::torrent {

RequestVerdict SeederCredit::on_request(std::uint32_t piece) {
    if (m_served.contains(piece))
        return RequestVerdict::Serve;
    if (m_served.size() >= allowance())
        return RequestVerdict::Refuse;
    m_served.insert(piece);
    return RequestVerdict::Serve;
}

void SeederCredit::grant_channel(const channels::ChannelId& channel,
                                 std::uint64_t accepted_at_start) {
    m_has_channel = true;
    m_channel = channel;
    m_start = accepted_at_start;
    m_committed = accepted_at_start;
}

bool SeederCredit::commit(std::uint64_t amount) {
    if (!m_has_channel || amount <= m_committed)
        return false;  // receipts of one channel only grow; an older one changes nothing
    const auto before = allowance();
    m_committed = amount;
    return allowance() > before;
}

std::uint64_t SeederCredit::paid_pieces() const {
    return m_has_channel ? (m_committed - m_start) / m_terms.price : 0;
}

std::uint64_t SeederCredit::allowance() const {
    if (!m_has_channel)
        return m_terms.free_pieces;
    const std::uint64_t credit = std::max<std::uint32_t>(m_terms.credit_pieces, 1);
    return std::max<std::uint64_t>(m_terms.free_pieces, paid_pieces() + credit);
}

std::string_view to_token(OfferVerdict v) {
    switch (v) {
        case OfferVerdict::Accept:
            return "accept";
        case OfferVerdict::PriceTooHigh:
            return "price_too_high";
        case OfferVerdict::WrongToken:
            return "wrong_token";
        case OfferVerdict::WrongEscrow:
            return "wrong_escrow";
        case OfferVerdict::BudgetTooSmall:
            return "budget_too_small";
    }
    return "unknown";
}

OfferVerdict judge_offer(const Offer& offer, const PayerTerms& terms) {
    if (offer.price > terms.max_price)
        return OfferVerdict::PriceTooHigh;
    if (offer.token_id != terms.token_id)
        return OfferVerdict::WrongToken;
    if (offer.escrow != terms.escrow)
        return OfferVerdict::WrongEscrow;
    if (offer.price > terms.budget)
        return OfferVerdict::BudgetTooSmall;
    return OfferVerdict::Accept;
}

PayStep PayerAccount::pay_for_piece(std::uint32_t piece) {
    if (m_paid.contains(piece))
        return {PayOutcome::AlreadyPaid};
    // Compared by subtraction: no sum here can wrap.
    if (m_price > m_budget - spent())
        return {PayOutcome::OverBudget};
    if (m_signed > m_deposit || m_price > m_deposit - m_signed)
        return {PayOutcome::OverDeposit};
    m_signed += m_price;
    m_paid.insert(piece);
    return {PayOutcome::Paid, m_signed};
}

}  // namespace btt::torrent
