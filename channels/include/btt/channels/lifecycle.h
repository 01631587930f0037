#pragma once
// How a channel leaves OPEN (DESIGN §4, §8 "Lifecycle"):
//   payer asks (signed BTT-CLOSE-V1)  OPEN -> CLOSING until min(now + settle_delay, expiry),
//                                     during which the payee may still hand in proofs;
//   payee asks (signed BTT-CLOSE-V1)  OPEN or CLOSING -> SETTLING at once;
//   expiry (+ expiry_grace)           OPEN -> SETTLING;
//   operator force settle             OPEN or CLOSING -> SETTLING;
//   CLOSING reaches settle_at         -> SETTLING;
//   all payouts confirmed             SETTLING -> CLOSED.
// Any other move is a typed error and changes nothing. No state is re-entered.
// Leaves to node/: persisting the transition, planning payouts (settlement.h), confirming
// them on chain.

#include <optional>

#include <btt/base/bytes.h>
#include <btt/base/expected.h>
#include <btt/channels/channel.h>
#include <btt/channels/rules.h>

namespace btt::channels {

enum class LifecycleError {
    BadCloseSignature,   // malformed, high-S, or no key recovers
    NotAParty,           // signed by neither payer nor payee
    AlreadyClosing,      // payer asked again while CLOSING
    AlreadySettling,     // SETTLING or CLOSED: nothing left to close
    NotSettling,         // mark_closed on a channel that is not SETTLING
};

[[nodiscard]] const char* error_token(LifecycleError e) noexcept;

enum class Party { Payer, Payee };

struct CloseRequest {
    ChannelId channel;
    Bytes signature;  // TIP-104 over BTT-CLOSE-V1 || channel id
};

// Who signed the close request (payer or payee), or BadCloseSignature (not 65 bytes,
// v not in {0,1,27,28}, high-S, nothing recovers) or NotAParty. Precondition (our bug,
// BTT_ASSERT): `channel` is the one request.channel names. No I/O, no clock.
[[nodiscard]] Expected<Party, LifecycleError> check_close(const Channel& channel,
                                                          const CloseRequest& request);

struct Transition {
    ChannelState from;
    ChannelState to;
    CloseCause cause;
    std::optional<UnixSeconds> settle_at;  // set when entering CLOSING
};

// Applies a close request by `who`. Errors leave the channel untouched.
[[nodiscard]] Expected<Transition, LifecycleError> request_close(Channel& channel, Party who,
                                                                 UnixSeconds now,
                                                                 const Rules& rules);

// Operator force settle: OPEN or CLOSING -> SETTLING.
[[nodiscard]] Expected<Transition, LifecycleError> force_settle(Channel& channel);

// What time alone does: CLOSING past settle_at, or OPEN past expiry + expiry_grace, go to
// SETTLING. Nullopt when nothing is due.
[[nodiscard]] std::optional<Transition> advance_by_time(Channel& channel, UnixSeconds now,
                                                        const Rules& rules);

// SETTLING -> CLOSED, once node/ has confirmed every payout of the channel on chain.
[[nodiscard]] Expected<Transition, LifecycleError> mark_closed(Channel& channel);

}  // namespace btt::channels
