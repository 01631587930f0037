#include <btt/channels/reject.h>

namespace btt::channels {

RejectClass class_of(Reject r) noexcept {
    switch (r) {
        case Reject::Malformed:
        case Reject::BadSignature:
            return RejectClass::Malformed;
        case Reject::UnknownChannel:
        case Reject::WrongSigner:
        case Reject::ChannelNotOpen:
        case Reject::ChannelExpired:
        case Reject::AmountExceedsDeposit:
        case Reject::AmountNotIncreasing:
            return RejectClass::Refused;
        case Reject::IntakePaused:
        case Reject::Overloaded:
        case Reject::StoreUnavailable:
            return RejectClass::Retry;
        case Reject::Internal:
            return RejectClass::Internal;
    }
    return RejectClass::Internal;
}

std::string_view token_of(Reject r) noexcept {
    switch (r) {
        case Reject::Malformed: return "malformed";
        case Reject::BadSignature: return "bad_signature";
        case Reject::UnknownChannel: return "unknown_channel";
        case Reject::WrongSigner: return "wrong_signer";
        case Reject::ChannelNotOpen: return "channel_not_open";
        case Reject::ChannelExpired: return "channel_expired";
        case Reject::AmountExceedsDeposit: return "amount_exceeds_deposit";
        case Reject::AmountNotIncreasing: return "amount_not_increasing";
        case Reject::IntakePaused: return "intake_paused";
        case Reject::Overloaded: return "overloaded";
        case Reject::StoreUnavailable: return "store_unavailable";
        case Reject::Internal: return "internal";
    }
    return "internal";
}

std::string_view sentence_of(Reject r) noexcept {
    switch (r) {
        case Reject::Malformed:
            return "The proof is malformed: wrong field lengths, an amount outside 1..2^63-1, or a recovery byte other than 0, 1, 27 or 28.";
        case Reject::BadSignature:
            return "No public key recovers from the signature, or its S value is high.";
        case Reject::UnknownChannel: return "No channel has this id.";
        case Reject::WrongSigner: return "The proof is not signed by the channel's payer.";
        case Reject::ChannelNotOpen: return "The channel no longer accepts proofs.";
        case Reject::ChannelExpired: return "The channel has expired.";
        case Reject::AmountExceedsDeposit: return "The amount is larger than the channel's deposit.";
        case Reject::AmountNotIncreasing: return "The amount is lower than the last accepted amount.";
        case Reject::IntakePaused: return "The operator has paused proof intake; retry later.";
        case Reject::Overloaded: return "The node is overloaded; retry later.";
        case Reject::StoreUnavailable: return "The node's database is unavailable; retry later.";
        case Reject::Internal: return "An internal error occurred.";
    }
    return "An internal error occurred.";
}

}  // namespace btt::channels
