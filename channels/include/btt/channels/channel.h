#pragma once
// A channel's state as the rules see it. node/ stores exactly these fields; channels/
// decides every change to them (proof.h, lifecycle.h, deposit.h).
//
// OPEN -> CLOSING (payer asked; settle_at = min(now + settle_delay, expiry)) -> SETTLING
// (payouts planned) -> CLOSED (payouts confirmed). Payee close, expiry and force settle go
// from OPEN or CLOSING straight to SETTLING. No state is ever re-entered.

#include <cstdint>
#include <optional>
#include <string>

#include <btt/channels/amount.h>
#include <btt/channels/ids.h>
#include <btt/tron/address.h>
#include <btt/tron/keys.h>

namespace btt::channels {

// The numbers are the wire's (DESIGN §9 ChannelState) and are stored in PostgreSQL:
// append only, never renumber.
enum class ChannelState : std::uint8_t { Open = 1, Closing = 2, Settling = 3, Closed = 4 };

// Why a channel left OPEN (stored with it; auditors read it). Numbers are stored in
// PostgreSQL and tokens are ChannelInfo.close_cause (DESIGN §9): append only, never
// renumber or rename.
enum class CloseCause : std::uint8_t {
    PayerRequest = 1,  // "payer_request"
    PayeeRequest = 2,  // "payee_request"
    Expiry = 3,        // "expiry"
    ForceSettle = 4,   // "force_settle"
};

struct Channel {
    ChannelId id;                 // the funding txid
    tron::TronAddress payer;      // the funding transfer's owner
    tron::TronAddress payee;      // from the open memo
    std::string token_id;         // the token it was funded in
    Amount deposit;               // funding + top-ups
    UnixSeconds opened_at;        // block time of the funding transfer
    UnixSeconds expiry;           // from the open memo
    ChannelState state = ChannelState::Open;
    Amount accepted;              // last accepted cumulative amount (0: none yet)
    std::optional<tron::Signature> accepted_signature;  // the payer's signature over it
    std::optional<UnixSeconds> settle_at;  // CLOSING: when settlement starts
    std::optional<CloseCause> close_cause;
};

// "OPEN", "CLOSING", "SETTLING", "CLOSED".
[[nodiscard]] const char* state_name(ChannelState s) noexcept;
// "payer_request", "payee_request", "expiry", "force_settle" (DESIGN §9 close_cause).
[[nodiscard]] const char* cause_token(CloseCause c) noexcept;

}  // namespace btt::channels
