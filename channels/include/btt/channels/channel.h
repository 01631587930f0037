#pragma once
// A channel's state as the rules see it. node/ stores exactly these fields; channels/
// decides every change to them (proof.h, lifecycle.h, deposit.h).
//
// OPEN -> CLOSING (payer asked; settle_at = min(now + settle_delay, expiry)) -> SETTLING
// (payouts planned) -> CLOSED (payouts confirmed). Payee close, expiry and force settle go
// from OPEN or CLOSING straight to SETTLING. No state is ever re-entered.

#include <optional>
#include <string>

#include <btt/channels/amount.h>
#include <btt/channels/ids.h>
#include <btt/tron/address.h>
#include <btt/tron/keys.h>

namespace btt::channels {

enum class ChannelState { Open, Closing, Settling, Closed };

// Why a channel left OPEN (stored with it; auditors read it).
enum class CloseCause { PayerRequest, PayeeRequest, Expiry, ForceSettle };

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

[[nodiscard]] const char* state_name(ChannelState s) noexcept;

}  // namespace btt::channels
