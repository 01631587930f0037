#pragma once
// Who may call the operators' and auditors' services (DESIGN §9): gRPC metadata
// `authorization: Bearer <token>`, one token per role from the auth.* files. No or unknown
// token: UNAUTHENTICATED; a valid token of a role that may not call the method:
// PERMISSION_DENIED. The operator may call everything; the auditor only AuditService.
//
// Tokens are kept only as SHA-256 digests and compared digest to digest with a
// constant-time compare, so neither a token's content nor its length leaks through timing.
// Nothing here logs a token.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

namespace btt::node {

enum class Role { Operator, Auditor };

class Authorizer {
public:
    // An empty token turns its role off: no presented token can match it.
    Authorizer(std::string_view operator_token, std::string_view auditor_token);

    // The role of an `authorization` header value ("Bearer <token>", scheme in any case);
    // nullopt for anything else.
    [[nodiscard]] std::optional<Role> role_of(std::string_view authorization) const;

    // OK if the call's token may call a method of `needed`'s service.
    [[nodiscard]] grpc::Status check(const grpc::ServerContextBase& call, Role needed) const;

private:
    using Digest = std::array<unsigned char, 32>;
    std::optional<Digest> m_operator, m_auditor;
};

}  // namespace btt::node
