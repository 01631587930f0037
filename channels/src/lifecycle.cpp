#include <btt/channels/lifecycle.h>

#include <algorithm>

#include <btt/base/assert.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

namespace btt::channels {

const char* error_token(LifecycleError e) noexcept {
    switch (e) {
        case LifecycleError::BadCloseSignature: return "bad_close_signature";
        case LifecycleError::NotAParty: return "not_a_party";
        case LifecycleError::AlreadyClosing: return "already_closing";
        case LifecycleError::AlreadySettling: return "already_settling";
        case LifecycleError::NotSettling: return "not_settling";
    }
    return "unknown";
}

Expected<Party, LifecycleError> check_close(const Channel& channel, const CloseRequest& request) {
    BTT_ASSERT(request.channel == channel.id, "check_close: the channel is not the request's");
    if (request.signature.size() != 65) return unexpected(LifecycleError::BadCloseSignature);
    tron::Signature sig{};
    std::copy(request.signature.begin(), request.signature.end(), sig.begin());
    const auto signer = tron::recover_message_v2(tron::close_message(channel.id.bytes()), sig,
                                                 tron::SPolicy::RefuseHighS);
    if (!signer) return unexpected(LifecycleError::BadCloseSignature);
    // A payer who is also the payee settles at once: nobody is left to protect.
    if (*signer == channel.payee) return Party::Payee;
    if (*signer == channel.payer) return Party::Payer;
    return unexpected(LifecycleError::NotAParty);
}

namespace {
Transition to_settling(Channel& channel, CloseCause cause) {
    const Transition t{channel.state, ChannelState::Settling, cause, std::nullopt};
    channel.state = ChannelState::Settling;
    channel.settle_at.reset();
    channel.close_cause = cause;
    return t;
}
}  // namespace

Expected<Transition, LifecycleError> request_close(Channel& channel, Party who, UnixSeconds now,
                                                   const Rules& rules) {
    if (channel.state == ChannelState::Settling || channel.state == ChannelState::Closed) {
        return unexpected(LifecycleError::AlreadySettling);
    }
    if (who == Party::Payee) return to_settling(channel, CloseCause::PayeeRequest);
    if (channel.state == ChannelState::Closing) return unexpected(LifecycleError::AlreadyClosing);
    // The payee gets settle_delay to hand in its newest proof, but never past expiry.
    const UnixSeconds settle_at = std::min(now.plus(rules.settle_delay), channel.expiry);
    channel.state = ChannelState::Closing;
    channel.settle_at = settle_at;
    channel.close_cause = CloseCause::PayerRequest;
    return Transition{ChannelState::Open, ChannelState::Closing, CloseCause::PayerRequest, settle_at};
}

Expected<Transition, LifecycleError> force_settle(Channel& channel) {
    if (channel.state == ChannelState::Settling || channel.state == ChannelState::Closed) {
        return unexpected(LifecycleError::AlreadySettling);
    }
    return to_settling(channel, CloseCause::ForceSettle);
}

std::optional<Transition> advance_by_time(Channel& channel, UnixSeconds now, const Rules& rules) {
    if (channel.state == ChannelState::Closing && channel.settle_at && now >= *channel.settle_at) {
        return to_settling(channel, CloseCause::PayerRequest);
    }
    if (channel.state == ChannelState::Open && now >= channel.expiry.plus(rules.expiry_grace)) {
        return to_settling(channel, CloseCause::Expiry);
    }
    return std::nullopt;
}

Expected<Transition, LifecycleError> mark_closed(Channel& channel) {
    if (channel.state != ChannelState::Settling) return unexpected(LifecycleError::NotSettling);
    const CloseCause cause = channel.close_cause.value_or(CloseCause::ForceSettle);
    channel.state = ChannelState::Closed;
    return Transition{ChannelState::Settling, ChannelState::Closed, cause, std::nullopt};
}

}  // namespace btt::channels
