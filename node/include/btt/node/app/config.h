#pragma once
// bttnode's configuration (DESIGN §9 "Command line and configuration"): every key, its
// type, its default and the checks its value must pass, in one place. A TOML file is read,
// command-line overrides (`--channels.fee_bps 25`) replace its values, and the result is
// checked as a whole; the first problem is reported in one line that names the key.
//
// Parsing never opens key files: load_keys() does, separately, so that `--check-config`
// and start-up check exactly the same things. Keys never appear in any message.
//
// Deliberately not here: connecting to PostgreSQL or the full node, comparing the config
// with the database's node_meta (the store does that at start), logging.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <btt/base/expected.h>
#include <btt/channels/amount.h>
#include <btt/channels/rules.h>
#include <btt/tron/address.h>
#include <btt/tron/keys.h>

namespace btt::node {

enum class LogLevel { Trace, Debug, Info, Warn, Error };
enum class LogFormat { Text, Json };

// "trace", "debug", "info", "warn", "error": the spelling of log.level.
[[nodiscard]] std::string_view to_string(LogLevel level);

// Every key of DESIGN §9's table plus limits.*, tron.start_block/poll_ms/deadline_ms and
// log.level. Default member values are the documented defaults; required keys (node.
// receipt_key_file, escrow.address, escrow.key_file, database.url) default to empty (the
// zero address for escrow.address) and load_config refuses a config without them.
struct Config {
    struct Node {
        std::string listen = "127.0.0.1:50151";         // gRPC listen address, host:port
        std::string metrics_listen = "127.0.0.1:9464";  // HTTP /metrics; empty: off
        std::string receipt_key_file;                   // 0600 key file; signs batch receipts
        bool operator==(const Node&) const = default;
    };
    struct Escrow {
        tron::TronAddress address;  // the escrow's address
        std::string key_file;       // 0600 key file of that address; signs payouts
        bool operator==(const Escrow&) const = default;
    };
    struct Tron {
        std::string full_node = "127.0.0.1:50051";      // protocol.Wallet, host:port
        std::string solidity_node = "127.0.0.1:50061";  // protocol.WalletSolidity, host:port
        bool tls = false;                               // TLS to both endpoints
        // First block the watcher applies when the database has no cursor yet; -1: the
        // solidified head at first start. Ignored once a cursor is stored.
        std::int64_t start_block = -1;
        std::chrono::milliseconds poll{1000};      // watcher's poll interval
        std::chrono::milliseconds deadline{5000};  // per call to the full node
        bool operator==(const Tron&) const = default;
    };
    struct Database {
        std::string url;  // libpq connection string or URI (multi-host allowed)
        bool operator==(const Database&) const = default;
    };
    struct Channels {
        std::string token_id = "1002000";  // TRC-10 token settled (decimal id)
        btt::channels::Amount min_deposit = *btt::channels::Amount::from_int64(1'000'000);
        // Unclaimed transfers of token_id under it are held for the operator (DESIGN §10).
        btt::channels::Amount min_refund = *btt::channels::Amount::from_int64(1'000'000);
        std::chrono::seconds min_expiry_horizon{3600};     // expiry - open time, at least
        std::chrono::seconds max_expiry_horizon{7776000};  // and at most (90 days)
        std::chrono::seconds settle_delay{3600};           // payer close -> settlement
        std::chrono::seconds expiry_grace{0};              // extra wait after expiry
        std::uint32_t fee_bps = 0;                         // operator fee, basis points
        std::vector<tron::TronAddress> peer_escrows;       // other shards' escrows
        bool operator==(const Channels&) const = default;
    };
    struct Settlement {
        std::chrono::seconds window{60};             // payouts of one window are netted
        std::chrono::seconds payout_expiration{60};  // head block time + this
        bool payout_memo = false;                    // btt-channel:v1:settle:<batch> memos
        bool operator==(const Settlement&) const = default;
    };
    struct Limits {
        std::uint32_t max_message_bytes = 65536;    // largest gRPC message received
        std::uint32_t streams_per_connection = 16;  // concurrent streams per connection
        // Unanswered proofs per stream; at the limit the node reads no further from that
        // stream (flow control), it never answers `overloaded` for this.
        std::uint32_t inflight_per_stream = 256;
        // Proofs queued for verification and judging; when full: `overloaded`.
        std::uint32_t intake_queue = 65536;
        std::uint32_t request_queue = 4096;
        std::uint32_t batch_max_proofs = 1000;         // group commit: size bound
        std::chrono::milliseconds batch_max_delay{5};  // group commit: time bound
        std::uint32_t verify_threads = 0;              // signature recovery; 0: one per core
        // DESIGN §10: connections holding streams, watchers in all (16 per channel per
        // connection besides), idle connections, malformed proofs per connection a minute.
        std::uint32_t max_connections = 4096;
        std::uint32_t max_watchers = 10'000;
        std::chrono::seconds connection_idle{300};
        std::uint32_t max_malformed_per_minute = 600;
        bool operator==(const Limits&) const = default;
    };
    struct Log {
        LogLevel level = LogLevel::Info;
        LogFormat format = LogFormat::Text;  // json: one object per line
        bool operator==(const Log&) const = default;
    };
    // Bearer tokens of the operators' and auditors' services (DESIGN §9). A role without
    // a token file answers UNAUTHENTICATED to that role's methods.
    struct Auth {
        std::string operator_token_file;  // 0600; AdminService and AuditService
        std::string auditor_token_file;   // 0600; AuditService only
        bool operator==(const Auth&) const = default;
    };
    // TLS on the gRPC listener: on when cert_file and key_file are set; client_ca_file
    // set: mutual TLS, every client must present a certificate signed by it.
    struct Tls {
        std::string cert_file;       // PEM certificate chain
        std::string key_file;        // PEM private key (0600)
        std::string client_ca_file;  // PEM roots for client certificates
        bool operator==(const Tls&) const = default;
    };

    Node node;
    Escrow escrow;
    Tron tron;
    Database database;
    Channels channels;
    Settlement settlement;
    Limits limits;
    Log log;
    Auth auth;
    Tls tls;

    // The channel rules this config describes (escrow, peer escrows, token, minimum
    // deposit, horizons, settle delay, fee, settlement window, expiry grace). A Config
    // returned by load_config always gives rules that pass Rules::validate().
    [[nodiscard]] btt::channels::Rules rules() const;

    bool operator==(const Config&) const = default;
};

// One `--dotted.key VALUE` from the command line. The text is read according to the key's
// type: integers in decimal, booleans `true`/`false`, strings as they are, address lists
// as comma-separated addresses (empty text: no address).
struct Override {
    std::string key;
    std::string value;
};

struct ConfigError {
    enum class Kind {
        CannotRead,   // the config file cannot be read
        Syntax,       // not TOML
        UnknownKey,   // a key (at any depth) or an override that no table here defines
        WrongType,    // e.g. a number where a string is expected
        BadValue,     // right type, outside what the key allows
        Missing,      // a required key is absent
        KeyFile,      // a key file is missing, unreadable, too open or malformed
        KeyMismatch,  // escrow.key_file does not hold the key of escrow.address
    };
    Kind kind;
    std::string key;     // dotted key ("channels.fee_bps"); empty for CannotRead and Syntax
    std::string detail;  // the problem, e.g. "must be 0..10000, got 20000"
    std::string origin;  // "line 7", "bttnode.toml:7", "command line", or empty

    // One line, e.g. `channels.fee_bps: must be 0..10000, got 20000 (line 7)`,
    // `unknown key "channels.feebps" (line 9)`, `escrow.address: required`.
    [[nodiscard]] std::string message() const;
};

// Parses and checks a whole configuration: TOML syntax, unknown keys (any depth), types,
// every value's range, required keys, cross-key rules (min horizon <= max horizon, escrow
// not among peer_escrows) and channels::Rules::validate(). Overrides replace file values
// (the file's own values must still be well-typed). Returns the first problem found.
// Reads no files.
[[nodiscard]] Expected<Config, ConfigError> load_config(std::string_view toml_text,
                                                        const std::vector<Override>& overrides);

// The same for a file; CannotRead when it cannot be read. Messages name the file.
[[nodiscard]] Expected<Config, ConfigError> load_config_file(
    const std::string& path, const std::vector<Override>& overrides);

struct NodeKeys {
    tron::PrivateKey receipt_key;  // signs batch receipts
    tron::PrivateKey escrow_key;   // signs payouts; its address is escrow.address
    std::string operator_token;    // empty: the operator role is off
    std::string auditor_token;     // empty: the auditor role is off
    std::string tls_cert_pem;      // empty: no TLS
    std::string tls_key_pem;
    std::string tls_client_ca_pem;  // empty: no client certificates asked for
};

// Reads node.receipt_key_file and escrow.key_file (tron::io::read_private_key_file:
// refuses missing files and any group/other permission bit), the auth.* token files (same
// mode rule; one line, no spaces, at least 16 characters) and the tls.* files (the key
// 0600). KeyFile names the file and the problem; KeyMismatch names the key's address and
// escrow.address. Never a key or a token.
[[nodiscard]] Expected<NodeKeys, ConfigError> load_keys(const Config& config);

// ---- The key table, for the command line, documentation and tests ----

enum class ValueKind { Integer, Boolean, String, AddressList };

struct KeyInfo {
    std::string_view key;  // "channels.fee_bps"
    ValueKind kind;
    bool required;
    std::string_view meaning;  // one sentence, units included
};

// Every key, in documentation order (the order of DESIGN §9, then the additions).
[[nodiscard]] const std::vector<KeyInfo>& config_keys();

// The value of `key` in `config` as TOML text (`"127.0.0.1:50151"`, `3600`, `false`,
// `["T..."]`); nullopt for an unknown key.
[[nodiscard]] std::optional<std::string> value_text(const Config& config, std::string_view key);

// The whole config as a TOML document that load_config reads back to an equal Config.
[[nodiscard]] std::string to_toml(const Config& config);

// database.url with any password removed (URI user:password@ and password= parameters,
// key=value password=...), for messages and logs. A string it cannot parse becomes
// "(unparsed connection string)" rather than risk printing a secret.
[[nodiscard]] std::string redact_database_url(std::string_view url);

}  // namespace btt::node
