#pragma once
// Merkle trees as RFC 6962 §2.1 (Certificate Transparency), with the hash as a parameter:
// receipts use keccak256 (DESIGN §3), the RFC's own test vectors use sha256.
//   leaf hash = H(0x00 || leaf data)      node hash = H(0x01 || left || right)
// A tree of n > 1 leaves splits at the largest power of two below n. The 0x00/0x01
// prefixes keep a leaf from ever passing for an inner node (second preimages).
// Pure: no I/O; a broken precondition is our bug and stops the process (BTT_ASSERT).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <btt/base/bytes.h>
#include <btt/tron/hash.h>

namespace btt::tron {

using HashFn = Hash32 (*)(ByteView);

// H(0x00 || leaf_data).
[[nodiscard]] Hash32 merkle_leaf_hash(ByteView leaf_data, HashFn hash = keccak256);
// H(0x01 || left || right).
[[nodiscard]] Hash32 merkle_node_hash(const Hash32& left, const Hash32& right,
                                      HashFn hash = keccak256);

// A tree built once from its leaf hashes (not the leaf data), keeping every level so that
// audit paths cost O(log n). Building is level by level, an unpaired last node carried up
// unchanged; that gives exactly the RFC's split-at-a-power-of-two tree.
class MerkleTree {
public:
    // Precondition: `leaf_hashes` is not empty (a batch holds at least one leaf).
    explicit MerkleTree(std::vector<Hash32> leaf_hashes, HashFn hash = keccak256);

    [[nodiscard]] const Hash32& root() const;
    // The number of leaves.
    [[nodiscard]] std::size_t size() const;
    // RFC 6962 §2.1.1 PATH(index, D[n]), leaf to root: element 0 is the leaf's sibling, the
    // last the root's other child; empty for a one-leaf tree. Precondition: index < size().
    [[nodiscard]] std::vector<Hash32> audit_path(std::size_t index) const;

private:
    // m_levels[0] holds the leaf hashes, m_levels.back() the root alone.
    std::vector<std::vector<Hash32>> m_levels;
};

// MTH(D[n]) of RFC 6962 §2.1; for no leaves, H("") as the RFC defines it.
[[nodiscard]] Hash32 merkle_root(std::span<const Hash32> leaf_hashes, HashFn hash = keccak256);

// The root that `leaf_hash` at `index` in a tree of `count` leaves leads to through `path`
// (RFC 9162 §2.1.3.2). Nullopt when index >= count or the path is not exactly as long as
// the tree shape requires. The caller compares the result with the root it trusts.
[[nodiscard]] std::optional<Hash32> merkle_root_from_path(const Hash32& leaf_hash,
                                                          std::uint64_t index, std::uint64_t count,
                                                          std::span<const Hash32> path,
                                                          HashFn hash = keccak256);

}  // namespace btt::tron
