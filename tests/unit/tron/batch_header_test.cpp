// The batch header the node signs over each group commit of receipts (DESIGN §3): its 88
// bytes exactly, and its hash.
#include <string>

#include <gtest/gtest.h>

#include <btt/base/hex.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/hash.h>

namespace {

using namespace btt::tron;

BatchHeader sample_header() {
    BatchHeader header;
    header.seq = 0x0102030405060708ull;
    header.prev_hash.fill(0xaa);
    header.leaf_count = 0x0a0b0c0du;
    header.root.fill(0xbb);
    return header;
}

TEST(BatchHeader, LayoutIsDomainSeqPrevHashLeafCountRootByteForByte) {
    const std::string expected =
        "4254542d42415443482d5631"                                          // "BTT-BATCH-V1"
        "0102030405060708"                                                  // seq, u64 BE
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"  // prev hash
        "0a0b0c0d"                                                          // leaf count, u32 BE
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"; // root
    const auto message = batch_header_message(sample_header());
    ASSERT_EQ(message.size(), 88u);
    EXPECT_EQ(btt::to_hex(message), expected);
    EXPECT_EQ(btt::to_hex(btt::as_bytes(kBatchDomain)), expected.substr(0, 24));
}

TEST(BatchHeader, TheFirstBatchCarriesZerosAsItsPreviousHash) {
    BatchHeader first;
    first.seq = 1;
    first.leaf_count = 1;
    const std::string expected = "4254542d42415443482d5631" "0000000000000001" +
                                 std::string(64, '0') + "00000001" + std::string(64, '0');
    EXPECT_EQ(btt::to_hex(batch_header_message(first)), expected);
}

TEST(BatchHeader, HashIsKeccakOfTheHeaderBytes) {
    const auto header = sample_header();
    EXPECT_EQ(batch_hash(header), keccak256(batch_header_message(header)));
    // Computed outside this code base (pure-Python Keccak-256 over the bytes above).
    EXPECT_EQ(btt::to_hex(batch_hash(header)),
              "d674cb24dae32dbee3af4cfa7cd99d7708572f1db955d9144e4d436e7f8f4610");
    BatchHeader first;
    first.seq = 1;
    first.leaf_count = 1;
    EXPECT_EQ(btt::to_hex(batch_hash(first)),
              "dbb51635ba1dcc7fa15e41495647d6b4cedf8d19dccb41ccc29e7efed3ead6da");
}

TEST(BatchHeader, EveryFieldChangesTheHash) {
    const auto base = sample_header();
    auto seq = base;
    seq.seq += 1;
    auto prev = base;
    prev.prev_hash[31] ^= 1;
    auto count = base;
    count.leaf_count -= 1;
    auto root = base;
    root.root[0] ^= 0x80;
    for (const auto& changed : {seq, prev, count, root}) {
        EXPECT_NE(batch_hash(changed), batch_hash(base));
    }
}

}  // namespace
