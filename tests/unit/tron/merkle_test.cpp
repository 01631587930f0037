// RFC 6962 Merkle trees: Certificate Transparency's published vectors (sha256), every
// audit path of small trees, single-bit flips, wrong path lengths, and the keccak256 tree
// the receipts use.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <btt/base/hex.h>
#include <btt/tron/hash.h>
#include <btt/tron/merkle.h>

namespace {

using btt::Hash32;
using namespace btt::tron;

Hash32 h(const char* hex) { return btt::from_hex_fixed<32>(hex).value(); }

std::vector<Hash32> hashes(std::initializer_list<const char*> hex) {
    std::vector<Hash32> out;
    for (const char* x : hex) out.push_back(h(x));
    return out;
}

// The eight leaf inputs of the Certificate Transparency reference tests (RFC 6962 data, as
// in google/certificate-transparency and transparency-dev/merkle).
const std::vector<std::string> kCtLeafInputs = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f"};

// Their published tree heads for n = 1..8 leaves (sha256).
const std::vector<Hash32> kCtRoots = hashes({
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
});

struct PathVector {
    std::size_t index;  // 0-based leaf index
    std::size_t count;
    std::vector<Hash32> path;
};

// Their published audit paths (sha256).
const std::vector<PathVector> kCtPaths = {
    {0, 1, {}},
    {0, 8, hashes({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                   "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
    {5, 8, hashes({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                   "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
    {2, 3, hashes({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
    {1, 5, hashes({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                   "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
};

std::vector<Hash32> ct_leaf_hashes(std::size_t n, HashFn hash) {
    std::vector<Hash32> out;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(merkle_leaf_hash(btt::from_hex(kCtLeafInputs[i]).value(), hash));
    }
    return out;
}

// n distinct leaf hashes.
std::vector<Hash32> numbered_leaves(std::size_t n, HashFn hash) {
    std::vector<Hash32> out;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string data = "leaf " + std::to_string(i);
        out.push_back(merkle_leaf_hash(btt::as_bytes(data), hash));
    }
    return out;
}

void flip(Hash32& value, std::size_t bit) {
    value[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
}

TEST(MerkleHash, LeafNodeAndEmptyTreeHashesMatchRfc6962) {
    EXPECT_EQ(merkle_leaf_hash({}, sha256), kCtRoots[0]);
    EXPECT_EQ(merkle_leaf_hash(btt::as_bytes("L123456"), sha256),
              h("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"));
    EXPECT_EQ(merkle_root({}, sha256),
              h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    const auto leaves = ct_leaf_hashes(2, sha256);
    EXPECT_EQ(merkle_node_hash(leaves[0], leaves[1], sha256), kCtRoots[1]);
    // Order matters: the pair is never sorted.
    EXPECT_NE(merkle_node_hash(leaves[1], leaves[0], sha256), kCtRoots[1]);
}

TEST(MerkleTree, RootsOfTheReferenceLeavesMatchThePublishedTreeHeads) {
    for (std::size_t n = 1; n <= kCtRoots.size(); ++n) {
        const auto leaves = ct_leaf_hashes(n, sha256);
        const MerkleTree tree(leaves, sha256);
        EXPECT_EQ(tree.size(), n);
        EXPECT_EQ(tree.root(), kCtRoots[n - 1]) << n << " leaves";
        EXPECT_EQ(merkle_root(leaves, sha256), kCtRoots[n - 1]) << n << " leaves";
    }
}

TEST(MerkleTree, AuditPathsMatchThePublishedPaths) {
    for (const auto& v : kCtPaths) {
        const auto leaves = ct_leaf_hashes(v.count, sha256);
        const MerkleTree tree(leaves, sha256);
        EXPECT_EQ(tree.audit_path(v.index), v.path) << "leaf " << v.index << " of " << v.count;
        EXPECT_EQ(merkle_root_from_path(leaves[v.index], v.index, v.count, v.path, sha256),
                  kCtRoots[v.count - 1])
            << "leaf " << v.index << " of " << v.count;
    }
}

TEST(MerkleTree, EveryPathOfUpToFortyLeavesLeadsBackToTheRoot) {
    for (HashFn hash : {sha256, keccak256}) {
        for (std::size_t n = 1; n <= 40; ++n) {
            const auto leaves = numbered_leaves(n, hash);
            const MerkleTree tree(leaves, hash);
            ASSERT_EQ(tree.root(), merkle_root(leaves, hash)) << n;
            for (std::size_t i = 0; i < n; ++i) {
                const auto path = tree.audit_path(i);
                EXPECT_EQ(merkle_root_from_path(leaves[i], i, n, path, hash), tree.root())
                    << "leaf " << i << " of " << n;
            }
        }
    }
}

TEST(MerkleTree, SingleBitFlipsOfLeafPathOrIndexNeverLeadToTheRoot) {
    for (std::size_t n = 1; n <= 13; ++n) {
        const auto leaves = numbered_leaves(n, sha256);
        const MerkleTree tree(leaves, sha256);
        for (std::size_t i = 0; i < n; ++i) {
            const auto path = tree.audit_path(i);
            for (std::size_t bit = 0; bit < 256; ++bit) {
                Hash32 leaf = leaves[i];
                flip(leaf, bit);
                EXPECT_NE(merkle_root_from_path(leaf, i, n, path, sha256), tree.root())
                    << "leaf bit " << bit << " of leaf " << i << " of " << n;
            }
            for (std::size_t k = 0; k < path.size(); ++k) {
                for (std::size_t bit = 0; bit < 256; ++bit) {
                    auto bad = path;
                    flip(bad[k], bit);
                    EXPECT_NE(merkle_root_from_path(leaves[i], i, n, bad, sha256), tree.root())
                        << "path[" << k << "] bit " << bit << " of leaf " << i << " of " << n;
                }
            }
            for (int bit = 0; bit < 64; ++bit) {
                const std::uint64_t index = i ^ (std::uint64_t{1} << bit);
                EXPECT_NE(merkle_root_from_path(leaves[i], index, n, path, sha256), tree.root())
                    << "index bit " << bit << " of leaf " << i << " of " << n;
            }
        }
    }
}

TEST(MerkleTree, PathsOfTheWrongLengthOrIndexOutsideTheTreeAreRefused) {
    const auto leaves = numbered_leaves(7, sha256);
    const MerkleTree tree(leaves, sha256);
    const auto path = tree.audit_path(6);  // the carried-up last leaf: 2 elements, not 3
    ASSERT_EQ(path.size(), 2u);
    auto longer = path;
    longer.push_back(tree.root());
    EXPECT_EQ(merkle_root_from_path(leaves[6], 6, 7, longer, sha256), std::nullopt);
    auto shorter = path;
    shorter.pop_back();
    EXPECT_EQ(merkle_root_from_path(leaves[6], 6, 7, shorter, sha256), std::nullopt);
    EXPECT_EQ(merkle_root_from_path(leaves[6], 6, 7, {}, sha256), std::nullopt);
    auto preceded = path;
    preceded.insert(preceded.begin(), leaves[5]);
    EXPECT_EQ(merkle_root_from_path(leaves[6], 6, 7, preceded, sha256), std::nullopt);
    EXPECT_EQ(merkle_root_from_path(leaves[6], 7, 7, path, sha256), std::nullopt);
    EXPECT_EQ(merkle_root_from_path(leaves[0], 0, 0, {}, sha256), std::nullopt);
    // A one-leaf tree: the root is the leaf hash and the path is empty, nothing more.
    EXPECT_EQ(merkle_root_from_path(leaves[0], 0, 1, {}, sha256), leaves[0]);
    const std::vector<Hash32> one = {leaves[1]};
    EXPECT_EQ(merkle_root_from_path(leaves[0], 0, 1, one, sha256), std::nullopt);
    EXPECT_EQ(merkle_root_from_path(leaves[0], 1, 1, {}, sha256), std::nullopt);
}

// Keccak-256 trees, as receipts use them. Expected values were computed outside this code
// base: the recursive RFC 6962 definition (split at the largest power of two below n) over
// a pure-Python Keccak-256 checked against keccak256("") = c5d24601…5d85a470.
TEST(MerkleTree, KeccakTreesOfTheReferenceLeavesMatchAnIndependentComputation) {
    const auto roots = hashes({
        "bc36789e7a1e281436464229828f817d6612f7b477d66591ff96a9e064bcc98a",
        "04b6e6bf384600004d988a0a621a5c73deb46440dfbf2bac17e3bff2a80a4f3a",
        "18d0175330e21ab143da90d6e2020664c24fd4c4f05e092898fffb2893ad61ba",
        "319f8970f7db341f1d6d75106d6750a81aed62546f5cb7c17fc3ab27b9ac9b24",
        "4eef86afb0b4e88c3674385aa8a4bd9b0b691fd859781df7d2ae66907f06c6b6",
        "fab994356899e16178ff858f6d1e0c9141e74e74908cb63b7aea4930c94e0ec4",
        "968e735ebd6521e517010d0dc43673711cc96cbff890e4468f18207e92ce0132",
        "962b7db2b71c7f1e1f3142c0cacf17cd3e1364d1560187b85375a609ef8dbc9b",
    });
    for (std::size_t n = 1; n <= roots.size(); ++n) {
        // keccak256 is the default hash.
        EXPECT_EQ(MerkleTree(ct_leaf_hashes(n, keccak256)).root(), roots[n - 1]) << n;
        EXPECT_EQ(merkle_root(ct_leaf_hashes(n, keccak256)), roots[n - 1]) << n;
    }
    const std::vector<PathVector> paths = {
        {0, 8, hashes({"54a8c0ab653c15bfb48b47fd011ba2b9617af01cb45cab344acd57c924d56798",
                       "b21af07b6c2be177c0de1dbc72619daedebd3d7b5231a6758201c6730696499b",
                       "808dad379d73a1749242e746a6e766f107415f2a6c6f11dee3c169766508967a"})},
        {5, 8, hashes({"24dec0cd21e5c0263d640ff7eafff1dddabef3154ccbee8687eaf150b4f6eedb",
                       "02a186b454c68f0976c848fcdf3b3cd7cb4ee7db7b5495784702af25ba00e457",
                       "319f8970f7db341f1d6d75106d6750a81aed62546f5cb7c17fc3ab27b9ac9b24"})},
        {6, 7, hashes({"8f501eeec4a9db4553783aa15cb53116b55fa1574ce5df9fc76db21bd78e19ee",
                       "319f8970f7db341f1d6d75106d6750a81aed62546f5cb7c17fc3ab27b9ac9b24"})},
    };
    for (const auto& v : paths) {
        const auto leaves = ct_leaf_hashes(v.count, keccak256);
        EXPECT_EQ(MerkleTree(leaves).audit_path(v.index), v.path) << v.index << " of " << v.count;
        EXPECT_EQ(merkle_root_from_path(leaves[v.index], v.index, v.count, v.path),
                  roots[v.count - 1]);
    }
}

TEST(MerkleTreeDeathTest, AnEmptyTreeIsACallerBug) {
    EXPECT_DEATH((void)MerkleTree(std::vector<Hash32>{}), "at least one leaf");
}

TEST(MerkleTreeDeathTest, AnAuditPathOutsideTheTreeIsACallerBug) {
    const MerkleTree tree(numbered_leaves(3, sha256), sha256);
    EXPECT_DEATH((void)tree.audit_path(3), "does not have");
}

}  // namespace
