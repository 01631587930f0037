// Byte-exact equality with the official Tron SDK's output (tests/vectors/tron-vectors.json)
// and with the worked examples of the protocol reference (§6, §7).
#include <gtest/gtest.h>

#include <btt/base/hex.h>
#include <btt/testkit/vectors.h>
#include <btt/tron/address.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/hash.h>
#include <btt/tron/keys.h>
#include <btt/tron/tip104.h>
#include <btt/tron/transaction.h>

namespace {

using namespace btt::tron;
using btt::from_hex;
using btt::to_hex;
using nlohmann::json;

btt::Bytes hex(const std::string& text) { return from_hex(text).value(); }

Signature sig_from(const std::string& text) { return btt::from_hex_fixed<65>(text).value(); }

PrivateKey key_from(const std::string& text) { return PrivateKey::from_hex(text).value(); }

// The transfer vectors of one key: with memo, without memo, TRX.
std::vector<json> transfer_vectors() {
    std::vector<json> out;
    for (const auto& key : btt::testkit::tron_vectors()["keys"]) {
        for (const char* kind : {"trc10_transfer_with_memo", "trc10_transfer", "trx_transfer"}) {
            json v = key[kind];
            v["private_key"] = key["private_key"];
            out.push_back(v);
        }
    }
    for (const auto& edge : btt::testkit::tron_vectors()["edge_cases"]) {
        if (edge.contains("raw_data_hex")) {
            json v = edge;
            // Edge transfers are signed by the key that owns the owner address.
            for (const auto& key : btt::testkit::tron_vectors()["keys"]) {
                if (key["address_hex"] == edge["params"]["owner_address"]) {
                    v["private_key"] = key["private_key"];
                }
            }
            out.push_back(v);
        }
    }
    return out;
}

TransferSpec spec_from(const json& params) {
    const bool asset = params.contains("asset_name_ascii");
    TransferSpec spec{
        asset ? std::optional<std::string>(params["asset_name_ascii"].get<std::string>())
              : std::nullopt,
        TronAddress::from_hex(params["owner_address"].get<std::string>()).value(),
        TronAddress::from_hex(params["to_address"].get<std::string>()).value(),
        params["amount"].get<std::int64_t>(),
        Tapos{btt::from_hex_fixed<2>(params["ref_block_bytes"].get<std::string>()).value(),
              btt::from_hex_fixed<8>(params["ref_block_hash"].get<std::string>()).value()},
        params["expiration"].get<std::int64_t>(),
        params["timestamp"].get<std::int64_t>(),
        {}};
    if (params.contains("data_hex") && params["data_hex"].is_string()) {
        spec.memo = hex(params["data_hex"].get<std::string>());
    }
    return spec;
}

TEST(TronVectors, KeysGiveTheSdkPublicKeysAndAddresses) {
    const auto& keys = btt::testkit::tron_vectors()["keys"];
    ASSERT_EQ(keys.size(), 8u);
    for (const auto& k : keys) {
        const auto key = key_from(k["private_key"]);
        EXPECT_EQ(to_hex(key.public_key().uncompressed), k["public_key_uncompressed"]);
        EXPECT_EQ(to_hex(key.public_key().compressed()), k["public_key_compressed"]);
        EXPECT_EQ(key.address().to_hex(), k["address_hex"]);
        EXPECT_EQ(key.address().to_base58(), k["address_base58"]);
        const auto from_b58 = TronAddress::from_base58(k["address_base58"].get<std::string>());
        ASSERT_TRUE(from_b58);
        EXPECT_EQ(from_b58->to_hex(), k["address_hex"]);
        const auto pub = PublicKey::parse(hex(k["public_key_compressed"]));
        ASSERT_TRUE(pub);
        EXPECT_EQ(pub->address().to_base58(), k["address_base58"]);
    }
}

TEST(TronVectors, TransfersReproduceRawDataTxidSignatureAndSignedBytes) {
    const auto vectors = transfer_vectors();
    ASSERT_GE(vectors.size(), 28u);
    for (const auto& v : vectors) {
        SCOPED_TRACE(v.value("description", v.value("name", "")));
        ASSERT_TRUE(v.contains("private_key"));
        const auto built = build_transfer(spec_from(v["params"]));
        ASSERT_TRUE(built);
        EXPECT_EQ(to_hex(built->raw_data), v["raw_data_hex"]);
        EXPECT_EQ(built->raw_data.size(), v["raw_data_len"].get<std::size_t>());
        EXPECT_EQ(to_hex(built->txid), v["txID"]);
        const auto key = key_from(v["private_key"]);
        const Signature sig = sign_transaction(key, built->txid);
        EXPECT_EQ(to_hex(sig), v["signature"]);
        const Signature one[] = {sig};
        const auto signed_bytes = signed_transaction_bytes(built->raw_data, one);
        EXPECT_EQ(to_hex(signed_bytes), v["signed_tx_hex"]);
        EXPECT_EQ(signed_bytes.size(), v["signed_tx_len"].get<std::size_t>());
        EXPECT_EQ(recover_transaction_signer(built->txid, sig).value(), key.address());
    }
}

TEST(TronVectors, DecodingSdkRawDataGivesBackEveryField) {
    for (const auto& v : transfer_vectors()) {
        SCOPED_TRACE(v.value("description", v.value("name", "")));
        const auto& p = v["params"];
        const auto decoded = decode_raw_data(hex(v["raw_data_hex"]));
        ASSERT_TRUE(decoded);
        EXPECT_EQ(to_hex(decoded->txid), v["txID"]);
        EXPECT_EQ(to_hex(decoded->ref_block_bytes), p["ref_block_bytes"]);
        EXPECT_EQ(to_hex(decoded->ref_block_hash), p["ref_block_hash"]);
        EXPECT_EQ(decoded->expiration, p["expiration"].get<std::int64_t>());
        EXPECT_EQ(decoded->timestamp, p["timestamp"].get<std::int64_t>());
        const std::string memo = p.contains("data_hex") && p["data_hex"].is_string()
                                     ? p["data_hex"].get<std::string>()
                                     : "";
        EXPECT_EQ(to_hex(decoded->data), memo);
        ASSERT_EQ(decoded->contracts.size(), 1u);
        const auto& c = decoded->contracts[0];
        EXPECT_EQ(c.owner->to_hex(), p["owner_address"]);
        EXPECT_EQ(c.to->to_hex(), p["to_address"]);
        EXPECT_EQ(*c.amount, p["amount"].get<std::int64_t>());
        if (p.contains("asset_name_ascii")) {
            EXPECT_EQ(c.type, 2);
            EXPECT_EQ(*c.token_id, p["asset_name_ascii"]);
            EXPECT_EQ(c.type_url, kTransferAssetContractTypeUrl);
        } else {
            EXPECT_EQ(c.type, 1);
            EXPECT_FALSE(c.token_id);
            EXPECT_EQ(c.type_url, kTransferContractTypeUrl);
        }
        const auto parts = split_signed_transaction(hex(v["signed_tx_hex"]));
        ASSERT_TRUE(parts);
        EXPECT_EQ(to_hex(parts->raw_data), v["raw_data_hex"]);
        ASSERT_EQ(parts->signatures.size(), 1u);
        EXPECT_EQ(to_hex(parts->signatures[0]), v["signature"]);
    }
}

TEST(TronVectors, MessageV2SignaturesMatchTheSdk) {
    std::vector<json> cases;
    std::vector<std::string> keys;
    for (const auto& k : btt::testkit::tron_vectors()["keys"]) {
        cases.push_back(k["message_v2"]);
        keys.push_back(k["private_key"]);
    }
    for (const auto& e : btt::testkit::tron_vectors()["edge_cases"]) {
        if (e.contains("digest")) {
            cases.push_back(e);
            keys.push_back("");
        }
    }
    ASSERT_GE(cases.size(), 17u);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& c = cases[i];
        SCOPED_TRACE(c.value("name", c.value("payload_layout", "")));
        const auto payload = hex(c["payload_hex"]);
        EXPECT_EQ(payload.size(), c["payload_len"].get<std::size_t>());
        EXPECT_EQ(to_hex(tip104_digest(payload)), c["digest"]);
        const auto signer = recover_message_v2(payload, sig_from(c["signature"]));
        ASSERT_TRUE(signer) << signer.error().message();
        EXPECT_EQ(signer->to_hex(), c["recovered_address_hex"]);
        EXPECT_EQ(signer->to_base58(), c["recovered_address_base58"]);
        // Deterministic signing: the same key gives the SDK's exact bytes.
        std::string key_hex = keys[i];
        for (const auto& k : btt::testkit::tron_vectors()["keys"]) {
            if (k["address_hex"] == c["recovered_address_hex"]) key_hex = k["private_key"];
        }
        ASSERT_FALSE(key_hex.empty());
        EXPECT_EQ(to_hex(sign_message_v2(key_from(key_hex), payload)), c["signature"]);
        // Balance-proof payloads come from the one builder.
        if (c.contains("cumulative_amount") || c.contains("payload_layout")) {
            const auto channel = btt::from_hex_fixed<32>(to_hex(btt::ByteView(payload).subspan(14, 32))).value();
            std::uint64_t amount = 0;
            for (std::size_t b = 46; b < 54; ++b) amount = (amount << 8) | payload[b];
            EXPECT_EQ(balance_proof_message(channel, amount), payload);
        }
    }
}

TEST(TronVectors, ExternalKnownAnswersWithKnownInputs) {
    // tronweb's signMessageV2 tests: private key 1, "hello world" and 32 raw bytes.
    const auto one = key_from("0000000000000000000000000000000000000000000000000000000000000001");
    EXPECT_EQ(one.address().to_base58(), "TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC");
    const auto hello = btt::to_bytes("hello world");
    EXPECT_EQ(to_hex(tip104_digest(hello)),
              "cf02daeb2bea196ed5692322a66ed50080ce74ff8cb711199f1b04f3c13bc10d");
    EXPECT_EQ(to_hex(sign_message_v2(one, hello)),
              "0dc0b53d525e0103a6013061cf18e60cf158809149f2b8994a545af65a7004cb1eeaff560e801ab51b"
              "28df5d42549aa024c2aa7e9d34de1e01294b9afb5e6c7e1c");
    const auto raw32 = hex("47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad");
    EXPECT_EQ(to_hex(tip104_digest(raw32)),
              "66733cf31ee3f133db9561efdca3d65ba930bdf57fb1af3b6cc0ba4966ecc882");
    EXPECT_EQ(to_hex(sign_message_v2(one, raw32)),
              "7e65909ea47c732a4734bf6c41959761b23a58f4ca34e265428fb4576ee1db402e1e007a9019131a99"
              "9e9dbbe81cc1f8ba424135a529a1b56220fec02e7647fa1c");
    // The file's external_known_answers are recomputed in known_answers_test.cpp.
}

TEST(TronReference, WorkedPayoutExampleIsReproduced) {
    // Reference §7: block id, TAPOS, raw_data, txid, signature, memo variant.
    const auto header_hash = btt::from_hex_fixed<32>(
        "2e2cf66240424ab7b11fbec350afc4738a986fe43655b3c4fb3a0ce4d491cf3f").value();
    const auto header_raw = hex(
        "0880d095ffbc31122000000000000000000000000000000000000000000000000000000000000000001a20"
        "00000000039386ff11111111111111111111111111111111111111111111111138808ece1c4a15417e5f45"
        "52091a69125d5dfcb7b8c2659029395bdf5020");
    EXPECT_EQ(sha256(header_raw), header_hash);
    const btt::Hash32 id = block_id(60'000'000, header_hash);
    EXPECT_EQ(to_hex(id), "0000000003938700b11fbec350afc4738a986fe43655b3c4fb3a0ce4d491cf3f");
    const Tapos tapos = tapos_from_block(60'000'000, id);
    EXPECT_EQ(to_hex(tapos.ref_block_bytes), "8700");
    EXPECT_EQ(to_hex(tapos.ref_block_hash), "b11fbec350afc473");

    const auto owner = key_from("0000000000000000000000000000000000000000000000000000000000000001");
    const auto to = key_from("0000000000000000000000000000000000000000000000000000000000000002");
    EXPECT_EQ(to.address().to_base58(), "TDvSsdrNM5eeXNL3czpa6AxLDHZA9nwe9K");
    TransferSpec spec{std::string("1002000"), owner.address(), to.address(), 1'000'000, tapos,
                      1700000060000, 1700000000500, {}};
    const auto built = build_transfer(spec).value();
    EXPECT_EQ(to_hex(built.raw_data),
              "0a0287002208b11fbec350afc47340e0a499ffbc315a75080212710a32747970652e676f6f676c6561"
              "7069732e636f6d2f70726f746f636f6c2e5472616e736665724173736574436f6e7472616374123b0a"
              "07313030323030301215417e5f4552091a69125d5dfcb7b8c2659029395bdf1a15412b5ad5c4795c02"
              "6514f8317c7a215e218dccd6cf20c0843d70f4d395ffbc31");
    EXPECT_EQ(to_hex(built.txid),
              "1e53b48ef499b5488f1938efd96cbf2fb1c2f6cea69ee4b6b9902e51dadac174");
    EXPECT_EQ(to_hex(sign_transaction(owner, built.txid)),
              "7bcb68bf4c241b28820aa8a703ef2507d6f75c32437b3ab87da0e945bcd2b2a3653aebf197eff28c49"
              "78cfc7b0b6528f204e71f029e1a8f325e8cbc8db7a11001c");
    spec.memo = btt::to_bytes("channel-42");
    EXPECT_EQ(to_hex(build_transfer(spec).value().txid),
              "1947e66af42917a65abcff44c531f869100e158337826db921f209c2b8825a49");

    // §6: the balance proof over that txid, whose signature's s starts with 0x00.
    const btt::Hash32 channel = built.txid;
    const auto proof = balance_proof_message(channel, 1'000'000);
    EXPECT_EQ(to_hex(proof),
              "4254542d4348414e4e454c2d56311e53b48ef499b5488f1938efd96cbf2fb1c2f6cea69ee4b6b9902e"
              "51dadac17400000000000f4240");
    EXPECT_EQ(to_hex(tip104_digest(proof)),
              "aeed7fae4b084fe55c5485e6e78232a3b1726042883727994bef8b258151c8d1");
    EXPECT_EQ(to_hex(sign_message_v2(owner, proof)),
              "9902fe2088853eec0147facf48a066b579ec695b3352ef134e417373d511add200fc905589256e719e"
              "65d8b44c2cd0000b31dfbe9e427262499c26f59488a6c51b");
}

TEST(TronReference, KnownAddressPairs) {
    EXPECT_EQ(TronAddress::from_hex("410000000000000000000000000000000000000000")->to_base58(),
              "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb");
    EXPECT_EQ(TronAddress::from_hex("41dd791d6b49e190062d650e6a23c575510d35f2f9")->to_base58(),
              "TWAFRfZFmhVQZjxM3De7Mp5UZ9sLqWqpHp");
}

TEST(Keccak, StandardValues) {
    EXPECT_EQ(to_hex(keccak256({})),
              "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    EXPECT_EQ(to_hex(keccak256(btt::as_bytes("abc"))),
              "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    EXPECT_EQ(to_hex(keccak256(btt::as_bytes("The quick brown fox jumps over the lazy dog"))),
              "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
    EXPECT_EQ(to_hex(sha256(btt::as_bytes("abc"))),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
