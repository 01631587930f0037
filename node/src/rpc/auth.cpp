// Bearer-token roles (see auth.h).
#include <btt/node/rpc/auth.h>

#include <cctype>

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace btt::node {

namespace {

std::array<unsigned char, 32> digest_of(std::string_view text) {
    std::array<unsigned char, 32> out{};
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
    return out;
}

bool same(const std::array<unsigned char, 32>& a, const std::array<unsigned char, 32>& b) {
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Authorizer::Authorizer(std::string_view operator_token, std::string_view auditor_token) {
    if (!operator_token.empty())
        m_operator = digest_of(operator_token);
    if (!auditor_token.empty())
        m_auditor = digest_of(auditor_token);
}

std::optional<Role> Authorizer::role_of(std::string_view authorization) const {
    constexpr std::string_view kScheme = "bearer ";
    if (authorization.size() <= kScheme.size())
        return std::nullopt;
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i])
            return std::nullopt;
    }
    const auto presented = digest_of(authorization.substr(kScheme.size()));
    // Both compares run whatever the first one found.
    const bool is_operator = m_operator && same(*m_operator, presented);
    const bool is_auditor = m_auditor && same(*m_auditor, presented);
    if (is_operator)
        return Role::Operator;
    if (is_auditor)
        return Role::Auditor;
    return std::nullopt;
}

grpc::Status Authorizer::check(const grpc::ServerContextBase& call, Role needed) const {
    const auto& metadata = call.client_metadata();
    const auto found = metadata.find("authorization");
    if (found == metadata.end()) {
        return {grpc::StatusCode::UNAUTHENTICATED,
                "this method needs `authorization: Bearer <token>` metadata"};
    }
    const auto role = role_of(std::string_view(found->second.data(), found->second.size()));
    if (!role)
        return {grpc::StatusCode::UNAUTHENTICATED, "unknown bearer token"};
    if (needed == Role::Operator && *role != Role::Operator) {
        return {grpc::StatusCode::PERMISSION_DENIED,
                "the auditor role may not call the operators' service"};
    }
    return grpc::Status::OK;
}

}  // namespace btt::node
