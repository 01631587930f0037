// bttnode's configuration file and command-line overrides (DESIGN §9): a TOML walk that
// refuses unknown keys, overrides read by the same key table (config_keys.cpp), then the
// checks that involve several keys.
//
// Order of checks, so that the first error is the most useful one: TOML syntax; unknown
// keys and wrong types in the file; unknown or ill-typed overrides; each key's value in
// table order (required keys included); cross-key rules; channels::Rules::validate().
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config_internal.h"

namespace btt::node {

using namespace config_detail;

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool is_bare_key(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

std::string key_segment(std::string_view s) {
    return is_bare_key(s) ? std::string(s) : toml_quote(s);
}

std::string_view type_name(toml::node_type t) {
    switch (t) {
        case toml::node_type::none:
            return "nothing";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
    }
    return "an unknown type";
}

std::string_view expected_name(ValueKind kind) {
    switch (kind) {
        case ValueKind::Integer:
            return "an integer";
        case ValueKind::Boolean:
            return "a boolean (true or false)";
        case ValueKind::String:
            return "a string";
        case ValueKind::AddressList:
            return "an array of address strings";
    }
    return "a value";
}

// ---- reading values ----

struct Sourced {
    Value value;
    std::string origin;
};

struct Source {
    std::string path;  // empty for load_config(text)
    [[nodiscard]] std::string line(const toml::node& n) const {
        const auto l = n.source().begin.line;
        if (l == 0)
            return path;
        return path.empty() ? fmt::format("line {}", l) : fmt::format("{}:{}", path, l);
    }
};

Expected<Value, ConfigError> read_node(const Entry& e, const toml::node& n, const Source& src) {
    const auto wrong = [&](std::string detail) {
        return unexpected(ConfigError{ConfigError::Kind::WrongType, std::string(e.info.key),
                                      std::move(detail), src.line(n)});
    };
    const auto expected_got = [&] {
        return fmt::format("expected {}, got {}", expected_name(e.info.kind), type_name(n.type()));
    };
    switch (e.info.kind) {
        case ValueKind::Integer:
            if (const auto* v = n.as_integer())
                return Value{v->get()};
            return wrong(expected_got());
        case ValueKind::Boolean:
            if (const auto* v = n.as_boolean())
                return Value{v->get()};
            return wrong(expected_got());
        case ValueKind::String:
            if (const auto* v = n.as_string())
                return Value{v->get()};
            return wrong(expected_got());
        case ValueKind::AddressList: {
            const auto* a = n.as_array();
            if (a == nullptr)
                return wrong(expected_got());
            std::vector<std::string> out;
            for (std::size_t i = 0; i < a->size(); ++i) {
                const auto* s = (*a)[i].as_string();
                if (s == nullptr) {
                    return wrong(fmt::format("expected {}, element {} is {}",
                                             expected_name(e.info.kind), i + 1,
                                             type_name((*a)[i].type())));
                }
                out.push_back(s->get());
            }
            return Value{std::move(out)};
        }
    }
    return wrong(expected_got());
}

Expected<Value, ConfigError> read_override(const Entry& e, const Override& o) {
    const auto wrong = [&](std::string detail) {
        return unexpected(
            ConfigError{ConfigError::Kind::WrongType, o.key, std::move(detail), "command line"});
    };
    switch (e.info.kind) {
        case ValueKind::Integer:
            if (const auto n = parse_int64(o.value))
                return Value{*n};
            return wrong(fmt::format("expected an integer, got {}", toml_quote(o.value)));
        case ValueKind::Boolean:
            if (o.value == "true")
                return Value{true};
            if (o.value == "false")
                return Value{false};
            return wrong(fmt::format("expected true or false, got {}", toml_quote(o.value)));
        case ValueKind::String:
            return Value{o.value};
        case ValueKind::AddressList: {
            std::vector<std::string> out;
            const auto all = trim(o.value);
            if (all.empty())
                return Value{std::move(out)};
            std::size_t start = 0;
            while (true) {
                const auto comma = all.find(',', start);
                out.emplace_back(trim(all.substr(start, comma - start)));
                if (comma == std::string_view::npos)
                    break;
                start = comma + 1;
            }
            return Value{std::move(out)};
        }
    }
    return wrong("unreadable value");
}

// node.listen (already checked as host:port) names a loopback address only: 127.0.0.0/8,
// [::1] or localhost. A wildcard (0.0.0.0, [::]) or any other host is reachable from afar.
bool is_loopback_listen(std::string_view listen) {
    const std::string_view host = listen.substr(0, listen.rfind(':'));
    if (host == "[::1]" || host == "localhost")
        return true;
    if (!host.starts_with("127."))
        return false;
    int dots = 0;
    for (const char c : host) {
        if (c == '.')
            ++dots;
        else if (c < '0' || c > '9')
            return false;
    }
    return dots == 3;
}

Expected<Config, ConfigError> load(std::string_view text, const Source& src,
                                   const std::vector<Override>& overrides) {
    using Kind = ConfigError::Kind;
    toml::table root;
    try {
        root = toml::parse(text, src.path);
    } catch (const toml::parse_error& e) {
        const auto& at = e.source().begin;
        std::string where = src.path.empty()
                                ? fmt::format("line {}, column {}", at.line, at.column)
                                : fmt::format("{}:{}:{}", src.path, at.line, at.column);
        return unexpected(ConfigError{Kind::Syntax, "", std::string(e.description()), where});
    }

    std::set<std::string_view> sections;
    for (const auto& e : entries())
        sections.insert(section_of(e.info.key));

    // The file: every key must be known and of the right type.
    std::map<std::string_view, Sourced> values;
    for (auto&& [k, node] : root) {
        const std::string section = key_segment(k.str());
        if (sections.count(k.str()) == 0) {
            return unexpected(ConfigError{Kind::UnknownKey, section, "", src.line(node)});
        }
        const auto* table = node.as_table();
        if (table == nullptr) {
            return unexpected(ConfigError{
                Kind::WrongType, section,
                fmt::format("expected a table, got {}", type_name(node.type())), src.line(node)});
        }
        for (auto&& [k2, leaf] : *table) {
            const std::string key = section + "." + key_segment(k2.str());
            const Entry* e = find_entry(key);
            if (e == nullptr) {
                return unexpected(ConfigError{Kind::UnknownKey, key, "", src.line(leaf)});
            }
            auto v = read_node(*e, leaf, src);
            if (!v)
                return unexpected(std::move(v).error());
            values.insert_or_assign(e->info.key, Sourced{std::move(v).value(), src.line(leaf)});
        }
    }

    // The command line: replaces the file's values.
    for (const auto& o : overrides) {
        const Entry* e = find_entry(o.key);
        if (e == nullptr) {
            return unexpected(ConfigError{Kind::UnknownKey, o.key, "", "command line"});
        }
        auto v = read_override(*e, o);
        if (!v)
            return unexpected(std::move(v).error());
        values.insert_or_assign(e->info.key, Sourced{std::move(v).value(), "command line"});
    }

    // Each key's value, in table order.
    Config config;
    for (const auto& e : entries()) {
        const auto it = values.find(e.info.key);
        if (it == values.end()) {
            if (e.info.required) {
                return unexpected(
                    ConfigError{Kind::Missing, std::string(e.info.key), "required", ""});
            }
            continue;
        }
        if (auto problem = e.set(config, it->second.value)) {
            return unexpected(ConfigError{Kind::BadValue, std::string(e.info.key),
                                          std::move(*problem), it->second.origin});
        }
    }

    const auto origin = [&](std::string_view key) {
        const auto it = values.find(key);
        return it == values.end() ? std::string() : it->second.origin;
    };
    // Keys that constrain each other.
    if (config.channels.min_expiry_horizon > config.channels.max_expiry_horizon) {
        return unexpected(
            ConfigError{Kind::BadValue, "channels.min_expiry_horizon_s",
                        fmt::format("must not exceed channels.max_expiry_horizon_s ({}), got {}",
                                    config.channels.max_expiry_horizon.count(),
                                    config.channels.min_expiry_horizon.count()),
                        origin("channels.min_expiry_horizon_s")});
    }
    const auto& peers = config.channels.peer_escrows;
    if (std::find(peers.begin(), peers.end(), config.escrow.address) != peers.end()) {
        return unexpected(
            ConfigError{Kind::BadValue, "channels.peer_escrows",
                        fmt::format("lists escrow.address {}: a node's own escrow is not a peer's",
                                    config.escrow.address.to_base58()),
                        origin("channels.peer_escrows")});
    }
    if (config.tls.cert_file.empty() != config.tls.key_file.empty()) {
        const char* missing = config.tls.cert_file.empty() ? "tls.cert_file" : "tls.key_file";
        return unexpected(
            ConfigError{Kind::Missing, missing, "tls.cert_file and tls.key_file go together", ""});
    }
    // Bearer tokens in clear text beyond this machine are tokens given away (DESIGN §10).
    const bool tokens = !config.auth.operator_token_file.empty() ||
                        !config.auth.auditor_token_file.empty();
    if (tokens && config.tls.cert_file.empty() && !is_loopback_listen(config.node.listen)) {
        return unexpected(ConfigError{
            Kind::BadValue, "node.listen",
            fmt::format("{} is reachable beyond this machine and role tokens are configured "
                        "without TLS, so they would cross the network in clear: set "
                        "tls.cert_file and tls.key_file, or listen on 127.0.0.1 or [::1]",
                        toml_quote(config.node.listen)),
            origin("node.listen")});
    }
    if (!config.tls.client_ca_file.empty() && config.tls.cert_file.empty()) {
        return unexpected(ConfigError{Kind::Missing, "tls.cert_file",
                                      "tls.client_ca_file needs TLS on (tls.cert_file, "
                                      "tls.key_file)",
                                      origin("tls.client_ca_file")});
    }
    // Defence in depth: the rules' own check, which the checks above should make redundant.
    if (auto valid = config.rules().validate(); !valid) {
        return unexpected(ConfigError{Kind::BadValue, "channels", valid.error(), ""});
    }
    return config;
}

}  // namespace

std::string ConfigError::message() const {
    std::string m;
    switch (kind) {
        case Kind::CannotRead:
            m = detail;
            break;
        case Kind::Syntax:
            m = origin.empty() ? detail : origin + ": " + detail;
            break;
        case Kind::UnknownKey:
            m = fmt::format("unknown key {}", toml_quote(key));
            if (!origin.empty())
                m += " (" + origin + ")";
            break;
        case Kind::WrongType:
        case Kind::BadValue:
        case Kind::Missing:
        case Kind::KeyFile:
        case Kind::KeyMismatch:
            m = key + ": " + detail;
            if (!origin.empty())
                m += " (" + origin + ")";
            break;
    }
    // One line, whatever a parser's description or a path holds.
    std::replace_if(
        m.begin(), m.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return m;
}

Expected<Config, ConfigError> load_config(std::string_view toml_text,
                                          const std::vector<Override>& overrides) {
    return load(toml_text, Source{}, overrides);
}

Expected<Config, ConfigError> load_config_file(const std::string& path,
                                               const std::vector<Override>& overrides) {
    const auto cannot = [&](std::string_view why) {
        return unexpected(ConfigError{ConfigError::Kind::CannotRead, "",
                                      fmt::format("cannot read config file {}: {}", path, why),
                                      ""});
    };
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec)
        return cannot(ec.message());
    if (!std::filesystem::is_regular_file(status))
        return cannot("not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return cannot(std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        return cannot(std::strerror(errno));
    return load(text.str(), Source{path}, overrides);
}

}  // namespace btt::node
