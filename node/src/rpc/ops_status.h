#pragma once
// How AdminService and AuditService answer a read of the store (ops_reads.h) that failed
// (they check the token first, then the request, then read): a database that is down or a read that lost a race is
// UNAVAILABLE (retry), anything else (our bug, a malformed stored row) INTERNAL with the
// details in the node's log only.
#include <cstdint>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <btt/node/rpc/ops_context.h>

namespace btt::node {

[[nodiscard]] inline grpc::Status read_failed(const char* method, const ReadError& e) {
    switch (e.kind) {
        case ReadError::Kind::Unavailable:
            spdlog::warn("{}: database unreachable: {}", method, e.detail);
            return {grpc::StatusCode::UNAVAILABLE, "database unreachable; retry"};
        case ReadError::Kind::RolledBack:
            spdlog::warn("{}: {}", method, e.detail);
            return {grpc::StatusCode::UNAVAILABLE, "the database rolled the read back; retry"};
        case ReadError::Kind::Internal:
            break;
    }
    spdlog::error("{}: {}", method, e.detail);
    return {grpc::StatusCode::INTERNAL, "internal error (see the node's log)"};
}

// A time bound of a request (Unix seconds; 0: none) that PostgreSQL can compare: at most
// 2^37 s (past year 6000), and not before 1970. The refusal's text, or nullopt.
[[nodiscard]] inline std::optional<std::string> bad_time_bound(std::int64_t seconds,
                                                               const char* field) {
    constexpr std::int64_t kLatest = std::int64_t{1} << 37;
    if (seconds >= 0 && seconds <= kLatest)
        return std::nullopt;
    return std::string(field) + ": must be Unix seconds in 0.." + std::to_string(kLatest) +
           " (0: no bound)";
}

}  // namespace btt::node
