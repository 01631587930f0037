#pragma once
// What a Tron broadcast's answer allows (reference §5.13, §5.7), as pure decisions the
// bridge and the settler share. Two facts rule everything here:
//   - a broadcast answer never proves a transaction absent: only the solidified chain does;
//   - "rebuild" is a hint: nothing re-signs a payout until judge_fate() says Dead.

#include <chrono>
#include <cstdint>
#include <optional>

namespace btt::tron {

// java-tron's Return.response_code values (reference §3.11).
enum class ReturnCode : int {
    Success = 0,
    SigError = 1,
    ContractValidateError = 2,
    ContractExeError = 3,
    BandwidthError = 4,
    DupTransactionError = 5,
    TaposError = 6,
    TooBigTransactionError = 7,
    TransactionExpirationError = 8,
    ServerBusy = 9,
    NoConnection = 10,
    NotEnoughEffectiveConnection = 11,
    BlockUnsolidified = 12,
    OtherError = 20,
};

enum class BroadcastClass {
    Accepted,        // in the node's pending pool: poll by txid
    AlreadyKnown,    // duplicate: treat as accepted, confirm by txid
    RetrySameBytes,  // transient or resource trouble: send the very same bytes again later
    Rebuild,         // TAPOS/expiration: a new transaction may be needed, once the old is Dead
    Final,           // these bytes will never be accepted: an operator must look
};

// Any code, including ones this build does not know (Final: do not guess).
[[nodiscard]] BroadcastClass classify_broadcast(int return_code) noexcept;

// Codes worth an automatic, backed-off retry of the same call.
[[nodiscard]] bool is_transient_return(int return_code) noexcept;

// gRPC status codes worth a retry: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED.
[[nodiscard]] bool is_transient_grpc_status(int grpc_status_code) noexcept;

enum class BroadcastFailure {
    NotSent,    // no attempt was begun (cancelled before the first): nothing can be on chain
    MaybeSent,  // follow the txid; re-sign only once judge_fate() says Dead (issue 11)
};

// How a broadcast ends when its last attempt got a gRPC failure instead of a Return, or was
// cancelled (`last_grpc_status_code` is then CANCELLED, 1). `attempts_begun` counts the
// attempts whose call was started, answered or not. Once one was begun, no status proves
// the node did not take the bytes, so every code is MaybeSent:
//   CANCELLED, DEADLINE_EXCEEDED  the call was abandoned, not refused; the node may have
//                                 pushed the transaction already;
//   UNAVAILABLE                   also a connection lost after the request was written;
//   UNKNOWN                       grpc-java's answer when a handler throws, e.g. after the
//                                 push to the pending pool;
//   INTERNAL                      also an answer that broke or failed to parse on its way;
//   RESOURCE_EXHAUSTED            also an answer larger than the client accepts;
//   any other                     java-tron never answers a broadcast with it; from a proxy
//                                 or a load balancer it says nothing of the node behind.
// An earlier attempt's outcome never becomes "not sent" through a later attempt's status.
[[nodiscard]] BroadcastFailure classify_broadcast_failure(int last_grpc_status_code,
                                                          int attempts_begun) noexcept;

struct BackoffPolicy {
    std::chrono::milliseconds initial{200};
    std::chrono::milliseconds max{10'000};
    int max_attempts = 8;
};

// "Full jitter" exponential backoff: a delay in [0, min(max, initial * 2^attempt)], picked
// by `unit` in [0, 1) (the caller's randomness; the policy itself has none).
[[nodiscard]] std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempt,
                                                      double unit) noexcept;

enum class TxFate { Included, PendingOrUnknown, Dead };

// The proof-of-death rule (reference §5.7). `included_block` is what the SOLIDITY node's
// GetTransactionInfoById gave (nullopt for the empty "not found" answer);
// `solid_timestamp_before_lookup` is the timestamp of a solidified block observed BEFORE
// that lookup. Dead only when that block is at or past the expiration and the lookup still
// found nothing: no later block can then carry the transaction.
[[nodiscard]] TxFate judge_fate(std::int64_t expiration_ms,
                                std::optional<std::int64_t> included_block,
                                std::int64_t solid_timestamp_before_lookup) noexcept;

}  // namespace btt::tron
