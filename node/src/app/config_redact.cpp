// database.url without its password, for logs and messages (see config.h).
#include <btt/node/app/config.h>

#include <optional>
#include <string>
#include <string_view>

namespace btt::node {

namespace {

// libpq's parameters that hold a secret (a path such as sslkey or passfile is not one).
// libpq matches keys exactly; any case is dropped here all the same, since a mistyped key
// still carries the secret someone meant to pass.
bool is_secret_key(std::string_view key) {
    std::string lower(key);
    for (char& c : lower)
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return lower == "password" || lower == "sslpassword";
}

// A URI query key as libpq reads it: percent-decoded. nullopt for a broken escape (the
// caller then refuses to show the string rather than guess).
std::optional<std::string> percent_decoded(std::string_view s) {
    const auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
            return std::nullopt;
        out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
        i += 2;
    }
    return out;
}

// libpq's URI form (postgresql:// or postgres://): user[:password]@ before the hosts, and
// password=... among the parameters. A password with an unencoded '@', '/' or '?' makes
// the string ambiguous: nullopt then, rather than guess and print part of a secret.
std::optional<std::string> redact_uri(std::string_view url, std::size_t scheme_length) {
    std::string out(url.substr(0, scheme_length));
    std::string_view rest = url.substr(scheme_length);
    const auto at = rest.find('@');
    if (at != std::string_view::npos) {
        const auto user = rest.substr(0, at);
        if (rest.find('@', at + 1) != std::string_view::npos ||
            user.find_first_of("/?") != std::string_view::npos) {
            return std::nullopt;
        }
        out += user.substr(0, user.find(':'));
        out += '@';
        rest.remove_prefix(at + 1);
    }
    const auto q = rest.find('?');
    out += rest.substr(0, q);
    if (q == std::string_view::npos)
        return out;
    std::string_view query = rest.substr(q + 1);
    std::string kept;
    while (true) {
        const auto amp = query.find('&');
        const auto param = query.substr(0, amp);
        const auto key = percent_decoded(param.substr(0, param.find('=')));
        if (!key)
            return std::nullopt;
        if (!is_secret_key(*key)) {
            if (!kept.empty())
                kept += '&';
            kept += param;
        }
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    if (!kept.empty())
        out += "?" + kept;
    return out;
}

constexpr std::string_view kUnparsed = "(unparsed connection string)";

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// libpq's keyword=value form: `key = value` pairs separated by spaces; a value is bare
// (backslash escapes) or single-quoted (backslash escapes). nullopt when it does not parse.
std::optional<std::string> redact_keywords(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    while (true) {
        while (i < s.size() && is_space(s[i]))
            ++i;
        if (i == s.size())
            break;
        const std::size_t start = i;
        while (i < s.size() && !is_space(s[i]) && s[i] != '=')
            ++i;
        const auto key = s.substr(start, i - start);
        while (i < s.size() && is_space(s[i]))
            ++i;
        if (key.empty() || i == s.size() || s[i] != '=')
            return std::nullopt;
        ++i;
        while (i < s.size() && is_space(s[i]))
            ++i;
        if (i < s.size() && s[i] == '\'') {
            ++i;
            bool closed = false;
            while (i < s.size()) {
                if (s[i] == '\\' && i + 1 < s.size()) {
                    i += 2;
                } else if (s[i] == '\'') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    ++i;
                }
            }
            if (!closed)
                return std::nullopt;
        } else {
            while (i < s.size() && !is_space(s[i])) {
                i += (s[i] == '\\' && i + 1 < s.size()) ? 2u : 1u;
            }
        }
        if (is_secret_key(key))
            continue;
        if (!out.empty())
            out += ' ';
        out += s.substr(start, i - start);
    }
    return out;
}

}  // namespace

std::string redact_database_url(std::string_view url) {
    for (const std::string_view scheme : {"postgresql://", "postgres://"}) {
        if (url.substr(0, scheme.size()) == scheme) {
            return redact_uri(url, scheme.size()).value_or(std::string(kUnparsed));
        }
    }
    return redact_keywords(url).value_or(std::string(kUnparsed));
}

}  // namespace btt::node
