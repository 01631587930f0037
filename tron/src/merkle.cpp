#include <btt/tron/merkle.h>

#include <algorithm>
#include <array>
#include <utility>

#include <btt/base/assert.h>

namespace btt::tron {

namespace {
constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;

// The level above `level`: pairs hashed, an unpaired last node carried up unchanged.
std::vector<Hash32> parent_level(const std::vector<Hash32>& level, HashFn hash) {
    std::vector<Hash32> up;
    up.reserve((level.size() + 1) / 2);
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
        up.push_back(merkle_node_hash(level[i], level[i + 1], hash));
    }
    if (level.size() % 2 == 1) up.push_back(level.back());
    return up;
}
}  // namespace

Hash32 merkle_leaf_hash(ByteView leaf_data, HashFn hash) {
    Bytes buffer;
    buffer.reserve(1 + leaf_data.size());
    buffer.push_back(kLeafPrefix);
    append(buffer, leaf_data);
    return hash(buffer);
}

Hash32 merkle_node_hash(const Hash32& left, const Hash32& right, HashFn hash) {
    std::array<std::uint8_t, 1 + 2 * 32> buffer{};
    buffer[0] = kNodePrefix;
    std::copy(left.begin(), left.end(), buffer.begin() + 1);
    std::copy(right.begin(), right.end(), buffer.begin() + 1 + 32);
    return hash(buffer);
}

MerkleTree::MerkleTree(std::vector<Hash32> leaf_hashes, HashFn hash) {
    BTT_ASSERT(!leaf_hashes.empty(), "a Merkle tree needs at least one leaf");
    m_levels.push_back(std::move(leaf_hashes));
    while (m_levels.back().size() > 1) m_levels.push_back(parent_level(m_levels.back(), hash));
}

const Hash32& MerkleTree::root() const { return m_levels.back().front(); }

std::size_t MerkleTree::size() const { return m_levels.front().size(); }

std::vector<Hash32> MerkleTree::audit_path(std::size_t index) const {
    BTT_ASSERT(index < size(), "audit path asked for a leaf the tree does not have");
    std::vector<Hash32> path;
    for (std::size_t level = 0; level + 1 < m_levels.size(); ++level) {
        const std::size_t sibling = index ^ 1;
        // No sibling: the node was carried up unchanged and adds nothing to the path.
        if (sibling < m_levels[level].size()) path.push_back(m_levels[level][sibling]);
        index /= 2;
    }
    return path;
}

Hash32 merkle_root(std::span<const Hash32> leaf_hashes, HashFn hash) {
    if (leaf_hashes.empty()) return hash({});
    std::vector<Hash32> level(leaf_hashes.begin(), leaf_hashes.end());
    while (level.size() > 1) level = parent_level(level, hash);
    return level.front();
}

std::optional<Hash32> merkle_root_from_path(const Hash32& leaf_hash, std::uint64_t index,
                                            std::uint64_t count, std::span<const Hash32> path,
                                            HashFn hash) {
    if (index >= count) return std::nullopt;
    // fn walks the leaf's position up the tree, sn the last leaf's; where they meet with
    // fn even, fn's node has no right sibling at that level and is carried up.
    std::uint64_t fn = index;
    std::uint64_t sn = count - 1;
    Hash32 r = leaf_hash;
    for (const Hash32& p : path) {
        if (sn == 0) return std::nullopt;  // path longer than the tree is high
        if ((fn & 1) == 1 || fn == sn) {
            r = merkle_node_hash(p, r, hash);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            r = merkle_node_hash(r, p, hash);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) return std::nullopt;  // path shorter than the tree is high
    return r;
}

}  // namespace btt::tron
