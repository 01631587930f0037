// bttnode's configuration (DESIGN §9): defaults, every key read back, every refusal named
// by its key, overrides, key files, and the shipped example.
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <btt/node/app/config.h>
#include <btt/testkit/actors.h>
#include <btt/tron/io/key_file.h>

namespace {

namespace fs = std::filesystem;
using btt::node::Config;
using btt::node::ConfigError;
using btt::node::load_config;
using btt::node::Override;
using namespace std::chrono_literals;

const std::string kZeroAddress = "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb";

std::string escrow_address() {
    return btt::testkit::escrow().address().to_base58();
}

// Only the four required keys.
std::string required_only(const std::string& extra = "") {
    return "[node]\n"
           "receipt_key_file = \"/etc/bttnode/receipt.key\"\n"
           "[escrow]\n"
           "address = \"" +
           escrow_address() +
           "\"\n"
           "key_file = \"/etc/bttnode/escrow.key\"\n"
           "[database]\n"
           "url = \"postgresql://btt:secret@127.0.0.1/btt\"\n" +
           extra;
}

// The required keys plus `extra` (TOML appended after [database]).
btt::Expected<Config, ConfigError> with(const std::string& extra,
                                        const std::vector<Override>& overrides = {}) {
    return load_config(required_only(extra), overrides);
}

// Loads, expects a refusal of `kind` naming `key`, and returns the message.
std::string refusal(const std::string& text, ConfigError::Kind kind, const std::string& key,
                    const std::vector<Override>& overrides = {}) {
    const auto r = load_config(text, overrides);
    EXPECT_FALSE(r) << text;
    if (r)
        return "";
    EXPECT_EQ(r.error().kind, kind) << r.error().message();
    EXPECT_EQ(r.error().key, key) << r.error().message();
    const auto m = r.error().message();
    EXPECT_NE(m.find(key), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    return m;
}

TEST(Config, OnlyTheRequiredKeysLoadWithEveryDefaultOfDesign) {
    const auto r = load_config(required_only(), {});
    ASSERT_TRUE(r) << r.error().message();
    const Config& c = *r;
    EXPECT_EQ(c.node.listen, "127.0.0.1:50151");
    EXPECT_EQ(c.node.metrics_listen, "127.0.0.1:9464");
    EXPECT_EQ(c.node.receipt_key_file, "/etc/bttnode/receipt.key");
    EXPECT_EQ(c.escrow.address.to_base58(), escrow_address());
    EXPECT_EQ(c.escrow.key_file, "/etc/bttnode/escrow.key");
    EXPECT_EQ(c.tron.full_node, "127.0.0.1:50051");
    EXPECT_EQ(c.tron.solidity_node, "127.0.0.1:50061");
    EXPECT_FALSE(c.tron.tls);
    EXPECT_EQ(c.database.url, "postgresql://btt:secret@127.0.0.1/btt");
    EXPECT_EQ(c.channels.token_id, "1002000");
    EXPECT_EQ(c.channels.min_deposit.value(), 1'000'000);
    EXPECT_EQ(c.channels.min_expiry_horizon, 3600s);
    EXPECT_EQ(c.channels.max_expiry_horizon, 7'776'000s);
    EXPECT_EQ(c.channels.settle_delay, 3600s);
    EXPECT_EQ(c.channels.expiry_grace, 0s);
    EXPECT_EQ(c.channels.fee_bps, 0u);
    EXPECT_TRUE(c.channels.peer_escrows.empty());
    EXPECT_EQ(c.settlement.window, 60s);
    EXPECT_EQ(c.settlement.payout_expiration, 60s);
    EXPECT_FALSE(c.settlement.payout_memo);
    // The additions of the intake issue.
    EXPECT_EQ(c.limits.max_message_bytes, 65536u);
    EXPECT_EQ(c.limits.streams_per_connection, 16u);
    EXPECT_GE(c.limits.streams_per_connection, 16u);  // DESIGN §9: at least 16
    EXPECT_EQ(c.limits.inflight_per_stream, 256u);    // DESIGN §9: at least 256
    EXPECT_EQ(c.limits.intake_queue, 65536u);
    EXPECT_EQ(c.limits.request_queue, 4096u);
    EXPECT_EQ(c.limits.batch_max_proofs, 1000u);
    EXPECT_EQ(c.limits.batch_max_delay, 5ms);
    EXPECT_EQ(c.limits.verify_threads, 0u);
    // DESIGN §10's bounds.
    EXPECT_EQ(c.limits.max_connections, 4096u);
    EXPECT_EQ(c.limits.max_watchers, 10'000u);
    EXPECT_EQ(c.limits.connection_idle, 300s);
    EXPECT_EQ(c.limits.max_malformed_per_minute, 600u);
    EXPECT_EQ(c.tron.start_block, -1);
    EXPECT_EQ(c.tron.poll, 1000ms);
    EXPECT_EQ(c.tron.deadline, 5000ms);
    EXPECT_EQ(c.log.level, btt::node::LogLevel::Info);
    // The operators' issue: text logs, roles off, no TLS.
    EXPECT_EQ(c.log.format, btt::node::LogFormat::Text);
    EXPECT_EQ(c.auth.operator_token_file, "");
    EXPECT_EQ(c.auth.auditor_token_file, "");
    EXPECT_EQ(c.tls.cert_file, "");
}

// A config that differs from the defaults in every key.
Config everything_changed() {
    Config c;
    c.node.listen = "0.0.0.0:7000";
    c.node.metrics_listen = "";
    c.node.receipt_key_file = "/keys/receipt";
    c.escrow.address = btt::testkit::escrow().address();
    c.escrow.key_file = "/keys/escrow";
    c.tron.full_node = "fullnode.example.org:50051";
    c.tron.solidity_node = "[::1]:50061";
    c.tron.tls = true;
    c.tron.start_block = 12345;
    c.tron.poll = 250ms;
    c.tron.deadline = 1500ms;
    c.database.url = "host=db1,db2 dbname=btt user=btt";
    c.channels.token_id = "1000001";
    c.channels.min_deposit = *btt::channels::Amount::from_int64(5);
    c.channels.min_refund = *btt::channels::Amount::from_int64(7);
    c.channels.min_expiry_horizon = 60s;
    c.channels.max_expiry_horizon = 86400s;
    c.channels.settle_delay = 0s;
    c.channels.expiry_grace = 30s;
    c.channels.fee_bps = 25;
    c.channels.peer_escrows = {btt::testkit::carol().address(), btt::testkit::bob().address()};
    c.settlement.window = 3600s;
    c.settlement.payout_expiration = 86400s;
    c.settlement.payout_memo = true;
    c.limits.max_message_bytes = 4096;
    c.limits.streams_per_connection = 32;
    c.limits.inflight_per_stream = 1;
    c.limits.intake_queue = 100;
    c.limits.request_queue = 50;
    c.limits.batch_max_proofs = 1;
    c.limits.batch_max_delay = 0ms;
    c.limits.verify_threads = 3;
    c.limits.max_connections = 2;
    c.limits.max_watchers = 1;
    c.limits.connection_idle = 86400s;
    c.limits.max_malformed_per_minute = 1'000'000;
    c.log.level = btt::node::LogLevel::Trace;
    c.log.format = btt::node::LogFormat::Json;
    c.auth.operator_token_file = "/etc/bttnode/operator.token";
    c.auth.auditor_token_file = "/etc/bttnode/auditor.token";
    c.tls.cert_file = "/etc/bttnode/cert.pem";
    c.tls.key_file = "/etc/bttnode/key.pem";
    c.tls.client_ca_file = "/etc/bttnode/clients.pem";
    return c;
}

TEST(Config, EveryKeyRoundTripsThroughTheFile) {
    const Config changed = everything_changed();
    const Config defaults;
    for (const auto& k : btt::node::config_keys()) {
        EXPECT_NE(*value_text(changed, k.key), *value_text(defaults, k.key))
            << k.key << " is not changed by this test";
    }
    const auto text = btt::node::to_toml(changed);
    const auto r = load_config(text, {});
    ASSERT_TRUE(r) << r.error().message() << "\n" << text;
    EXPECT_EQ(*r, changed) << text;
    EXPECT_EQ(btt::node::to_toml(*r), text);
}

// The text of a value as typed after its flag: TOML strings unquoted, arrays as A,B.
std::string as_flag(const Config& c, const btt::node::KeyInfo& k) {
    auto text = *value_text(c, k.key);
    if (k.kind == btt::node::ValueKind::String)
        return text.substr(1, text.size() - 2);
    if (k.kind == btt::node::ValueKind::AddressList) {
        std::string out;
        for (const char ch : text) {
            if (ch != '[' && ch != ']' && ch != '"' && ch != ' ')
                out += ch;
        }
        return out;
    }
    return text;
}

TEST(Config, EveryKeyRoundTripsThroughOverrides) {
    const Config changed = everything_changed();
    std::vector<Override> overrides;
    for (const auto& k : btt::node::config_keys()) {
        overrides.push_back({std::string(k.key), as_flag(changed, k)});
    }
    // Only the overrides: the file may even be empty.
    const auto r = load_config("", overrides);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(*r, changed);
}

TEST(Config, KeysAreListedOnceInDocumentationOrder) {
    std::set<std::string_view> seen;
    for (const auto& k : btt::node::config_keys()) {
        EXPECT_TRUE(seen.insert(k.key).second) << k.key;
        EXPECT_FALSE(k.meaning.empty()) << k.key;
        EXPECT_NE(k.key.find('.'), std::string_view::npos) << k.key;
    }
    const std::set<std::string_view> required = {"node.receipt_key_file", "escrow.address",
                                                 "escrow.key_file", "database.url"};
    for (const auto& k : btt::node::config_keys()) {
        EXPECT_EQ(k.required, required.count(k.key) == 1) << k.key;
    }
    EXPECT_EQ(btt::node::config_keys().front().key, "node.listen");
    EXPECT_FALSE(btt::node::value_text(Config{}, "channels.feebps"));
}

TEST(Config, RulesCarryTheChannelKeys) {
    const auto c = everything_changed();
    const auto rules = c.rules();
    EXPECT_EQ(rules.token_id, "1000001");
    EXPECT_EQ(rules.escrow, btt::testkit::escrow().address());
    EXPECT_EQ(rules.peer_escrows, c.channels.peer_escrows);
    EXPECT_EQ(rules.min_deposit.value(), 5);
    EXPECT_EQ(rules.min_expiry_horizon, 60s);
    EXPECT_EQ(rules.max_expiry_horizon, 86400s);
    EXPECT_EQ(rules.settle_delay, 0s);
    EXPECT_EQ(rules.fee_bps, 25u);
    EXPECT_EQ(rules.settlement_window, 3600s);
    EXPECT_EQ(rules.expiry_grace, 30s);
    EXPECT_TRUE(rules.validate());
}

// ---- refusals, each naming its key ----

using Kind = ConfigError::Kind;

TEST(Config, RefusesAFeeAboveTenThousandBasisPoints) {
    const auto m =
        refusal(required_only("[channels]\nfee_bps = 20000\n"), Kind::BadValue, "channels.fee_bps");
    EXPECT_EQ(m, "channels.fee_bps: must be 0..10000, got 20000 (line 9)");
    EXPECT_TRUE(with("[channels]\nfee_bps = 10000\n"));
    refusal(required_only("[channels]\nfee_bps = -1\n"), Kind::BadValue, "channels.fee_bps");
}

TEST(Config, RefusesUnknownKeysAtAnyDepth) {
    EXPECT_EQ(
        refusal(required_only("[channels]\nfeebps = 25\n"), Kind::UnknownKey, "channels.feebps"),
        "unknown key \"channels.feebps\" (line 9)");
    refusal(required_only("[limit]\nintake_queue = 5\n"), Kind::UnknownKey, "limit");
    refusal("verbose = true\n" + required_only(), Kind::UnknownKey, "verbose");
    refusal(required_only("[channels.extra]\nx = 1\n"), Kind::UnknownKey, "channels.extra");
    refusal(required_only("[node.tls]\nenabled = true\n"), Kind::UnknownKey, "node.tls");
    refusal(required_only("[authz]\noperator_token_file = \"/x\"\n"), Kind::UnknownKey, "authz");
    refusal(required_only("[auth]\ntoken = \"/x\"\n"), Kind::UnknownKey, "auth.token");
}

TEST(Config, RefusesAConfigWithoutARequiredKey) {
    EXPECT_EQ(refusal("[node]\nreceipt_key_file = \"/k\"\n[escrow]\nkey_file = \"/k\"\n"
                      "[database]\nurl = \"x\"\n",
                      Kind::Missing, "escrow.address"),
              "escrow.address: required");
    refusal("[escrow]\naddress = \"" + escrow_address() +
                "\"\nkey_file = \"/k\"\n[database]\nurl = \"x\"\n",
            Kind::Missing, "node.receipt_key_file");
    refusal("[node]\nreceipt_key_file = \"/k\"\n[escrow]\naddress = \"" + escrow_address() +
                "\"\n[database]\nurl = \"x\"\n",
            Kind::Missing, "escrow.key_file");
    refusal("[node]\nreceipt_key_file = \"/k\"\n[escrow]\naddress = \"" + escrow_address() +
                "\"\nkey_file = \"/k\"\n",
            Kind::Missing, "database.url");
    refusal(required_only(), Kind::BadValue, "database.url", {{"database.url", ""}});
    refusal(required_only(), Kind::BadValue, "escrow.key_file", {{"escrow.key_file", ""}});
}

TEST(Config, RefusesAnUnparseableEscrowAddress) {
    auto bad_checksum = escrow_address();
    bad_checksum.back() = bad_checksum.back() == 'a' ? 'b' : 'a';
    const auto m = refusal(required_only(), Kind::BadValue, "escrow.address",
                           {{"escrow.address", bad_checksum}});
    EXPECT_NE(m.find("checksum"), std::string::npos) << m;
    refusal(required_only(), Kind::BadValue, "escrow.address", {{"escrow.address", "T123"}});
    refusal(required_only(), Kind::BadValue, "escrow.address", {{"escrow.address", "0x1234"}});
    // The hex form is an address too.
    const auto hex = with("", {{"escrow.address", btt::testkit::escrow().address().to_hex()}});
    ASSERT_TRUE(hex) << hex.error().message();
    EXPECT_EQ(hex->escrow.address, btt::testkit::escrow().address());
}

TEST(Config, RefusesFileValuesOfTheWrongType) {
    const std::string addr = escrow_address();
    const auto m = refusal("[node]\nlisten = 50151\nreceipt_key_file = \"/k\"\n", Kind::WrongType,
                           "node.listen");
    EXPECT_EQ(m, "node.listen: expected a string, got an integer (line 2)");
    refusal(required_only("[channels]\nfee_bps = \"25\"\n"), Kind::WrongType, "channels.fee_bps");
    refusal(required_only("[channels]\nfee_bps = 2.5\n"), Kind::WrongType, "channels.fee_bps");
    refusal(required_only("[tron]\ntls = \"yes\"\n"), Kind::WrongType, "tron.tls");
    refusal(required_only("[channels]\npeer_escrows = \"" + addr + "\"\n"), Kind::WrongType,
            "channels.peer_escrows");
    refusal(required_only("[channels]\npeer_escrows = [1]\n"), Kind::WrongType,
            "channels.peer_escrows");
    refusal(required_only("[channels]\ntoken_id = 1002000\n"), Kind::WrongType,
            "channels.token_id");
    refusal("node = 5\n" + required_only().substr(required_only().find("[escrow]")),
            Kind::WrongType, "node");
}

TEST(Config, ReportsSyntaxErrorsWithLineAndColumn) {
    const auto r = load_config(required_only("[channels]\nfee_bps = = 3\n"), {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Kind::Syntax);
    const auto m = r.error().message();
    EXPECT_EQ(m.rfind("line 9, column ", 0), 0u) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    // A key given twice is a TOML error too.
    const auto twice = load_config(required_only("[channels]\nfee_bps = 1\nfee_bps = 2\n"), {});
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().kind, Kind::Syntax);
}

TEST(Config, RefusesEachValueOutsideItsRange) {
    struct Case {
        std::string table;
        std::string line;
        std::string key;
    };
    const std::vector<Case> cases = {
        {"channels", "min_deposit = 0", "channels.min_deposit"},
        {"channels", "min_deposit = -5", "channels.min_deposit"},
        {"channels", "min_expiry_horizon_s = 0", "channels.min_expiry_horizon_s"},
        {"channels", "max_expiry_horizon_s = 0", "channels.max_expiry_horizon_s"},
        {"channels", "min_expiry_horizon_s = 7776001", "channels.min_expiry_horizon_s"},
        {"channels", "settle_delay_s = -1", "channels.settle_delay_s"},
        {"channels", "expiry_grace_s = -1", "channels.expiry_grace_s"},
        {"channels", "token_id = \"\"", "channels.token_id"},
        {"channels", "token_id = \"10020x0\"", "channels.token_id"},
        {"channels", "token_id = \"01002000\"", "channels.token_id"},
        {"channels", "token_id = \"0\"", "channels.token_id"},
        {"channels", "token_id = \"12345678901234567890\"", "channels.token_id"},
        {"channels", "token_id = \"9999999999999999999\"", "channels.token_id"},
        {"channels", "token_id = \"-1002000\"", "channels.token_id"},
        {"channels", "peer_escrows = [\"T123\"]", "channels.peer_escrows"},
        {"settlement", "window_s = 0", "settlement.window_s"},
        {"settlement", "payout_expiration_s = 0", "settlement.payout_expiration_s"},
        {"settlement", "payout_expiration_s = 86401", "settlement.payout_expiration_s"},
        {"node", "listen = \"localhost\"", "node.listen"},
        {"node", "listen = \"localhost:\"", "node.listen"},
        {"node", "listen = \":50151\"", "node.listen"},
        {"node", "listen = \"127.0.0.1:65536\"", "node.listen"},
        {"node", "listen = \"127.0.0.1:-1\"", "node.listen"},
        {"node", "listen = \"::1:50151\"", "node.listen"},
        {"node", "listen = \"[::1\"", "node.listen"},
        {"node", "listen = \"bad host:1\"", "node.listen"},
        {"node", "listen = \"\"", "node.listen"},
        {"node", "metrics_listen = \"9464\"", "node.metrics_listen"},
        {"tron", "full_node = \"127.0.0.1:0\"", "tron.full_node"},
        {"tron", "solidity_node = \"127.0.0.1\"", "tron.solidity_node"},
        {"tron", "start_block = -2", "tron.start_block"},
        {"tron", "poll_ms = 0", "tron.poll_ms"},
        {"tron", "deadline_ms = 0", "tron.deadline_ms"},
        {"limits", "max_message_bytes = 100", "limits.max_message_bytes"},
        {"limits", "streams_per_connection = 0", "limits.streams_per_connection"},
        {"limits", "inflight_per_stream = 0", "limits.inflight_per_stream"},
        {"limits", "intake_queue = 0", "limits.intake_queue"},
        {"limits", "request_queue = 0", "limits.request_queue"},
        {"limits", "request_queue = 1048577", "limits.request_queue"},
        {"limits", "batch_max_proofs = 0", "limits.batch_max_proofs"},
        {"limits", "batch_max_delay_ms = -1", "limits.batch_max_delay_ms"},
        {"limits", "verify_threads = -1", "limits.verify_threads"},
        {"limits", "verify_threads = 4294967297", "limits.verify_threads"},
        {"log", "level = \"verbose\"", "log.level"},
        {"log", "level = \"INFO\"", "log.level"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.line);
        // The required [node] table is replaced when the case is about [node].
        std::string text = required_only();
        if (c.table == "node") {
            text.replace(0, text.find("[escrow]"),
                         "[node]\nreceipt_key_file = \"/k\"\n" + c.line + "\n");
        } else {
            text += "[" + c.table + "]\n" + c.line + "\n";
        }
        const auto m = refusal(text, Kind::BadValue, c.key);
        EXPECT_NE(m.find("(line "), std::string::npos) << m;
    }
}

TEST(Config, AcceptsEachRangesEdges) {
    for (const char* extra : {
             "[channels]\nmin_deposit = 1\n",
             "[channels]\nmin_expiry_horizon_s = 7776000\n",
             "[channels]\nmin_expiry_horizon_s = 1\nmax_expiry_horizon_s = 1\n",
             "[channels]\ntoken_id = \"9223372036854775807\"\n",
             "[channels]\ntoken_id = \"1\"\n",
             "[settlement]\npayout_expiration_s = 86400\n",
             "[settlement]\nwindow_s = 1\n",
             "[limits]\n",  // an empty table is fine
             "[tron]\nstart_block = 0\npoll_ms = 10\ndeadline_ms = 1\n",
             "[limits]\nbatch_max_delay_ms = 0\nverify_threads = 1024\n",
         }) {
        const auto r = load_config(required_only(extra), {});
        EXPECT_TRUE(r) << extra << ": " << r.error().message();
    }
    for (const char* listen : {"localhost:1", "[::]:50151", "[::ffff:127.0.0.1]:80",
                               "node-1.example.org:65535", "127.0.0.1:0"}) {
        const auto r = with("", {{"node.listen", listen}});
        EXPECT_TRUE(r) << listen << ": " << r.error().message();
    }
    EXPECT_TRUE(with("", {{"node.metrics_listen", ""}}));
}

// Issue 20, item 9: role tokens never cross the network in clear.
TEST(Config, RoleTokensBeyondLoopbackNeedTls) {
    const std::string tokens = "[auth]\noperator_token_file = \"/etc/bttnode/op.token\"\n";
    for (const char* listen : {"0.0.0.0:50151", "[::]:50151", "10.0.0.5:50151",
                               "node.example.com:50151", "127.0.0.1.example.com:1"}) {
        const auto m = refusal(required_only(tokens), ConfigError::Kind::BadValue, "node.listen",
                               {{"node.listen", listen}});
        EXPECT_NE(m.find("tls.cert_file"), std::string::npos) << m;
    }
    const std::string auditor = "[auth]\nauditor_token_file = \"/etc/bttnode/au.token\"\n";
    (void)refusal(required_only(auditor), ConfigError::Kind::BadValue, "node.listen",
                  {{"node.listen", "0.0.0.0:50151"}});
    // Loopback, TLS, or no token at all: accepted.
    for (const char* listen : {"127.0.0.1:50151", "127.1.2.3:0", "[::1]:50151", "localhost:1"}) {
        const auto r = load_config(required_only(tokens), {{"node.listen", listen}});
        EXPECT_TRUE(r) << listen << ": " << r.error().message();
    }
    EXPECT_TRUE(load_config(required_only(tokens + "[tls]\ncert_file = \"/c.pem\"\nkey_file = "
                                          "\"/k.pem\"\n"),
                            {{"node.listen", "0.0.0.0:50151"}}));
    EXPECT_TRUE(load_config(required_only(), {{"node.listen", "0.0.0.0:50151"}}));
}

TEST(Config, TlsKeysGoTogetherAndClientCertificatesNeedTls) {
    const std::string base = required_only();
    const auto only_cert = load_config(base + "[tls]\ncert_file = \"/c.pem\"\n", {});
    ASSERT_FALSE(only_cert);
    EXPECT_EQ(only_cert.error().key, "tls.key_file");
    const auto only_key = load_config(base + "[tls]\nkey_file = \"/k.pem\"\n", {});
    ASSERT_FALSE(only_key);
    EXPECT_EQ(only_key.error().key, "tls.cert_file");
    const auto ca_alone = load_config(base + "[tls]\nclient_ca_file = \"/ca.pem\"\n", {});
    ASSERT_FALSE(ca_alone);
    EXPECT_EQ(ca_alone.error().key, "tls.cert_file");
    EXPECT_TRUE(load_config(base + "[tls]\ncert_file = \"/c.pem\"\nkey_file = \"/k.pem\"\n", {}));
    const auto bad_format = load_config(base + "[log]\nformat = \"xml\"\n", {});
    ASSERT_FALSE(bad_format);
    EXPECT_EQ(bad_format.error().key, "log.format");
}

TEST(Config, RefusesAnEscrowThatIsAlsoAPeer) {
    const auto m = refusal(
        required_only("[channels]\npeer_escrows = [\"" + btt::testkit::bob().address().to_base58() +
                      "\", \"" + escrow_address() + "\"]\n"),
        Kind::BadValue, "channels.peer_escrows");
    EXPECT_NE(m.find(escrow_address()), std::string::npos) << m;
    EXPECT_NE(m.find("(line 9)"), std::string::npos) << m;
    refusal(
        required_only("[channels]\npeer_escrows = [\"" + btt::testkit::bob().address().to_base58() +
                      "\", \"" + btt::testkit::bob().address().to_base58() + "\"]\n"),
        Kind::BadValue, "channels.peer_escrows");
}

TEST(Config, RefusesAMinimumHorizonAboveTheMaximum) {
    const auto m = refusal(
        required_only("[channels]\nmin_expiry_horizon_s = 100\nmax_expiry_horizon_s = 99\n"),
        Kind::BadValue, "channels.min_expiry_horizon_s");
    EXPECT_NE(m.find("channels.max_expiry_horizon_s"), std::string::npos) << m;
}

// ---- overrides ----

TEST(Config, OverridesWinOverTheFile) {
    const auto r =
        with("[channels]\nfee_bps = 10\ntoken_id = \"1000001\"\n",
             {{"channels.fee_bps", "25"},
              {"tron.tls", "true"},
              {"node.listen", "0.0.0.0:1"},
              {"channels.peer_escrows", btt::testkit::bob().address().to_base58() + " , " +
                                            btt::testkit::carol().address().to_hex()},
              {"channels.settle_delay_s", "0"},
              {"tron.start_block", "-1"}});
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->channels.fee_bps, 25u);
    EXPECT_EQ(r->channels.token_id, "1000001");  // not overridden
    EXPECT_TRUE(r->tron.tls);
    EXPECT_EQ(r->node.listen, "0.0.0.0:1");
    EXPECT_EQ(r->channels.peer_escrows,
              (std::vector{btt::testkit::bob().address(), btt::testkit::carol().address()}));
    EXPECT_EQ(r->channels.settle_delay, 0s);
    // The later of two overrides of one key wins; an empty list clears the file's.
    const auto later =
        with("[channels]\npeer_escrows = [\"" + btt::testkit::bob().address().to_base58() + "\"]\n",
             {{"channels.fee_bps", "1"}, {"channels.fee_bps", "2"}, {"channels.peer_escrows", ""}});
    ASSERT_TRUE(later) << later.error().message();
    EXPECT_EQ(later->channels.fee_bps, 2u);
    EXPECT_TRUE(later->channels.peer_escrows.empty());
}

TEST(Config, OverridesAreTypeChecked) {
    EXPECT_EQ(refusal(required_only(), Kind::WrongType, "channels.fee_bps",
                      {{"channels.fee_bps", "abc"}}),
              "channels.fee_bps: expected an integer, got \"abc\" (command line)");
    refusal(required_only(), Kind::WrongType, "channels.fee_bps", {{"channels.fee_bps", "2.5"}});
    refusal(required_only(), Kind::WrongType, "channels.fee_bps", {{"channels.fee_bps", ""}});
    refusal(required_only(), Kind::WrongType, "channels.fee_bps", {{"channels.fee_bps", " 25"}});
    refusal(required_only(), Kind::WrongType, "tron.tls", {{"tron.tls", "yes"}});
    refusal(required_only(), Kind::WrongType, "tron.tls", {{"tron.tls", "1"}});
    EXPECT_EQ(refusal(required_only(), Kind::BadValue, "channels.fee_bps",
                      {{"channels.fee_bps", "20000"}}),
              "channels.fee_bps: must be 0..10000, got 20000 (command line)");
    refusal(required_only(), Kind::BadValue, "channels.peer_escrows",
            {{"channels.peer_escrows", btt::testkit::bob().address().to_base58() + ",,"}});
}

TEST(Config, RefusesAnUnknownOverride) {
    EXPECT_EQ(
        refusal(required_only(), Kind::UnknownKey, "channels.feebps", {{"channels.feebps", "25"}}),
        "unknown key \"channels.feebps\" (command line)");
    refusal(required_only(), Kind::UnknownKey, "channels", {{"channels", "1"}});
}

TEST(Config, AFileErrorIsReportedEvenWhenAnOverrideSetsTheKey) {
    refusal(required_only("[channels]\nfee_bps = \"x\"\n"), Kind::WrongType, "channels.fee_bps",
            {{"channels.fee_bps", "25"}});
}

// ---- database.url ----

TEST(Config, DatabaseUrlsLoseTheirPasswordInMessages) {
    using btt::node::redact_database_url;
    EXPECT_EQ(redact_database_url("postgresql://btt:secret@127.0.0.1:5432/btt"),
              "postgresql://btt@127.0.0.1:5432/btt");
    EXPECT_EQ(
        redact_database_url("postgres://btt:p%40ss@h1,h2:5433/btt?password=a&sslmode=require"),
        "postgres://btt@h1,h2:5433/btt?sslmode=require");
    // Unencoded '@', '/' or '?' in a password: ambiguous, so nothing of it is shown.
    for (const char* url : {"postgresql://btt:s3cr/t@h/btt", "postgresql://btt:s3?t@h/btt",
                            "postgresql://btt:p@ss@h/btt", "postgresql://h/db?user=a@b"}) {
        EXPECT_EQ(redact_database_url(url), "(unparsed connection string)") << url;
    }
    EXPECT_EQ(redact_database_url("postgresql://h/db?password=a"), "postgresql://h/db");
    EXPECT_EQ(redact_database_url("postgresql:///btt?host=/run/postgresql"),
              "postgresql:///btt?host=/run/postgresql");
    EXPECT_EQ(redact_database_url("host=db1,db2 password=secret dbname=btt"),
              "host=db1,db2 dbname=btt");
    EXPECT_EQ(redact_database_url("host = db password = 'se cret\\' x' user=btt"),
              "host = db user=btt");
    EXPECT_EQ(redact_database_url("password=secret"), "");
    EXPECT_EQ(redact_database_url("host=db password='unterminated"),
              "(unparsed connection string)");
    EXPECT_EQ(redact_database_url("not a conninfo"), "(unparsed connection string)");
}

// Issue 20, item 9: every libpq parameter holding a secret, however its key is spelled.
TEST(Config, DatabaseUrlsLoseEverySecretParameterEvenPercentEncoded) {
    using btt::node::redact_database_url;
    EXPECT_EQ(redact_database_url("postgresql://h/db?sslpassword=k3y&sslmode=verify-full"),
              "postgresql://h/db?sslmode=verify-full");
    // libpq percent-decodes query keys: "pass%77ord" is password, "%73slpassword" sslpassword.
    EXPECT_EQ(redact_database_url("postgresql://h/db?pass%77ord=s3cret&application_name=x"),
              "postgresql://h/db?application_name=x");
    EXPECT_EQ(redact_database_url("postgresql://h/db?%73slpassword=s3cret"), "postgresql://h/db");
    // libpq would refuse "Password" as a key, but it still holds what was meant as one.
    EXPECT_EQ(redact_database_url("postgresql://h/db?%50assword=s3cret"), "postgresql://h/db");
    EXPECT_EQ(redact_database_url("host=db PASSWORD=s3cret"), "host=db");
    // A broken escape in a key: libpq refuses the string; so do we, showing nothing.
    EXPECT_EQ(redact_database_url("postgresql://h/db?pass%7=s3cret"),
              "(unparsed connection string)");
    EXPECT_EQ(redact_database_url("host=db sslpassword=k3y sslkey=/etc/k.pem"),
              "host=db sslkey=/etc/k.pem");
    for (const char* url : {"postgresql://h/db?sslpassword=k3y", "postgresql://h/db?pass%77ord=s3cret",
                            "host=db sslpassword='k3y'"}) {
        const auto shown = redact_database_url(url);
        EXPECT_EQ(shown.find("k3y"), std::string::npos) << shown;
        EXPECT_EQ(shown.find("s3cret"), std::string::npos) << shown;
    }
}

// ---- key files ----

class ConfigKeys : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "btt-config-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        m_dir = pattern;
        ASSERT_TRUE(
            btt::tron::io::write_private_key_file(path("receipt.key"), btt::testkit::node_key()));
        ASSERT_TRUE(
            btt::tron::io::write_private_key_file(path("escrow.key"), btt::testkit::escrow()));
        ASSERT_TRUE(btt::tron::io::write_private_key_file(path("bob.key"), btt::testkit::bob()));
    }
    void TearDown() override { fs::remove_all(m_dir); }
    std::string path(const std::string& name) const { return (m_dir / name).string(); }

    Config config() const {
        Config c;
        c.node.receipt_key_file = path("receipt.key");
        c.escrow.address = btt::testkit::escrow().address();
        c.escrow.key_file = path("escrow.key");
        c.database.url = "postgresql://btt@127.0.0.1/btt";
        return c;
    }

    // No key of the test appears in `message`.
    static void expect_no_key(const std::string& message) {
        for (const auto* key :
             {&btt::testkit::node_key(), &btt::testkit::escrow(), &btt::testkit::bob()}) {
            const auto hex = key->to_hex();
            EXPECT_EQ(message.find(hex), std::string::npos) << message;
            EXPECT_EQ(message.find(hex.substr(0, 16)), std::string::npos) << message;
        }
    }

    fs::path m_dir;
};

TEST_F(ConfigKeys, LoadsBothKeys) {
    const auto keys = btt::node::load_keys(config());
    ASSERT_TRUE(keys) << keys.error().message();
    EXPECT_EQ(keys->receipt_key.address(), btt::testkit::node_key().address());
    EXPECT_EQ(keys->escrow_key.address(), btt::testkit::escrow().address());
    // One file may hold both (DESIGN §9: the escrow key may equal the receipt key).
    auto same = config();
    same.node.receipt_key_file = same.escrow.key_file;
    const auto one = btt::node::load_keys(same);
    ASSERT_TRUE(one) << one.error().message();
    EXPECT_EQ(one->receipt_key.address(), btt::testkit::escrow().address());
}

TEST_F(ConfigKeys, LoadsRoleTokensAndRefusesWeakOrSharedOnes) {
    const auto token_file = [&](const std::string& name, const std::string& text, mode_t mode) {
        std::ofstream(path(name)) << text << "\n";
        EXPECT_EQ(chmod(path(name).c_str(), mode), 0);
        return path(name);
    };
    const std::string op = "operator-0123456789abcdef", au = "auditor-0123456789abcdef";
    auto c = config();
    c.auth.operator_token_file = token_file("op", op, 0600);
    c.auth.auditor_token_file = token_file("au", au, 0600);
    const auto keys = btt::node::load_keys(c);
    ASSERT_TRUE(keys) << keys.error().message();
    EXPECT_EQ(keys->operator_token, op);
    EXPECT_EQ(keys->auditor_token, au);
    // No auditor file: that role is off.
    auto no_auditor = c;
    no_auditor.auth.auditor_token_file.clear();
    EXPECT_EQ(btt::node::load_keys(no_auditor)->auditor_token, "");

    const auto refused = [&](Config bad, const char* key) {
        const auto r = btt::node::load_keys(bad);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, Kind::KeyFile);
        EXPECT_EQ(r.error().key, key);
        EXPECT_EQ(r.error().message().find(op), std::string::npos) << r.error().message();
        EXPECT_EQ(r.error().message().find(au), std::string::npos) << r.error().message();
    };
    auto open = c;
    open.auth.operator_token_file = token_file("open", op, 0644);
    refused(open, "auth.operator_token_file");
    auto short_token = c;
    short_token.auth.auditor_token_file = token_file("short", "abc", 0600);
    refused(short_token, "auth.auditor_token_file");
    auto spaced = c;
    spaced.auth.auditor_token_file = token_file("spaced", "auditor token with spaces", 0600);
    refused(spaced, "auth.auditor_token_file");
    auto shared = c;
    shared.auth.auditor_token_file = token_file("shared", op, 0600);
    refused(shared, "auth.auditor_token_file");
    auto missing = c;
    missing.auth.operator_token_file = path("absent.token");
    refused(missing, "auth.operator_token_file");
}

TEST_F(ConfigKeys, RefusesATlsKeyOthersCanRead) {
    std::ofstream(path("cert.pem")) << "-----BEGIN CERTIFICATE-----\n";
    std::ofstream(path("key.pem")) << "-----BEGIN PRIVATE KEY-----\n";
    ASSERT_EQ(chmod(path("key.pem").c_str(), 0644), 0);
    auto c = config();
    c.tls.cert_file = path("cert.pem");
    c.tls.key_file = path("key.pem");
    const auto r = btt::node::load_keys(c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().key, "tls.key_file");
    ASSERT_EQ(chmod(path("key.pem").c_str(), 0600), 0);
    const auto ok = btt::node::load_keys(c);
    ASSERT_TRUE(ok) << ok.error().message();
    EXPECT_EQ(ok->tls_key_pem, "-----BEGIN PRIVATE KEY-----\n");
    EXPECT_EQ(ok->tls_cert_pem, "-----BEGIN CERTIFICATE-----\n");
}

TEST_F(ConfigKeys, RefusesAMissingKeyFile) {
    auto c = config();
    c.node.receipt_key_file = path("absent.key");
    const auto r = btt::node::load_keys(c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Kind::KeyFile);
    EXPECT_EQ(r.error().key, "node.receipt_key_file");
    const auto m = r.error().message();
    EXPECT_EQ(m.rfind("node.receipt_key_file: ", 0), 0u) << m;
    EXPECT_NE(m.find(path("absent.key")), std::string::npos) << m;
    expect_no_key(m);

    c = config();
    c.escrow.key_file = path("absent.key");
    const auto e = btt::node::load_keys(c);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().key, "escrow.key_file");
}

TEST_F(ConfigKeys, RefusesAKeyFileOthersCanRead) {
    ASSERT_EQ(chmod(path("escrow.key").c_str(), 0644), 0);
    const auto r = btt::node::load_keys(config());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Kind::KeyFile);
    EXPECT_EQ(r.error().key, "escrow.key_file");
    const auto m = r.error().message();
    EXPECT_NE(m.find("escrow.key_file"), std::string::npos) << m;
    EXPECT_NE(m.find("chmod 600"), std::string::npos) << m;
    expect_no_key(m);
}

TEST_F(ConfigKeys, RefusesABadKeyFileWithoutQuotingIt) {
    { std::ofstream(path("bad.key")) << btt::testkit::escrow().to_hex().substr(0, 63) << "z\n"; }
    ASSERT_EQ(chmod(path("bad.key").c_str(), 0600), 0);
    auto c = config();
    c.escrow.key_file = path("bad.key");
    const auto r = btt::node::load_keys(c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().key, "escrow.key_file");
    expect_no_key(r.error().message());
}

TEST_F(ConfigKeys, RefusesAnEscrowKeyOfAnotherAddress) {
    auto c = config();
    c.escrow.key_file = path("bob.key");
    const auto r = btt::node::load_keys(c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Kind::KeyMismatch);
    EXPECT_EQ(r.error().key, "escrow.key_file");
    const auto m = r.error().message();
    EXPECT_NE(m.find(btt::testkit::bob().address().to_base58()), std::string::npos) << m;
    EXPECT_NE(m.find(btt::testkit::escrow().address().to_base58()), std::string::npos) << m;
    expect_no_key(m);
}

TEST_F(ConfigKeys, LoadsAFileAndNamesItInErrors) {
    const auto file = path("bttnode.toml");
    {
        std::ofstream(file) << "[node]\nreceipt_key_file = \"" << path("receipt.key")
                            << "\"\n[escrow]\naddress = \"" << escrow_address()
                            << "\"\nkey_file = \"" << path("escrow.key")
                            << "\"\n[database]\nurl = \"postgresql://btt@127.0.0.1/btt\"\n"
                            << "[channels]\nfee_bps = 5\n";
    }
    const auto r = btt::node::load_config_file(file, {{"channels.token_id", "1000001"}});
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->channels.fee_bps, 5u);
    EXPECT_EQ(r->channels.token_id, "1000001");
    EXPECT_TRUE(btt::node::load_keys(*r));

    const auto bad = btt::node::load_config_file(file, {{"channels.fee_bps", "x"}});
    ASSERT_FALSE(bad);
    { std::ofstream(file, std::ios::app) << "feebps = 1\n"; }
    const auto unknown = btt::node::load_config_file(file, {});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message(), "unknown key \"channels.feebps\" (" + file + ":10)");
    { std::ofstream(file, std::ios::app) << "[[\n"; }
    const auto syntax = btt::node::load_config_file(file, {});
    ASSERT_FALSE(syntax);
    EXPECT_EQ(syntax.error().kind, Kind::Syntax);
    EXPECT_EQ(syntax.error().message().rfind(file + ":11:", 0), 0u) << syntax.error().message();

    const auto missing = btt::node::load_config_file(path("absent.toml"), {});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, Kind::CannotRead);
    EXPECT_NE(missing.error().message().find(path("absent.toml")), std::string::npos);
    const auto directory = btt::node::load_config_file(m_dir.string(), {});
    ASSERT_FALSE(directory);
    EXPECT_EQ(directory.error().kind, Kind::CannotRead);
}

// ---- the shipped example ----

TEST(ConfigExample, LoadsAndSetsEveryKeyToItsDefault) {
    const auto r = btt::node::load_config_file(BTT_EXAMPLE_CONFIG, {});
    ASSERT_TRUE(r) << r.error().message();
    const auto table = toml::parse_file(BTT_EXAMPLE_CONFIG);
    const Config defaults;
    for (const auto& k : btt::node::config_keys()) {
        EXPECT_TRUE(table.at_path(k.key)) << k.key << " is missing from the example";
        if (!k.required) {
            EXPECT_EQ(*value_text(*r, k.key), *value_text(defaults, k.key))
                << k.key << ": the example's value is not the default";
        }
    }
}

}  // namespace
