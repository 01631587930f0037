// bttnode's configuration keys (DESIGN §9): one table of keys (type, meaning, how a value
// is checked and stored), which config_toml.cpp reads files and overrides by, and the
// public functions that only need the table (config_keys, value_text, to_toml).
#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "config_internal.h"

namespace btt::node {

namespace config_detail {

std::string toml_quote(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            out += fmt::format("\\u{:04X}", static_cast<unsigned>(u));
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::optional<std::int64_t> parse_int64(std::string_view s) {
    std::int64_t v = 0;
    const auto* end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc() || ptr != end)
        return std::nullopt;
    return v;
}

namespace {

// ---- value checks ----

Problem check_range(std::int64_t v, std::int64_t lo, std::int64_t hi, std::string_view why) {
    if (v >= lo && v <= hi)
        return std::nullopt;
    std::string p = hi == kNoUpperBound ? fmt::format("must be at least {}, got {}", lo, v)
                                        : fmt::format("must be {}..{}, got {}", lo, hi, v);
    if (!why.empty())
        p += fmt::format(" ({})", why);
    return p;
}

bool is_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

// host:port with host a name, an IPv4 address or a bracketed IPv6 address.
Problem check_host_port(std::string_view s, bool allow_port_zero) {
    const auto bad = [&](std::string_view why) {
        return fmt::format("must be host:port ({}), got {}", why, toml_quote(s));
    };
    std::string_view host;
    std::string_view port;
    if (!s.empty() && s.front() == '[') {
        const auto close = s.find(']');
        if (close == std::string_view::npos)
            return bad("no closing bracket");
        host = s.substr(1, close - 1);
        if (close + 1 >= s.size() || s[close + 1] != ':')
            return bad("no port");
        port = s.substr(close + 2);
        if (host.empty() || !std::all_of(host.begin(), host.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
            })) {
            return bad("bad IPv6 address");
        }
    } else {
        const auto colon = s.rfind(':');
        if (colon == std::string_view::npos)
            return bad("no port");
        host = s.substr(0, colon);
        port = s.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) {
            return bad("an IPv6 address goes in brackets, [::1]:port");
        }
        if (host.empty())
            return bad("no host");
        if (!std::all_of(host.begin(), host.end(), is_host_char))
            return bad("bad host name");
    }
    const auto n = parse_int64(port);
    if (port.size() > 5 || !n || *n < (allow_port_zero ? 0 : 1) || *n > 65535) {
        return bad(allow_port_zero ? "port 0..65535" : "port 1..65535");
    }
    return std::nullopt;
}

Problem check_not_empty(const std::string& s) {
    if (s.empty())
        return std::string("must not be empty");
    return std::nullopt;
}

// TRC-10 ids are positive int64 values written in decimal: 1 to 19 digits, no leading zero
// (the id is compared as text with memos and the chain, so "01002000" would never match).
Problem check_token_id(const std::string& s) {
    const bool digits = !s.empty() && s.size() <= 19 && std::all_of(s.begin(), s.end(), [](char c) {
        return c >= '0' && c <= '9';
    });
    if (!digits || s.front() == '0' || !parse_int64(s)) {
        return fmt::format(
            "must be a TRC-10 token id (1 to 19 decimal digits, no leading zero, at most "
            "{}), got {}",
            std::numeric_limits<std::int64_t>::max(), toml_quote(s));
    }
    return std::nullopt;
}

std::optional<LogLevel> parse_log_level(std::string_view s) {
    for (const auto level :
         {LogLevel::Trace, LogLevel::Debug, LogLevel::Info, LogLevel::Warn, LogLevel::Error}) {
        if (to_string(level) == s)
            return level;
    }
    return std::nullopt;
}

// ---- entry builders ----

template <typename T>
std::int64_t as_int64(const T& v) {
    if constexpr (requires { v.count(); }) {
        return static_cast<std::int64_t>(v.count());
    } else {
        return static_cast<std::int64_t>(v);
    }
}

template <typename S, typename T>
Entry integer_key(KeyInfo info, S Config::*section, T S::*field, std::int64_t lo, std::int64_t hi,
                  std::string_view why = {}) {
    return Entry{info,
                 [=](const Config& c) { return std::to_string(as_int64((c.*section).*field)); },
                 [=](Config& c, const Value& v) -> Problem {
                     const auto n = std::get<std::int64_t>(v);
                     if (auto p = check_range(n, lo, hi, why))
                         return p;
                     if constexpr (requires { typename T::rep; }) {
                         (c.*section).*field = T{static_cast<typename T::rep>(n)};
                     } else {
                         (c.*section).*field = static_cast<T>(n);
                     }
                     return std::nullopt;
                 }};
}

template <typename S>
Entry string_key(KeyInfo info, S Config::*section, std::string S::*field,
                 std::function<Problem(const std::string&)> check) {
    return Entry{info, [=](const Config& c) { return toml_quote((c.*section).*field); },
                 [=](Config& c, const Value& v) -> Problem {
                     const auto& s = std::get<std::string>(v);
                     if (check) {
                         if (auto p = check(s))
                             return p;
                     }
                     (c.*section).*field = s;
                     return std::nullopt;
                 }};
}

template <typename S>
Entry bool_key(KeyInfo info, S Config::*section, bool S::*field) {
    return Entry{
        info, [=](const Config& c) { return std::string((c.*section).*field ? "true" : "false"); },
        [=](Config& c, const Value& v) -> Problem {
            (c.*section).*field = std::get<bool>(v);
            return std::nullopt;
        }};
}

std::function<Problem(const std::string&)> host_port(bool allow_port_zero, bool allow_empty) {
    return [=](const std::string& s) -> Problem {
        if (allow_empty && s.empty())
            return std::nullopt;
        return check_host_port(s, allow_port_zero);
    };
}

using K = ValueKind;

}  // namespace

const std::vector<Entry>& entries() {
    static const std::vector<Entry> table = [] {
        std::vector<Entry> t;
        // [node]
        t.push_back(string_key({"node.listen", K::String, false,
                                "gRPC listen address, host:port (port 0: any free port)"},
                               &Config::node, &Config::Node::listen, host_port(true, false)));
        t.push_back(string_key({"node.metrics_listen", K::String, false,
                                "HTTP /metrics listen address, host:port; empty: off"},
                               &Config::node, &Config::Node::metrics_listen,
                               host_port(true, true)));
        t.push_back(
            string_key({"node.receipt_key_file", K::String, true,
                        "file holding the key that signs receipts (64 hex digits, mode 0600)"},
                       &Config::node, &Config::Node::receipt_key_file, check_not_empty));
        // [escrow]
        t.push_back(
            Entry{{"escrow.address", K::String, true,
                   "the escrow's address (base58, or hex 41...): deposits to it open channels"},
                  [](const Config& c) { return toml_quote(c.escrow.address.to_base58()); },
                  [](Config& c, const Value& v) -> Problem {
                      const auto& s = std::get<std::string>(v);
                      if (s.empty())
                          return std::string("must not be empty");
                      auto a = tron::TronAddress::parse(s);
                      if (!a)
                          return a.error().message();
                      c.escrow.address = *a;
                      return std::nullopt;
                  }});
        t.push_back(string_key({"escrow.key_file", K::String, true,
                                "file holding the escrow's private key, signs payouts (mode 0600); "
                                "may be the receipt key's file"},
                               &Config::escrow, &Config::Escrow::key_file, check_not_empty));
        // [tron]
        t.push_back(string_key({"tron.full_node", K::String, false,
                                "java-tron full node gRPC endpoint (protocol.Wallet), host:port"},
                               &Config::tron, &Config::Tron::full_node, host_port(false, false)));
        t.push_back(
            string_key({"tron.solidity_node", K::String, false,
                        "java-tron solidity gRPC endpoint (protocol.WalletSolidity), host:port"},
                       &Config::tron, &Config::Tron::solidity_node, host_port(false, false)));
        t.push_back(bool_key({"tron.tls", K::Boolean, false,
                              "TLS to the full node's endpoints (tron.full_node and "
                              "tron.solidity_node), with the system's root certificates"},
                             &Config::tron, &Config::Tron::tls));
        // [database]
        t.push_back(string_key({"database.url", K::String, true,
                                "PostgreSQL: libpq connection string or URI (multi-host allowed)"},
                               &Config::database, &Config::Database::url, check_not_empty));
        // [channels]
        t.push_back(string_key({"channels.token_id", K::String, false,
                                "TRC-10 token the node settles, decimal id as a string "
                                "(1002000 is BTT)"},
                               &Config::channels, &Config::Channels::token_id, check_token_id));
        t.push_back(
            Entry{{"channels.min_deposit", K::Integer, false,
                   "smallest opening deposit in token base units; smaller opens are refunded"},
                  [](const Config& c) { return std::to_string(c.channels.min_deposit.value()); },
                  [](Config& c, const Value& v) -> Problem {
                      const auto n = std::get<std::int64_t>(v);
                      if (auto p = check_range(n, 1, kNoUpperBound, {}))
                          return p;
                      c.channels.min_deposit = *channels::Amount::from_int64(n);
                      return std::nullopt;
                  }});
        t.push_back(
            Entry{{"channels.min_refund", K::Integer, false,
                   "smallest unclaimed transfer of the token refunded automatically, base "
                   "units; smaller ones (and every other token) are held for the operator"},
                  [](const Config& c) { return std::to_string(c.channels.min_refund.value()); },
                  [](Config& c, const Value& v) -> Problem {
                      const auto n = std::get<std::int64_t>(v);
                      if (auto p = check_range(n, 1, kNoUpperBound, {}))
                          return p;
                      c.channels.min_refund = *channels::Amount::from_int64(n);
                      return std::nullopt;
                  }});
        t.push_back(integer_key({"channels.min_expiry_horizon_s", K::Integer, false,
                                 "shortest allowed channel life (expiry - open time), seconds"},
                                &Config::channels, &Config::Channels::min_expiry_horizon, 1,
                                kNoUpperBound));
        t.push_back(integer_key({"channels.max_expiry_horizon_s", K::Integer, false,
                                 "longest allowed channel life (expiry - open time), seconds"},
                                &Config::channels, &Config::Channels::max_expiry_horizon, 1,
                                kNoUpperBound));
        t.push_back(integer_key({"channels.settle_delay_s", K::Integer, false,
                                 "after a payer's close, seconds until settlement (the payee's "
                                 "time to send its last proofs)"},
                                &Config::channels, &Config::Channels::settle_delay, 0,
                                kNoUpperBound));
        t.push_back(integer_key({"channels.expiry_grace_s", K::Integer, false,
                                 "extra seconds before an expired channel settles"},
                                &Config::channels, &Config::Channels::expiry_grace, 0,
                                kNoUpperBound));
        t.push_back(integer_key({"channels.fee_bps", K::Integer, false,
                                 "operator fee on each settled channel, basis points (0..10000)"},
                                &Config::channels, &Config::Channels::fee_bps, 0, 10'000));
        t.push_back(Entry{
            {"channels.peer_escrows", K::AddressList, false,
             "other shards' escrow addresses: payees equal to one are refused, transfers from "
             "one are held for the operator"},
            [](const Config& c) {
                std::string s = "[";
                for (std::size_t i = 0; i < c.channels.peer_escrows.size(); ++i) {
                    if (i != 0)
                        s += ", ";
                    s += toml_quote(c.channels.peer_escrows[i].to_base58());
                }
                return s + "]";
            },
            [](Config& c, const Value& v) -> Problem {
                std::vector<tron::TronAddress> out;
                const auto& list = std::get<std::vector<std::string>>(v);
                for (std::size_t i = 0; i < list.size(); ++i) {
                    auto a = tron::TronAddress::parse(list[i]);
                    if (!a) {
                        return fmt::format("element {} ({}): {}", i + 1, toml_quote(list[i]),
                                           a.error().message());
                    }
                    if (std::find(out.begin(), out.end(), *a) != out.end()) {
                        return fmt::format("lists {} twice", a->to_base58());
                    }
                    out.push_back(*a);
                }
                c.channels.peer_escrows = std::move(out);
                return std::nullopt;
            }});
        // [settlement]
        t.push_back(integer_key({"settlement.window_s", K::Integer, false,
                                 "payouts owed within one window of this many seconds are "
                                 "netted into one transfer per recipient"},
                                &Config::settlement, &Config::Settlement::window, 1,
                                kNoUpperBound));
        t.push_back(integer_key({"settlement.payout_expiration_s", K::Integer, false,
                                 "a payout transaction expires this many seconds after the head "
                                 "block time (1..86400)"},
                                &Config::settlement, &Config::Settlement::payout_expiration, 1,
                                86'400, "java-tron refuses an expiration more than 24 h ahead"));
        t.push_back(bool_key({"settlement.payout_memo", K::Boolean, false,
                              "write btt-channel:v1:settle:<batch> memos on payouts"},
                             &Config::settlement, &Config::Settlement::payout_memo));
        // [limits]
        t.push_back(integer_key({"limits.max_message_bytes", K::Integer, false,
                                 "largest gRPC message the node accepts, bytes"},
                                &Config::limits, &Config::Limits::max_message_bytes, 1024,
                                64 << 20));
        t.push_back(integer_key({"limits.streams_per_connection", K::Integer, false,
                                 "concurrent gRPC streams per client connection"},
                                &Config::limits, &Config::Limits::streams_per_connection, 1,
                                1'000'000));
        t.push_back(integer_key({"limits.inflight_per_stream", K::Integer, false,
                                 "unanswered proofs per stream; at the limit the node stops "
                                 "reading that stream (flow control, not `overloaded`)"},
                                &Config::limits, &Config::Limits::inflight_per_stream, 1,
                                1'000'000));
        t.push_back(integer_key({"limits.intake_queue", K::Integer, false,
                                 "proofs queued for verification and judging; when full, new "
                                 "proofs are answered `overloaded`"},
                                &Config::limits, &Config::Limits::intake_queue, 1, 1 << 24));
        t.push_back(integer_key({"limits.request_queue", K::Integer, false,
                                 "clients' close requests and channel look-ups (GetChannel, "
                                 "WatchChannel) queued across shards; beyond it they are "
                                 "answered RESOURCE_EXHAUSTED"},
                                &Config::limits, &Config::Limits::request_queue, 1, 1 << 20));
        t.push_back(integer_key({"limits.batch_max_proofs", K::Integer, false,
                                 "group commit: most proofs in one batch (one transaction, one "
                                 "receipt signature)"},
                                &Config::limits, &Config::Limits::batch_max_proofs, 1, 1'000'000));
        t.push_back(integer_key({"limits.batch_max_delay_ms", K::Integer, false,
                                 "group commit: longest wait for a batch to fill, milliseconds "
                                 "(0: commit what is queued at once)"},
                                &Config::limits, &Config::Limits::batch_max_delay, 0, 10'000));
        t.push_back(integer_key({"limits.verify_threads", K::Integer, false,
                                 "threads recovering proof signatures; 0: one per core"},
                                &Config::limits, &Config::Limits::verify_threads, 0, 1024));
        t.push_back(integer_key({"limits.max_connections", K::Integer, false,
                                 "connections holding streams; a stream from one more is "
                                 "answered RESOURCE_EXHAUSTED while the others are served"},
                                &Config::limits, &Config::Limits::max_connections, 1,
                                1'000'000));
        t.push_back(integer_key({"limits.max_watchers", K::Integer, false,
                                 "WatchChannel calls in all (and 16 per channel per "
                                 "connection); beyond: RESOURCE_EXHAUSTED"},
                                &Config::limits, &Config::Limits::max_watchers, 1, 10'000'000));
        t.push_back(integer_key({"limits.connection_idle_s", K::Integer, false,
                                 "a connection without a call this long is closed (HTTP/2 "
                                 "keepalive finds dead peers besides), seconds"},
                                &Config::limits, &Config::Limits::connection_idle, 1, 86'400));
        t.push_back(integer_key({"limits.max_malformed_per_minute", K::Integer, false,
                                 "proofs of one connection failing the malformed class in a "
                                 "minute before its stream ends RESOURCE_EXHAUSTED"},
                                &Config::limits, &Config::Limits::max_malformed_per_minute, 1,
                                1'000'000));
        // [tron], the watcher
        t.push_back(integer_key({"tron.start_block", K::Integer, false,
                                 "first block the watcher reads when the database has no "
                                 "cursor yet; -1: the solidified head at first start"},
                                &Config::tron, &Config::Tron::start_block, -1, kNoUpperBound));
        t.push_back(integer_key({"tron.poll_ms", K::Integer, false,
                                 "how often the watcher asks for new solidified blocks, "
                                 "milliseconds"},
                                &Config::tron, &Config::Tron::poll, 10, 3'600'000));
        t.push_back(integer_key({"tron.deadline_ms", K::Integer, false,
                                 "deadline of each call to the full node, milliseconds"},
                                &Config::tron, &Config::Tron::deadline, 1, 600'000));
        // [log]
        t.push_back(Entry{{"log.level", K::String, false,
                           "least severe log level written: trace, debug, "
                           "info, warn or error"},
                          [](const Config& c) { return toml_quote(to_string(c.log.level)); },
                          [](Config& c, const Value& v) -> Problem {
                              const auto& s = std::get<std::string>(v);
                              const auto level = parse_log_level(s);
                              if (!level) {
                                  return fmt::format(
                                      "must be trace, debug, info, warn or error, got {}",
                                      toml_quote(s));
                              }
                              c.log.level = *level;
                              return std::nullopt;
                          }});
        t.push_back(Entry{{"log.format", K::String, false,
                           "log line format: text (human) or json (one object per line)"},
                          [](const Config& c) {
                              return toml_quote(c.log.format == LogFormat::Json ? "json" : "text");
                          },
                          [](Config& c, const Value& v) -> Problem {
                              const auto& s = std::get<std::string>(v);
                              if (s == "text")
                                  c.log.format = LogFormat::Text;
                              else if (s == "json")
                                  c.log.format = LogFormat::Json;
                              else
                                  return fmt::format("must be text or json, got {}", toml_quote(s));
                              return std::nullopt;
                          }});
        // [auth], [tls]
        t.push_back(string_key({"auth.operator_token_file", K::String, false,
                                "file holding the operator role's bearer token (mode 0600); "
                                "empty: AdminService answers UNAUTHENTICATED"},
                               &Config::auth, &Config::Auth::operator_token_file, nullptr));
        t.push_back(string_key({"auth.auditor_token_file", K::String, false,
                                "file holding the auditor role's bearer token (mode 0600); "
                                "empty: only the operator token reaches AuditService"},
                               &Config::auth, &Config::Auth::auditor_token_file, nullptr));
        t.push_back(string_key({"tls.cert_file", K::String, false,
                                "PEM certificate chain of the gRPC listener; with "
                                "tls.key_file, TLS is on; empty: plaintext"},
                               &Config::tls, &Config::Tls::cert_file, nullptr));
        t.push_back(string_key(
            {"tls.key_file", K::String, false, "PEM private key of tls.cert_file (mode 0600)"},
            &Config::tls, &Config::Tls::key_file, nullptr));
        t.push_back(string_key({"tls.client_ca_file", K::String, false,
                                "PEM roots for client certificates; set: mutual TLS, clients "
                                "without a certificate signed by them are refused"},
                               &Config::tls, &Config::Tls::client_ca_file, nullptr));
        return t;
    }();
    return table;
}

const Entry* find_entry(std::string_view key) {
    for (const auto& e : entries()) {
        if (e.info.key == key)
            return &e;
    }
    return nullptr;
}

std::string_view section_of(std::string_view key) {
    return key.substr(0, key.find('.'));
}

}  // namespace config_detail

using namespace config_detail;

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::Trace:
            return "trace";
        case LogLevel::Debug:
            return "debug";
        case LogLevel::Info:
            return "info";
        case LogLevel::Warn:
            return "warn";
        case LogLevel::Error:
            return "error";
    }
    return "info";
}

channels::Rules Config::rules() const {
    channels::Rules r;
    r.token_id = channels.token_id;
    r.escrow = escrow.address;
    r.peer_escrows = channels.peer_escrows;
    r.min_deposit = channels.min_deposit;
    r.min_refund = channels.min_refund;
    r.min_expiry_horizon = channels.min_expiry_horizon;
    r.max_expiry_horizon = channels.max_expiry_horizon;
    r.settle_delay = channels.settle_delay;
    r.fee_bps = channels.fee_bps;
    r.settlement_window = settlement.window;
    r.expiry_grace = channels.expiry_grace;
    return r;
}

const std::vector<KeyInfo>& config_keys() {
    static const std::vector<KeyInfo> keys = [] {
        std::vector<KeyInfo> out;
        for (const auto& e : entries())
            out.push_back(e.info);
        return out;
    }();
    return keys;
}

std::optional<std::string> value_text(const Config& config, std::string_view key) {
    const Entry* e = find_entry(key);
    if (e == nullptr)
        return std::nullopt;
    return e->show(config);
}

std::string to_toml(const Config& config) {
    // Grouped by section, sections in the order they first appear in the table.
    std::vector<std::string_view> order;
    for (const auto& e : entries()) {
        const auto s = section_of(e.info.key);
        if (std::find(order.begin(), order.end(), s) == order.end())
            order.push_back(s);
    }
    std::string out;
    for (const auto s : order) {
        out += fmt::format("{}[{}]\n", out.empty() ? "" : "\n", s);
        for (const auto& e : entries()) {
            if (section_of(e.info.key) != s)
                continue;
            out += fmt::format("{} = {}\n", e.info.key.substr(s.size() + 1), e.show(config));
        }
    }
    return out;
}

}  // namespace btt::node
