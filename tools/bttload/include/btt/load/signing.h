#pragma once
// Proofs are planned and signed before the timed phase (issue 10), so the generator's CPU
// is not what the measurement sees. Planning is pure: each channel's cumulative amounts
// continue above its last_sent by `step` per proof and never pass its deposit; proofs are
// dealt round-robin over the channels, and channel c always goes on stream c % streams,
// so a channel's proofs are on one stream, in increasing order.

#include <cstddef>
#include <cstdint>
#include <vector>

#include <btt/load/fleet.h>
#include <btt/tron/keys.h>

namespace btt::load {

struct SignedProof {
    std::uint64_t amount = 0;
    std::uint32_t channel = 0;    // index into Fleet::channels
    tron::Signature signature{};  // TIP-104 over balance_proof_message(channel, amount)
};

struct ProofPlan {
    std::vector<std::vector<SignedProof>> streams;  // per stream, in send order
    std::uint64_t total = 0;
    std::size_t channels_at_deposit = 0;  // channels whose proofs stop at their deposit
};

// Up to `budget` proofs (fewer when the deposits hold fewer), over min(streams, channels)
// streams. Preconditions: streams >= 1, step >= 1. No signatures yet.
[[nodiscard]] ProofPlan plan_proofs(const Fleet& fleet, std::size_t streams, std::uint64_t step,
                                    std::uint64_t budget);

// Fills every signature with the payer's key, on `threads` threads.
void sign_plan(ProofPlan& plan, const Fleet& fleet, unsigned threads);

}  // namespace btt::load
