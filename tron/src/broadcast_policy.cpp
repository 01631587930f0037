#include <btt/tron/broadcast_policy.h>

#include <algorithm>

namespace btt::tron {

BroadcastClass classify_broadcast(int return_code) noexcept {
    switch (static_cast<ReturnCode>(return_code)) {
        case ReturnCode::Success:
            return BroadcastClass::Accepted;
        case ReturnCode::DupTransactionError:
            return BroadcastClass::AlreadyKnown;
        case ReturnCode::BandwidthError:  // the same bytes pass once the account is funded
        case ReturnCode::ServerBusy:
        case ReturnCode::NoConnection:
        case ReturnCode::NotEnoughEffectiveConnection:  // may already sit in the pending pool
        case ReturnCode::BlockUnsolidified:
            return BroadcastClass::RetrySameBytes;
        case ReturnCode::TaposError:
        case ReturnCode::TransactionExpirationError:  // also returned for included txs
            return BroadcastClass::Rebuild;
        case ReturnCode::SigError:
        case ReturnCode::ContractValidateError:
        case ReturnCode::ContractExeError:
        case ReturnCode::TooBigTransactionError:
        case ReturnCode::OtherError:
            return BroadcastClass::Final;
    }
    return BroadcastClass::Final;
}

bool is_transient_return(int return_code) noexcept {
    switch (static_cast<ReturnCode>(return_code)) {
        case ReturnCode::ServerBusy:
        case ReturnCode::NoConnection:
        case ReturnCode::NotEnoughEffectiveConnection:
        case ReturnCode::BlockUnsolidified:
            return true;
        default:
            return false;
    }
}

bool is_transient_grpc_status(int code) noexcept {
    constexpr int kDeadlineExceeded = 4;
    constexpr int kResourceExhausted = 8;
    constexpr int kUnavailable = 14;
    return code == kDeadlineExceeded || code == kResourceExhausted || code == kUnavailable;
}

BroadcastFailure classify_broadcast_failure(int last_grpc_status_code, int attempts_begun) noexcept {
    // The status is deliberately not consulted: see the header for why none proves absence.
    (void)last_grpc_status_code;
    return attempts_begun > 0 ? BroadcastFailure::MaybeSent : BroadcastFailure::NotSent;
}

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempt, double unit) noexcept {
    const auto cap = policy.max.count();
    long long ceiling = policy.initial.count();
    for (int i = 0; i < attempt && ceiling < cap; ++i) ceiling *= 2;
    ceiling = std::min<long long>(ceiling, cap);
    const double u = std::clamp(unit, 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<long long>(u * static_cast<double>(ceiling)));
}

TxFate judge_fate(std::int64_t expiration_ms, std::optional<std::int64_t> included_block,
                  std::int64_t solid_timestamp_before_lookup) noexcept {
    if (included_block && *included_block > 0) return TxFate::Included;
    // A block whose parent's timestamp is >= expiration can never include it; a solidified
    // block at or past the expiration means every block that could have is final.
    if (solid_timestamp_before_lookup >= expiration_ms) return TxFate::Dead;
    return TxFate::PendingOrUnknown;
}

}  // namespace btt::tron
