// bttnode's key files (DESIGN §9, issue 12): the receipt and escrow keys, the roles'
// bearer tokens and the TLS files named by the configuration, read and checked at start.
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include <btt/node/app/config.h>
#include <btt/tron/io/key_file.h>

namespace btt::node {

Expected<NodeKeys, ConfigError> load_keys(const Config& config) {
    using Kind = ConfigError::Kind;
    auto receipt = tron::io::read_private_key_file(config.node.receipt_key_file);
    if (!receipt) {
        return unexpected(
            ConfigError{Kind::KeyFile, "node.receipt_key_file", receipt.error().message(), ""});
    }
    auto escrow = tron::io::read_private_key_file(config.escrow.key_file);
    if (!escrow) {
        return unexpected(
            ConfigError{Kind::KeyFile, "escrow.key_file", escrow.error().message(), ""});
    }
    if (escrow->address() != config.escrow.address) {
        return unexpected(ConfigError{
            Kind::KeyMismatch, "escrow.key_file",
            fmt::format("{} holds the key of {}, not of escrow.address {}", config.escrow.key_file,
                        escrow->address().to_base58(), config.escrow.address.to_base58()),
            ""});
    }
    NodeKeys keys{std::move(receipt).value(), std::move(escrow).value(), {}, {}, {}, {}, {}};
    const auto token = [&](const std::string& path, const char* key,
                           std::string& out) -> std::optional<ConfigError> {
        if (path.empty())
            return std::nullopt;
        auto text = tron::io::read_secret_file(path, 4096);
        if (!text)
            return ConfigError{Kind::KeyFile, key, text.error().message(), ""};
        // A short or multi-word token is a mistake, not a secret: say so at start.
        if (text->size() < 16 || text->find_first_of(" \t\r\n") != std::string::npos)
            return ConfigError{Kind::KeyFile, key,
                               path +
                                   ": the token must be one line of at least 16 characters "
                                   "without spaces",
                               ""};
        out = std::move(*text);
        return std::nullopt;
    };
    if (auto e =
            token(config.auth.operator_token_file, "auth.operator_token_file", keys.operator_token))
        return unexpected(*e);
    if (auto e =
            token(config.auth.auditor_token_file, "auth.auditor_token_file", keys.auditor_token))
        return unexpected(*e);
    if (!keys.operator_token.empty() && keys.operator_token == keys.auditor_token) {
        return unexpected(ConfigError{Kind::KeyFile, "auth.auditor_token_file",
                                      "the auditor's token equals the operator's: a role would "
                                      "be indistinguishable",
                                      ""});
    }
    const auto pem = [&](const std::string& path, const char* key, bool secret,
                         std::string& out) -> std::optional<ConfigError> {
        if (path.empty())
            return std::nullopt;
        if (secret) {
            auto text = tron::io::read_secret_file(path, 1 << 20);
            if (!text)
                return ConfigError{Kind::KeyFile, key, text.error().message(), ""};
            out = std::move(*text) + "\n";  // read_secret_file took PEM's last newline
            return std::nullopt;
        }
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in || text.str().empty())
            return ConfigError{Kind::KeyFile, key, path + ": cannot read or empty", ""};
        out = text.str();
        return std::nullopt;
    };
    if (auto e = pem(config.tls.cert_file, "tls.cert_file", false, keys.tls_cert_pem))
        return unexpected(*e);
    if (auto e = pem(config.tls.key_file, "tls.key_file", true, keys.tls_key_pem))
        return unexpected(*e);
    if (auto e =
            pem(config.tls.client_ca_file, "tls.client_ca_file", false, keys.tls_client_ca_pem))
        return unexpected(*e);
    return keys;
}

}  // namespace btt::node
