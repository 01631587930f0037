#pragma once
// Balance proofs (DESIGN §3–§4, §8 "Proof outcomes"), in three steps with less freedom
// each (as rippled's preflight / preclaim / doApply):
//   1. check_proof: the proof alone — lengths, amount range, v byte, signature recovers
//      (low-s). No channel, no time. CPU-heavy; runs before anything is locked.
//   2. judge: against a snapshot of the channel and the time — reads, writes nothing.
//   3. apply: the only mutation, for an ACCEPTED verdict; returns what node must persist
//      before it acknowledges (the new cumulative amount and the receipt to sign).
// Leaves to node/: persistence, batching receipts and signing the batch (the node's key),
// intake pausing and queueing (Reject 9–11), and answering duplicates with the stored
// receipt.

#include <cstdint>
#include <variant>

#include <btt/base/bytes.h>
#include <btt/base/expected.h>
#include <btt/channels/channel.h>
#include <btt/channels/reject.h>

namespace btt::channels {

// A proof as received: raw fields, nothing trusted yet.
struct ProofMsg {
    Bytes channel_id;           // must be 32 bytes
    std::uint64_t amount = 0;   // cumulative, must be 1..2^63-1
    Bytes signature;            // must be 65 bytes r || s || v
};

struct VerifiedProof {
    ChannelId channel;
    Amount amount;
    tron::Signature signature;
    tron::TronAddress signer;
};

// Form and signature only. Returns Malformed or BadSignature, or the verified proof.
[[nodiscard]] Expected<VerifiedProof, Reject> check_proof(const ProofMsg& msg);

enum class Outcome { Accepted, Duplicate, Rejected };

struct Verdict {
    Outcome outcome;
    Reject reason = Reject::Internal;  // meaningful when Rejected
    [[nodiscard]] static Verdict accepted() { return {Outcome::Accepted}; }
    [[nodiscard]] static Verdict duplicate() { return {Outcome::Duplicate}; }
    [[nodiscard]] static Verdict rejected(Reject r) { return {Outcome::Rejected, r}; }
};

// `channel` is nullptr when no channel has the proof's id. Order (first match wins):
// unknown_channel, wrong_signer, DUPLICATE (same amount as last accepted, any state),
// channel_not_open (not OPEN or CLOSING, or CLOSING and now >= settle_at), channel_expired
// (now >= expiry), amount_exceeds_deposit, amount_not_increasing.
// Precondition (our bug, BTT_ASSERT): a non-null `channel` has the proof's channel id.
// Never mutates, never reads a clock.
[[nodiscard]] Verdict judge(const Channel* channel, const VerifiedProof& proof, UnixSeconds now);

// The receipt of an accepted (or duplicate) proof: its message is one leaf of the batch
// the node signs (DESIGN §3, receipt.h).
struct Receipt {
    ChannelId channel;
    Amount amount;
    Bytes message;  // BTT-RECEIPT-V1 || channel || amount, from tron's builder
};
[[nodiscard]] Receipt receipt_for(const ChannelId& channel, Amount amount);

struct Effect {
    ChannelId channel;
    Amount previous;        // accepted before
    Amount accepted;        // accepted now
    Amount delta;           // accepted - previous: what the payee gained
    tron::Signature proof_signature;
    Receipt receipt;
};

// Mutates `channel` for a proof judge() ACCEPTED (same `now`). Re-checks the verdict and
// returns Internal without touching anything if it does not hold: a caller bug.
// Precondition (BTT_ASSERT, as judge): channel.id == proof.channel.
[[nodiscard]] Expected<Effect, Reject> apply(Channel& channel, const VerifiedProof& proof,
                                             UnixSeconds now);

}  // namespace btt::channels
