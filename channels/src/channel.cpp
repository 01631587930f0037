#include <btt/channels/channel.h>

namespace btt::channels {

const char* state_name(ChannelState s) noexcept {
    switch (s) {
        case ChannelState::Open: return "OPEN";
        case ChannelState::Closing: return "CLOSING";
        case ChannelState::Settling: return "SETTLING";
        case ChannelState::Closed: return "CLOSED";
    }
    return "UNKNOWN";
}

const char* cause_token(CloseCause c) noexcept {
    switch (c) {
        case CloseCause::PayerRequest: return "payer_request";
        case CloseCause::PayeeRequest: return "payee_request";
        case CloseCause::Expiry: return "expiry";
        case CloseCause::ForceSettle: return "force_settle";
    }
    return "unknown";
}

}  // namespace btt::channels
