// The worked receipt example of README.md ("A receipt by hand"), recomputed: every value the
// README prints is built here from its inputs with the production builders, so the example
// a reader checks by hand in a Tron wallet is the protocol this code speaks. The keys are
// the first two of tests/vectors/tron-vectors.json (public test keys, never funded).
#include <gtest/gtest.h>

#include <btt/base/hex.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/merkle.h>
#include <btt/tron/tip104.h>

namespace {

using namespace btt;

Hash32 filled(std::uint8_t b) {
    Hash32 h{};
    h.fill(b);
    return h;
}

std::string hex(ByteView b) {
    return to_hex(b);
}

TEST(ReadmeExample, TheWorkedReceiptMatchesTheBuilders) {
    const auto payer = tron::PrivateKey::from_hex(
                           "783825822a6f9e62da2190e828e4c9d2576e5977e3a0b3620b092dfb9e9996fa")
                           .value();
    const auto node = tron::PrivateKey::from_hex(
                          "532deabf88729cb43995ab5a9cd49bf9b90a079904dc0645ecda9e47ce7345a9")
                          .value();
    const Hash32 a = filled(0x11), b = filled(0x22);
    const std::uint64_t amount_a = 2'500'000, amount_b = 700'000;

    const auto proof = tron::balance_proof_message(a, amount_a);
    const auto proof_sig = tron::sign_message_v2(payer, proof);
    const auto leaf_a = tron::receipt_message(a, amount_a);
    const auto leaf_b = tron::receipt_message(b, amount_b);
    const auto hash_a = tron::merkle_leaf_hash(leaf_a);
    const auto hash_b = tron::merkle_leaf_hash(leaf_b);
    const auto root = tron::merkle_node_hash(hash_a, hash_b);
    const std::vector<Hash32> leaves{hash_a, hash_b};
    ASSERT_EQ(tron::merkle_root(leaves), root);
    tron::BatchHeader header{1, Hash32{}, 2, root};
    const auto header_bytes = tron::batch_header_message(header);
    ASSERT_EQ(header_bytes.size(), 88u);
    const auto batch_sig = tron::sign_message_v2(node, header_bytes);

    EXPECT_EQ(payer.address().to_base58(), "TM7W9ZiVQPpxjyqSXhTGgE3vAZNENsxHDc");
    EXPECT_EQ(node.address().to_base58(), "TKu4RhVpncyY3x7XDuLQHooNFx2GdoixVH");
    EXPECT_EQ(hex(proof),
              "4254542d4348414e4e454c2d5631111111111111111111111111111111111111111111111111111111"
              "111111111100000000002625a0");
    EXPECT_EQ(hex(proof_sig),
              "f137698755486a9613802a038e592a3edf063a26f99a05eb11823a566db264b858fc477ac2fb7f820c"
              "08d2f365fe1f9b6af0d4aa8209ef0168130e0ca2be78731b");
    EXPECT_EQ(hex(leaf_a),
              "4254542d524543454950542d5631111111111111111111111111111111111111111111111111111111"
              "111111111100000000002625a0");
    EXPECT_EQ(hex(leaf_b),
              "4254542d524543454950542d5631222222222222222222222222222222222222222222222222222222"
              "222222222200000000000aae60");
    EXPECT_EQ(hex(hash_a), "ee62538ad11012270ca67984d3ac9c91cd5781c01619c3b7775ab594dbd6b2f1");
    EXPECT_EQ(hex(hash_b), "70b3d769fae3f578af68c98584694435fef449e3de4a904881be495102104c1a");
    EXPECT_EQ(hex(root), "599ec4f0682723c5fde1737358469079b148ace43dc7d8805e4a0bb372bcdaa3");
    EXPECT_EQ(hex(header_bytes),
              "4254542d42415443482d563100000000000000010000000000000000000000000000000000000000"
              "00000000000000000000000000000002599ec4f0682723c5fde1737358469079b148ace43dc7d8805e"
              "4a0bb372bcdaa3");
    EXPECT_EQ(hex(tron::batch_hash(header)),
              "03cc9a5d600f11e75e707b024a504c230af6b4a025c5860aadb6f00b0d9275d9");
    EXPECT_EQ(hex(batch_sig),
              "9b33f59f5a7d0287e7790043c450cefca137c9b1eed5880f269ed8bfec314d0b2e67b210b7011551a6"
              "e7fe8b3e3ebee02da8de3a8c164cd3bf0fa658e1e8de741c");
    // What a wallet's verifyMessageV2 answers for each signature.
    EXPECT_EQ(tron::recover_message_v2(proof, proof_sig).value(), payer.address());
    EXPECT_EQ(tron::recover_message_v2(header_bytes, batch_sig).value(), node.address());
    // The receipt for A carries path [hash_b]: root = node(hash_a, hash_b).
    const std::vector<Hash32> path{hash_b};
    EXPECT_EQ(tron::merkle_root_from_path(hash_a, 0, 2, path), root);
}

}  // namespace
