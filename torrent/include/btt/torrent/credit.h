#pragma once
// Who gets served and who gets paid, per piece: the seeder's credit per connection and the
// payer's account per channel. Pure: no I/O, no clock, no libtorrent.
//
// Seeder (SeederCredit, one per peer connection): a piece counts as served when the seeder
// first accepts a request for one of its blocks. A peer without a verified channel is
// served `free_pieces`; a peer with one is served while
//   served <= max(free_pieces, paid_pieces + credit_pieces)
// where paid_pieces = (committed - committed_at_start) / price and `committed` is what the
// node acknowledged with a receipt, not what the payer merely sent. credit_pieces >= 1: the
// payer pays only for what it received, so with no credit neither side would move.
//
// Payer (PayerAccount, one per channel): pays price per received-and-verified piece (the
// caller vouches for "verified": it calls only from libtorrent's hash-pass callback), each
// piece at most once, never more than `budget` signed in this run and never above the
// channel's deposit. Free pieces are paid too once the channel is announced: the seeder's
// free pieces are a trial, and paying for them keeps "paid = pieces served x price".
// Whether to accept an offer at all (price, token, escrow) is judge_offer's.

#include <cstdint>
#include <set>
#include <string>

#include <btt/torrent/pay_message.h>

namespace btt::torrent {

struct SeederTerms {
    std::uint64_t price = 1;  // base units per piece, >= 1
    std::uint32_t free_pieces = 0;
    std::uint32_t credit_pieces = 1;  // >= 1
};

enum class RequestVerdict {
    Serve,   // a piece already counted, or a new one within the allowance
    Refuse,  // a new piece past the allowance: drop the request
};

class SeederCredit {
public:
    explicit SeederCredit(SeederTerms terms) : m_terms(terms) {}

    // A request for a block of `piece`. Counts the piece as served when it is new and fits.
    [[nodiscard]] RequestVerdict on_request(std::uint32_t piece);
    // The node confirmed the peer's channel (payee is us, OPEN); `accepted_at_start` is the
    // channel's cumulative amount before this connection paid anything.
    void grant_channel(const channels::ChannelId& channel, std::uint64_t accepted_at_start);
    // A receipt for `amount` (cumulative). Returns true when it raised the allowance.
    bool commit(std::uint64_t amount);

    [[nodiscard]] bool has_channel() const { return m_has_channel; }
    [[nodiscard]] const channels::ChannelId& channel() const { return m_channel; }
    [[nodiscard]] std::uint64_t served() const { return m_served.size(); }
    [[nodiscard]] std::uint64_t committed() const { return m_committed; }
    [[nodiscard]] std::uint64_t paid_pieces() const;
    // How many pieces this connection may be served in all, now.
    [[nodiscard]] std::uint64_t allowance() const;

private:
    SeederTerms m_terms;
    std::set<std::uint32_t> m_served;
    bool m_has_channel = false;
    channels::ChannelId m_channel;
    std::uint64_t m_start = 0;
    std::uint64_t m_committed = 0;
};

struct PayerTerms {
    std::uint64_t max_price = 0;  // refuse offers above it
    std::uint64_t budget = 0;     // at most this much signed in one run
    std::string token_id;         // the node's token
    tron::TronAddress escrow;     // the node's escrow
};

enum class OfferVerdict {
    Accept,
    PriceTooHigh,   // price > max_price
    WrongToken,     // not the token our node settles
    WrongEscrow,    // settles with another node than ours
    BudgetTooSmall  // not even one piece fits the budget
};

[[nodiscard]] std::string_view to_token(OfferVerdict v);
[[nodiscard]] OfferVerdict judge_offer(const Offer& offer, const PayerTerms& terms);

enum class PayOutcome {
    Paid,         // sign `amount`
    AlreadyPaid,  // this piece was paid before
    OverBudget,   // one more piece would pass the budget
    OverDeposit,  // one more piece would pass the deposit
};

struct PayStep {
    PayOutcome outcome;
    std::uint64_t amount = 0;  // the new cumulative amount when Paid
};

class PayerAccount {
public:
    // `accepted` is the channel's cumulative amount already committed (0 for a new one).
    PayerAccount(std::uint64_t price, std::uint64_t budget, std::uint64_t deposit,
                 std::uint64_t accepted)
        : m_price(price),
          m_budget(budget),
          m_deposit(deposit),
          m_start(accepted),
          m_signed(accepted) {}

    [[nodiscard]] PayStep pay_for_piece(std::uint32_t piece);
    [[nodiscard]] std::uint64_t signed_total() const { return m_signed; }     // cumulative
    [[nodiscard]] std::uint64_t spent() const { return m_signed - m_start; }  // this run
    [[nodiscard]] std::uint64_t price() const { return m_price; }
    [[nodiscard]] std::uint64_t pieces_paid() const { return m_paid.size(); }

private:
    std::uint64_t m_price;
    std::uint64_t m_budget;
    std::uint64_t m_deposit;
    std::uint64_t m_start;
    std::uint64_t m_signed;
    std::set<std::uint32_t> m_paid;
};

}  // namespace btt::torrent
