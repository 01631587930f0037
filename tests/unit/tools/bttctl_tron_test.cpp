// bttctl's key/tx/message/proof commands reproduce every SDK vector, and every malformed
// input class exits 2 with a reason on stderr.
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <btt/base/hex.h>
#include <btt/testkit/actors.h>
#include <btt/testkit/vectors.h>

#include "bttctl_runner.h"

namespace {

using btt::testing::run_ctl;
using nlohmann::json;

const json& vectors() { return btt::testkit::tron_vectors(); }

std::string key_of(const std::string& address_hex) {
    for (const auto& k : vectors()["keys"]) {
        if (k["address_hex"] == address_hex) return k["private_key"];
    }
    return "";
}

std::vector<json> transfers() {
    std::vector<json> out;
    for (const auto& k : vectors()["keys"]) {
        for (const char* kind : {"trc10_transfer_with_memo", "trc10_transfer", "trx_transfer"}) {
            out.push_back(k[kind]);
        }
    }
    for (const auto& e : vectors()["edge_cases"]) {
        if (e.contains("raw_data_hex")) out.push_back(e);
    }
    return out;
}

std::vector<std::string> build_args(const json& p) {
    const bool asset = p.contains("asset_name_ascii");
    std::vector<std::string> args = {"--json", "tx", asset ? "transfer-asset" : "transfer",
                                     "--private-key", key_of(p["owner_address"]),
                                     "--to", p["to_address"],
                                     "--amount", std::to_string(p["amount"].get<long long>()),
                                     "--ref-block-bytes", p["ref_block_bytes"],
                                     "--ref-block-hash", p["ref_block_hash"],
                                     "--expiration", std::to_string(p["expiration"].get<long long>()),
                                     "--timestamp", std::to_string(p["timestamp"].get<long long>())};
    if (asset) {
        args.push_back("--token");
        args.push_back(p["asset_name_ascii"]);
    }
    if (p.contains("data_hex") && p["data_hex"].is_string()) {
        args.push_back("--memo-hex");
        args.push_back(p["data_hex"]);
    }
    return args;
}

TEST(BttctlTron, KeyAddressReproducesEveryVectorKey) {
    for (const auto& k : vectors()["keys"]) {
        const auto r = run_ctl({"--json", "key", "address", "--private-key", k["private_key"]});
        ASSERT_EQ(r.code, 0) << r.err;
        const auto j = r.json();
        EXPECT_EQ(j["address"], k["address_base58"]);
        EXPECT_EQ(j["address_hex"], k["address_hex"]);
        EXPECT_EQ(j["public_key"], k["public_key_uncompressed"]);
        const auto p = run_ctl({"--json", "key", "address", "--public-key", k["public_key_compressed"]});
        ASSERT_EQ(p.code, 0) << p.err;
        EXPECT_EQ(p.json()["address"], k["address_base58"]);
    }
}

TEST(BttctlTron, KeyNewGivesAConsistentFreshKey) {
    const auto a = run_ctl({"--json", "key", "new"});
    const auto b = run_ctl({"--json", "key", "new"});
    ASSERT_EQ(a.code, 0);
    EXPECT_NE(a.json()["private_key"], b.json()["private_key"]);
    const auto again = run_ctl({"--json", "key", "address", "--private-key", a.json()["private_key"]});
    EXPECT_EQ(again.json()["address"], a.json()["address"]);
    EXPECT_EQ(a.json()["address_hex"].get<std::string>().substr(0, 2), "41");
}

TEST(BttctlTron, MessageMayBeGivenAsText) {
    // TronWeb's own vector: "hello world" signed by key 1.
    const std::string one(63, '0');
    const auto s = run_ctl({"--json", "message", "sign", "--private-key", one + "1", "--message", "hello world"});
    ASSERT_EQ(s.code, 0) << s.err;
    EXPECT_EQ(s.json()["signature"],
              "0dc0b53d525e0103a6013061cf18e60cf158809149f2b8994a545af65a7004cb1eeaff560e801ab51b28df5d42549aa0"
              "24c2aa7e9d34de1e01294b9afb5e6c7e1c");
    const auto v = run_ctl({"--json", "message", "verify", "--message", "hello world", "--signature",
                            s.json()["signature"]});
    ASSERT_EQ(v.code, 0) << v.err;
    EXPECT_EQ(v.json()["signer"], "TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC");
    EXPECT_EQ(run_ctl({"message", "verify", "--message", "hello worle", "--signature", s.json()["signature"],
                       "--expected-signer", "TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC"})
                  .code,
              1);
    EXPECT_EQ(run_ctl({"message", "sign", "--private-key", one + "1"}).code, 2);
    EXPECT_EQ(run_ctl({"message", "sign", "--private-key", one + "1", "--message", "a", "--payload-hex", "61"}).code,
              2);
}

TEST(BttctlTron, DecodeShowsAMemoAsTextOnlyWhenItIsWellFormedUtf8) {
    const std::string one(63, '0');
    const auto memo_text = [&](const std::string& memo_hex) {
        const auto b = run_ctl({"--json", "tx", "transfer", "--private-key", one + "1", "--to",
                                "TDvSsdrNM5eeXNL3czpa6AxLDHZA9nwe9K", "--amount", "1", "--ref-block-bytes", "8700",
                                "--ref-block-hash", "b11fbec350afc473", "--expiration", "1", "--timestamp", "1",
                                "--memo-hex", memo_hex});
        EXPECT_EQ(b.code, 0) << b.err;
        const auto d = run_ctl({"--json", "tx", "decode", "--raw-data-hex", b.json()["raw_data_hex"]});
        EXPECT_EQ(d.json()["data"], memo_hex);
        return d.json().value("data_text", std::string("<none>"));
    };
    EXPECT_EQ(memo_text("68c3a96c6c6f"), "h\u00e9llo");
    EXPECT_EQ(memo_text("f09f9880"), "\U0001F600");
    EXPECT_EQ(memo_text("c328"), "<none>");      // bad continuation byte
    EXPECT_EQ(memo_text("c0af"), "<none>");      // overlong '/'
    EXPECT_EQ(memo_text("eda080"), "<none>");    // a UTF-16 surrogate
    EXPECT_EQ(memo_text("f4908080"), "<none>");  // past U+10FFFF
    EXPECT_EQ(memo_text("e282"), "<none>");      // cut short
}

TEST(BttctlTron, JsonMayComeAnywhereOnTheLine) {
    const auto& k = vectors()["keys"][0];
    const std::string key = k["private_key"];
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--json", "key", "address", "--private-key", key},
          {"key", "--json", "address", "--private-key", key},
          {"key", "address", "--private-key", key, "--json"}}) {
        const auto r = run_ctl(args);
        ASSERT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(r.json()["address"], k["address_base58"]);
    }
    // A flag nobody knows is still refused, wherever it is.
    EXPECT_EQ(run_ctl({"key", "address", "--private-key", key, "--jsn"}).code, 2);
}

TEST(BttctlTron, TxCommandsReproduceEveryTransferVector) {
    const auto all = transfers();
    ASSERT_GE(all.size(), 28u);
    for (const auto& v : all) {
        SCOPED_TRACE(v.value("description", v.value("name", "")));
        const auto r = run_ctl(build_args(v["params"]));
        ASSERT_EQ(r.code, 0) << r.err;
        const auto j = r.json();
        EXPECT_EQ(j["raw_data_hex"], v["raw_data_hex"]);
        EXPECT_EQ(j["txid"], v["txID"]);
        EXPECT_EQ(j["signature"], v["signature"]);
        EXPECT_EQ(j["signed_tx_hex"], v["signed_tx_hex"]);

        const auto d = run_ctl({"--json", "tx", "decode", "--raw-data-hex", v["raw_data_hex"]});
        ASSERT_EQ(d.code, 0) << d.err;
        const auto dj = d.json();
        const auto& p = v["params"];
        EXPECT_EQ(dj["txid"], v["txID"]);
        EXPECT_EQ(dj["expiration"], p["expiration"]);
        EXPECT_EQ(dj["timestamp"], p["timestamp"]);
        EXPECT_EQ(dj["ref_block_bytes"], p["ref_block_bytes"]);
        EXPECT_EQ(dj["ref_block_hash"], p["ref_block_hash"]);
        EXPECT_EQ(dj["amount"], p["amount"]);
        const auto& value = dj["contract"][0]["parameter"]["value"];
        EXPECT_EQ(value["owner_address"].get<std::string>()[0], 'T');
        const auto owner = run_ctl({"--json", "key", "address", "--private-key", key_of(p["owner_address"])});
        EXPECT_EQ(value["owner_address"], owner.json()["address"]);
        // The wire forms, as the SDK's JSON shows them.
        EXPECT_EQ(dj["owner_address_hex"], p["owner_address"]);
        EXPECT_EQ(dj["to_address_hex"], p["to_address"]);
        EXPECT_EQ(dj["data"], p["data_hex"].is_null() ? json("") : p["data_hex"]);
        // Printable memos are shown as text too; binary ones only as hex.
        const json text = p.contains("data_utf8") ? p["data_utf8"] : json();
        if (text.is_null()) {
            EXPECT_FALSE(dj.contains("data_text"));
        } else {
            EXPECT_EQ(dj["data_text"], text);
        }
        if (p.contains("asset_name_hex")) {
            EXPECT_EQ(dj["asset_name_hex"], p["asset_name_hex"]);
        }

        const auto ok = run_ctl({"--json", "tx", "verify", "--raw-data-hex", v["raw_data_hex"],
                                 "--signature", v["signature"]});
        ASSERT_EQ(ok.code, 0) << ok.err;
        EXPECT_EQ(ok.json()["signer"], value["owner_address"]);
    }
}

TEST(BttctlTron, WalletCoreTransferAssetReproducesAndItsZeroVSignatureVerifies) {
    // trustwallet/wallet-core's TronSigner.SignTransferAsset: another SDK's bytes.
    const auto r =
        run_ctl({"--json", "tx", "transfer-asset", "--private-key",
                 "2d8f68944bdbfbc0769542fba8fc2d2a3de67393334471624364c7006da2aa54", "--to",
                 "THTR75o8xXAgCTQqpiot2AFRAjvW1tSbVV", "--token", "1000959", "--amount", "4",
                 "--ref-block-bytes", "b801", "--ref-block-hash", "0e2bc08d550f5f58",
                 "--expiration", "1541926116000", "--timestamp", "1539295479000"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = r.json();
    EXPECT_EQ(j["txid"], "546a3d07164c624809cf4e564a083a7a7974bb3c4eff6bb3e278b0ca21083fcb");
    const std::string rs =
        "77f5eabde31e739d34a66914540f1756981dc7d782c9656f5e14e53b59a15371603a183aa12124adeee7991bf5"
        "5acc8e488a6ca04fb393b1a8ac16610eeafdfc";
    EXPECT_EQ(j["signature"], rs + "1b");
    // wallet-core writes v = 00; java-tron accepts it, and so does tx verify.
    const auto v = run_ctl(
        {"--json", "tx", "verify", "--raw-data-hex", j["raw_data_hex"], "--signature", rs + "00"});
    ASSERT_EQ(v.code, 0) << v.err;
    EXPECT_EQ(v.json()["signer"], "TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC");
    EXPECT_EQ(v.json()["txid"], j["txid"]);
    // Trezor's public key, with and without the 04 marker.
    const std::string pub =
        "aee772c640a56bfd434cc6c41b661467f0fac8ad922cd0d6f37a25a9faab506c9d687d8d4ad0957ca8a07b1"
        "5db6b39ab2fa56cc81b49f2f92d44e1cdd2f4f266";
    for (const std::string& form : {"04" + pub, pub}) {
        const auto a = run_ctl({"--json", "key", "address", "--public-key", form});
        ASSERT_EQ(a.code, 0) << a.err;
        EXPECT_EQ(a.json()["address"], "TY72iA3SBtrds3QLYsS7LwYfkzXwAXCRWT");
    }
}

TEST(BttctlTron, TxVerifyExitsOneWhenSomeoneElseSigned) {
    const auto& a = vectors()["keys"][0]["trc10_transfer"];
    const auto& b = vectors()["keys"][1]["trc10_transfer"];
    const auto r = run_ctl({"--json", "tx", "verify", "--raw-data-hex", a["raw_data_hex"],
                            "--signature", b["signature"]});
    EXPECT_EQ(r.code, 1);
    EXPECT_FALSE(r.json()["valid"].get<bool>());
}

TEST(BttctlTron, MessageAndProofCommandsReproduceEveryMessageVector) {
    for (const auto& k : vectors()["keys"]) {
        const auto& m = k["message_v2"];
        const auto s = run_ctl({"--json", "message", "sign", "--private-key", k["private_key"],
                                "--payload-hex", m["payload_hex"]});
        ASSERT_EQ(s.code, 0) << s.err;
        EXPECT_EQ(s.json()["signature"], m["signature"]);
        EXPECT_EQ(s.json()["digest"], m["digest"]);
        const auto v = run_ctl({"--json", "message", "verify", "--payload-hex", m["payload_hex"],
                                "--signature", m["signature"]});
        ASSERT_EQ(v.code, 0) << v.err;
        EXPECT_EQ(v.json()["signer"], m["recovered_address_base58"]);

        // The payload is a balance proof: channel = bytes 14..45, amount = last 8 bytes.
        const std::string payload = m["payload_hex"];
        const std::string channel = payload.substr(28, 64);
        const auto amount = std::stoull(payload.substr(92, 16), nullptr, 16);
        const auto ps = run_ctl({"--json", "proof", "sign", "--private-key", k["private_key"],
                                 "--channel", channel, "--amount", std::to_string(amount)});
        ASSERT_EQ(ps.code, 0) << ps.err;
        EXPECT_EQ(ps.json()["message_hex"], payload);
        EXPECT_EQ(ps.json()["signature"], m["signature"]);
        const auto pv = run_ctl({"--json", "proof", "verify", "--channel", channel, "--amount",
                                 std::to_string(amount), "--signature", m["signature"],
                                 "--expected-signer", k["address_base58"]});
        ASSERT_EQ(pv.code, 0) << pv.err;
        EXPECT_EQ(pv.json()["signer"], k["address_base58"]);
    }
    for (const auto& e : vectors()["edge_cases"]) {
        if (!e.contains("digest")) continue;
        const auto v = run_ctl({"--json", "message", "verify", "--payload-hex", e["payload_hex"],
                                "--signature", e["signature"]});
        ASSERT_EQ(v.code, 0) << e["name"] << v.err;
        EXPECT_EQ(v.json()["signer"], e["recovered_address_base58"]);
    }
}

TEST(BttctlTron, ProofVerifyExitsOneForAWrongSignerOrAChangedAmount) {
    const auto& k = vectors()["keys"][0];
    const std::string payload = k["message_v2"]["payload_hex"];
    const std::string channel = payload.substr(28, 64);
    const auto amount = std::stoull(payload.substr(92, 16), nullptr, 16);
    const auto other = run_ctl({"proof", "verify", "--channel", channel, "--amount",
                                std::to_string(amount + 1), "--signature", k["message_v2"]["signature"],
                                "--expected-signer", k["address_base58"]});
    EXPECT_EQ(other.code, 1);
    std::string sig = k["message_v2"]["signature"];
    sig.replace(128, 2, "05");  // v = 5: not a recovery byte
    const auto bad_v = run_ctl({"proof", "verify", "--channel", channel, "--amount",
                                std::to_string(amount), "--signature", sig});
    EXPECT_EQ(bad_v.code, 1);
}

// The same ECDSA signature with s -> n - s and the recovery parity flipped (high-S).
std::string malleated(const std::string& sig_hex) {
    const auto n =
        btt::from_hex_fixed<32>("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
            .value();
    auto sig = btt::from_hex_fixed<65>(sig_hex).value();
    int borrow = 0;
    for (std::size_t i = 32; i-- > 0;) {
        const int d = n[i] - sig[32 + i] - borrow;
        sig[32 + i] = static_cast<std::uint8_t>(d & 0xff);
        borrow = d < 0 ? 1 : 0;
    }
    sig[64] = sig[64] == 27 ? 28 : 27;
    return btt::to_hex(sig);
}

TEST(BttctlTron, HighSIsRefusedForProofsAndAcceptedForTransactions) {
    const auto& k = vectors()["keys"][3];
    const std::string payload = k["message_v2"]["payload_hex"];
    const std::string high = malleated(k["message_v2"]["signature"]);
    const auto proof = run_ctl(
        {"--json", "proof", "verify", "--channel", payload.substr(28, 64), "--amount",
         std::to_string(std::stoull(payload.substr(92, 16), nullptr, 16)), "--signature", high});
    EXPECT_EQ(proof.code, 1) << proof.out;
    EXPECT_FALSE(proof.json()["valid"].get<bool>());
    EXPECT_NE(proof.json()["reason"].get<std::string>().find("high S"), std::string::npos);
    const auto message =
        run_ctl({"message", "verify", "--payload-hex", payload, "--signature", high});
    EXPECT_EQ(message.code, 1);
    // java-tron does not require low-S on transactions: the same signer recovers.
    const auto& tx = k["trc10_transfer"];
    const auto verified = run_ctl({"--json", "tx", "verify", "--raw-data-hex", tx["raw_data_hex"],
                                   "--signature", malleated(tx["signature"])});
    ASSERT_EQ(verified.code, 0) << verified.err;
    EXPECT_EQ(verified.json()["signer"], k["address_base58"]);
}

struct Malformed {
    const char* what;
    std::vector<std::string> args;
    const char* needle;  // expected in stderr
};

TEST(BttctlTron, EveryMalformedInputClassExitsTwoWithAReason) {
    const std::string key(64, '1');
    const std::string chan(64, 'a');
    const std::string sig(130, 'b');
    auto transfer = [&](const std::string& to, const std::string& amount) {
        return std::vector<std::string>{"tx", "transfer-asset", "--private-key", key, "--to", to,
                                        "--token", "1002000", "--amount", amount,
                                        "--ref-block-bytes", "0102", "--ref-block-hash",
                                        "0102030405060708", "--expiration", "1", "--timestamp", "1"};
    };
    const std::vector<Malformed> cases = {
        {"bad checksum", transfer("TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HD", "1"), "checksum"},
        {"base58 wrong length", transfer("TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2H", "1"), "length"},
        {"hex address wrong length", transfer("417e5f4552091a69125d5dfcb7b8c2659029395b", "1"), "length"},
        {"hex address wrong prefix", transfer("a07e5f4552091a69125d5dfcb7b8c2659029395bdf", "1"), "0x41"},
        {"non-hex address", transfer("417e5f4552091a69125d5dfcb7b8c2659029395bzz", "1"), "hex"},
        {"negative amount", transfer("TDvSsdrNM5eeXNL3czpa6AxLDHZA9nwe9K", "-5"), ""},
        {"negative amount (=)", {"proof", "sign", "--private-key", key, "--channel", chan, "--amount=-5"}, "negative"},
        {"zero amount", {"proof", "sign", "--private-key", key, "--channel", chan, "--amount", "0"}, "at least 1"},
        {"overflowing amount", transfer("TDvSsdrNM5eeXNL3czpa6AxLDHZA9nwe9K", "9223372036854775808"), "maximum"},
        {"amount not a number", transfer("TDvSsdrNM5eeXNL3czpa6AxLDHZA9nwe9K", "1e6"), "whole number"},
        {"non-hex key", {"key", "address", "--private-key", std::string(63, '1') + "x"}, "hex"},
        {"short key", {"key", "address", "--private-key", "0102"}, "length"},
        {"key out of range", {"key", "address", "--private-key", std::string(64, '0')}, "range"},
        {"non-hex payload", {"message", "sign", "--private-key", key, "--payload-hex", "zz"}, "hex"},
        {"odd payload", {"message", "sign", "--private-key", key, "--payload-hex", "abc"}, "odd"},
        {"short signature", {"message", "verify", "--payload-hex", "00", "--signature", "0011"}, "65 bytes"},
        {"short channel", {"proof", "verify", "--channel", "00", "--amount", "1", "--signature", sig}, "32 bytes"},
        {"garbage raw data", {"tx", "decode", "--raw-data-hex", "ffff"}, "protobuf"},
        {"unknown flag", {"key", "address", "--frobnicate"}, "--frobnicate"},
        {"unknown command", {"frobnicate"}, ""},
        {"missing required flag", {"proof", "sign", "--channel", chan, "--amount", "1"}, "--private-key"},
        {"bad ref block bytes", {"tx", "transfer", "--private-key", key, "--to", "TDvSsdrNM5eeXNL3czpa6AxLDHZA9nwe9K",
                                 "--amount", "1", "--ref-block-bytes", "01", "--ref-block-hash", "0102030405060708",
                                 "--expiration", "1", "--timestamp", "1"}, "2 bytes"},
    };
    for (const auto& c : cases) {
        const auto r = run_ctl(c.args);
        EXPECT_EQ(r.code, 2) << c.what << ": " << r.err;
        EXPECT_TRUE(r.out.empty()) << c.what;
        EXPECT_FALSE(r.err.empty()) << c.what;
        EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.what << ": " << r.err;
    }
}

TEST(BttctlTron, PrivateKeyFilesMustBePrivate) {
    const auto& k = vectors()["keys"][2];
    char dir_template[] = "/tmp/btt-ctl-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    const std::string path = std::string(dir_template) + "/payer.key";
    {
        std::ofstream(path) << k["private_key"].get<std::string>() << "\n";
    }
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const auto ok = run_ctl({"--json", "key", "address", "--private-key-file", path});
    ASSERT_EQ(ok.code, 0) << ok.err;
    EXPECT_EQ(ok.json()["address"], k["address_base58"]);
    EXPECT_FALSE(ok.json().contains("private_key"));  // a key file is never echoed
    const std::string& payload = k["message_v2"]["payload_hex"];
    const auto signed_from_file = run_ctl({"--json", "message", "sign", "--private-key-file", path,
                                           "--payload-hex", payload});
    ASSERT_EQ(signed_from_file.code, 0) << signed_from_file.err;
    EXPECT_EQ(signed_from_file.json()["signature"], k["message_v2"]["signature"]);
    std::filesystem::permissions(path, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
    const auto refused = run_ctl({"key", "address", "--private-key-file", path});
    EXPECT_EQ(refused.code, 2);
    EXPECT_NE(refused.err.find("chmod 600"), std::string::npos) << refused.err;
    const auto both = run_ctl({"key", "address", "--private-key-file", path, "--private-key", k["private_key"]});
    EXPECT_EQ(both.code, 2);
    std::filesystem::remove_all(dir_template);
}

TEST(BttctlTron, HelpExitsZero) {
    const auto r = run_ctl({"--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("proof"), std::string::npos);
}

// ---- channel close|show and audit reconcile: every input they refuse before any I/O ----

TEST(BttctlNodeCommands, BadChannelIdsAndKeysExitTwoBeforeAnythingIsSent) {
    const std::string key(64, '1');
    const std::string chan(64, 'a');
    const std::vector<Malformed> cases = {
        {"non-hex id", {"channel", "close", std::string(63, 'a') + "z", "--private-key", key}, "hex"},
        {"short id", {"channel", "close", std::string(62, 'a'), "--private-key", key}, "32 bytes"},
        {"long id", {"channel", "close", std::string(66, 'a'), "--private-key", key}, "32 bytes"},
        {"odd id", {"channel", "close", std::string(63, 'a'), "--private-key", key}, "odd"},
        {"no id", {"channel", "close", "--private-key", key}, "ID"},
        {"no key", {"channel", "close", chan}, "--private-key"},
        {"bad key", {"channel", "close", chan, "--private-key", std::string(64, '0')}, "range"},
        {"missing key file", {"channel", "close", chan, "--private-key-file", "/nonexistent/btt.key"},
         "--private-key-file"},
        {"show: non-hex id", {"channel", "show", std::string(64, 'g')}, "hex"},
        {"show: short id", {"channel", "show", "00"}, "32 bytes"},
        {"show: empty node", {"channel", "show", chan, "--node", ""}, "--node"},
        {"no channel command", {"channel"}, ""},
    };
    for (const auto& c : cases) {
        const auto r = run_ctl(c.args);
        EXPECT_EQ(r.code, 2) << c.what << ": " << r.err;
        EXPECT_TRUE(r.out.empty()) << c.what;
        EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.what << ": " << r.err;
    }
}

TEST(BttctlNodeCommands, AnOpenKeyFileIsRefusedForACloseRequest) {
    char dir_template[] = "/tmp/btt-ctl-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    const std::string path = std::string(dir_template) + "/payee.key";
    std::ofstream(path) << std::string(64, '1') << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write |
                                           std::filesystem::perms::others_read);
    const auto r = run_ctl({"channel", "close", std::string(64, 'a'), "--private-key-file", path});
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
    std::filesystem::remove_all(dir_template);
}

// A config with the four required keys; the key files named in it do not exist, and
// `audit reconcile` must not need them.
std::string node_config(const std::string& database_url, const std::string& extra = "") {
    return "[node]\n"
           "receipt_key_file = \"/nonexistent/receipt.key\"\n"
           "[escrow]\n"
           "address = \"" + btt::testkit::escrow().address().to_base58() + "\"\n"
           "key_file = \"/nonexistent/escrow.key\"\n"
           "[database]\n"
           "url = \"" + database_url + "\"\n" + extra;
}

TEST(BttctlNodeCommands, AuditReconcileExitsTwoWithTheConfigErrorLine) {
    char dir_template[] = "/tmp/btt-ctl-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    const std::string dir = dir_template;
    auto file = [&](const std::string& name, const std::string& text) {
        const std::string path = dir + "/" + name;
        std::ofstream(path) << text;
        return path;
    };
    struct Case {
        std::string what;
        std::string path;
        std::string needle;
    };
    const std::string url = "postgresql://btt@127.0.0.1:1/btt";
    const std::vector<Case> cases = {
        {"missing file", dir + "/absent.toml", "absent.toml"},
        {"not TOML", file("syntax.toml", "[node\nlisten = "), "syntax.toml"},
        {"unknown key", file("unknown.toml", node_config(url, "[channels]\nfeebps = 5\n")), "channels.feebps"},
        {"bad value", file("value.toml", node_config(url, "[channels]\nfee_bps = 20000\n")), "channels.fee_bps"},
        {"missing database", file("nodb.toml", "[escrow]\naddress = \"" +
                                                   btt::testkit::escrow().address().to_base58() + "\"\n"),
         "required"},
    };
    for (const auto& c : cases) {
        const auto r = run_ctl({"--json", "audit", "reconcile", "--config", c.path});
        EXPECT_EQ(r.code, 2) << c.what << ": " << r.err;
        EXPECT_TRUE(r.out.empty()) << c.what;
        EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.what << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.what << ": " << r.err;
    }
    const auto no_config = run_ctl({"audit", "reconcile"});
    EXPECT_EQ(no_config.code, 2);
    EXPECT_NE(no_config.err.find("--config"), std::string::npos) << no_config.err;
    std::filesystem::remove_all(dir);
}

}  // namespace
