#pragma once
// Why a balance proof is refused (DESIGN §8 "Proof outcomes"). The numbers are stored in
// PostgreSQL and sent on the wire: append only, never renumber. Checked in this order,
// first match wins. Classes say what the caller may do: malformed (never valid), refused
// (well-formed, state says no), retry (later may work), internal (our bug).

#include <cstdint>
#include <string_view>

namespace btt::channels {

enum class Reject : std::uint8_t {
    Malformed = 1,             // wrong lengths, amount not in 1..2^63-1, v not in {0,1,27,28}
    BadSignature = 2,          // no key recovers, or high-S
    UnknownChannel = 3,        // no such channel
    WrongSigner = 4,           // signer is not the channel's payer
    ChannelNotOpen = 5,        // state is not OPEN or CLOSING
    ChannelExpired = 6,        // now >= expiry
    AmountExceedsDeposit = 7,  // amount > deposit
    AmountNotIncreasing = 8,   // amount < last accepted
    IntakePaused = 9,          // operator paused intake
    Overloaded = 10,           // a bounded queue is full
    StoreUnavailable = 11,     // PostgreSQL unreachable or commit in doubt
    Internal = 12,             // our bug (details in logs only)
};

enum class RejectClass { Malformed, Refused, Retry, Internal };

[[nodiscard]] RejectClass class_of(Reject r) noexcept;
// Stable token, e.g. "amount_exceeds_deposit".
[[nodiscard]] std::string_view token_of(Reject r) noexcept;
// One sentence for people.
[[nodiscard]] std::string_view sentence_of(Reject r) noexcept;

}  // namespace btt::channels
