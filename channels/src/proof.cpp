#include <btt/channels/proof.h>

#include <algorithm>

#include <btt/base/assert.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

namespace btt::channels {

Expected<VerifiedProof, Reject> check_proof(const ProofMsg& msg) {
    const auto channel = ChannelId::from_bytes(msg.channel_id);
    const auto amount = Amount::from_uint64(msg.amount);
    if (!channel || !amount || amount->is_zero() || msg.signature.size() != 65) {
        return unexpected(Reject::Malformed);
    }
    tron::Signature sig{};
    std::copy(msg.signature.begin(), msg.signature.end(), sig.begin());
    const std::uint8_t v = sig[64];
    if (v != 0 && v != 1 && v != 27 && v != 28) return unexpected(Reject::Malformed);
    // High-S refused: a malleated copy of a proof must not verify (DESIGN §8).
    const auto message = tron::balance_proof_message(channel->bytes(), msg.amount);
    const auto signer = tron::recover_message_v2(message, sig, tron::SPolicy::RefuseHighS);
    if (!signer) return unexpected(Reject::BadSignature);
    return VerifiedProof{*channel, *amount, sig, *signer};
}

Verdict judge(const Channel* channel, const VerifiedProof& proof, UnixSeconds now) {
    if (channel == nullptr) return Verdict::rejected(Reject::UnknownChannel);
    BTT_ASSERT(channel->id == proof.channel, "judge: the channel is not the proof's channel");
    if (proof.signer != channel->payer) return Verdict::rejected(Reject::WrongSigner);
    // Same amount again: the client lost our answer; acknowledge with the receipt again,
    // whatever the state (DESIGN §8).
    if (!channel->accepted.is_zero() && proof.amount == channel->accepted) {
        return Verdict::duplicate();
    }
    if (channel->state != ChannelState::Open && channel->state != ChannelState::Closing) {
        return Verdict::rejected(Reject::ChannelNotOpen);
    }
    // A CLOSING channel takes proofs until settle_at, whether or not a timer has moved it to
    // SETTLING yet: outcomes never depend on timer scheduling (DESIGN §8 "Lifecycle").
    // Without a settle_at only expiry bounds it (settle_at is never past expiry anyway).
    if (channel->state == ChannelState::Closing && channel->settle_at &&
        now >= *channel->settle_at) {
        return Verdict::rejected(Reject::ChannelNotOpen);
    }
    if (now >= channel->expiry) return Verdict::rejected(Reject::ChannelExpired);
    if (proof.amount > channel->deposit) return Verdict::rejected(Reject::AmountExceedsDeposit);
    // Replay of an older cumulative proof: it would lower what the payee is owed.
    if (proof.amount < channel->accepted) return Verdict::rejected(Reject::AmountNotIncreasing);
    return Verdict::accepted();
}

Receipt receipt_for(const ChannelId& channel, Amount amount) {
    return Receipt{channel, amount,
                   tron::receipt_message(channel.bytes(), static_cast<std::uint64_t>(amount.value()))};
}

Expected<Effect, Reject> apply(Channel& channel, const VerifiedProof& proof, UnixSeconds now) {
    if (judge(&channel, proof, now).outcome != Outcome::Accepted) return unexpected(Reject::Internal);
    const Amount previous = channel.accepted;
    channel.accepted = proof.amount;
    channel.accepted_signature = proof.signature;
    return Effect{channel.id,
                  previous,
                  proof.amount,
                  *proof.amount.checked_sub(previous),  // judge guaranteed amount > previous
                  proof.signature,
                  receipt_for(channel.id, proof.amount)};
}

}  // namespace btt::channels
