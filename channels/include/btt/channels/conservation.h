#pragma once
// The books must balance (DESIGN §5 "Conservation"), checked by code that did not do the
// work (as rippled's invariant checks): for every token,
//   sum of deposits = payee payouts + operator fees + payer refunds + still held,
// every proof within its deposit, every payout equal to the sum of its contributions, and
// no channel paid twice. node/ runs it after every apply and settlement plan and stops
// intake and settlement on failure (fail closed); `bttctl audit` runs it over history.
// Unclaimed refunds are not deposits: they are totalled apart.

#include <map>
#include <span>
#include <string>

#include <btt/base/expected.h>
#include <btt/channels/settlement.h>

namespace btt::channels {

struct Books {
    Amount deposits;
    Amount payee_payouts;
    Amount fees;
    Amount refunds;
    Amount held;               // OPEN, CLOSING, and SETTLING channels not yet planned
    Amount unclaimed_refunds;  // outside the equation
};

struct ConservationError {
    enum class Kind {
        ProofExceedsDeposit,  // a channel's accepted amount is above its deposit
        ChannelUnbalanced,    // a settled channel's payouts differ from its split
        PayoutSumMismatch,    // a payout's amount is not the sum of its contributions
        UnknownChannel,       // a payout names a channel that is not in the set
        DoubleContribution,   // a channel (or refund) contributes twice in the same role
        OpenChannelPaid,      // an OPEN or CLOSING channel has payouts
        Overflow,
        BooksUnbalanced,      // the per-token identity does not hold
    };
    Kind kind;
    std::string detail;  // channel id, recipient or token concerned
    [[nodiscard]] std::string message() const;
};

// Returns the books per token, or the first violation found.
[[nodiscard]] Expected<std::map<std::string, Books>, ConservationError> check_conservation(
    std::span<const Channel> channels, std::span<const PlannedPayout> payouts,
    std::uint32_t fee_bps);

}  // namespace btt::channels
