#pragma once
// Checks every batch receipt a run receives (DESIGN §3, §9), cheaply: the batch signature
// (an EC recovery) is verified once per batch seq, the audit path (a few hashes) for every
// receipt. Across batches it checks the hash chain: for every two consecutive seqs seen,
// prev_hash of n is batch_hash of n - 1; seqs never seen are gaps (batches of other
// clients, or of channels on no stream of ours), counted, not errors.
//
// Thread-safe: streams call check() concurrently.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <btt/base/expected.h>
#include <btt/channels/receipt.h>
#include <btt/tron/address.h>

namespace btt::load {

class ReceiptChecker {
public:
    explicit ReceiptChecker(const tron::TronAddress& receipt_address)
        : m_receipt_address(receipt_address) {}

    // Nothing when the receipt holds; otherwise one sentence saying what is wrong:
    //  - seq 0, or batch 1 with a non-zero prev_hash;
    //  - a path that does not lead to the header's root (verify_batch_receipt's tokens);
    //  - a signature that is not the receipt key's over the header (checked on the first
    //    receipt of each seq; a later receipt of that seq must carry the very same header
    //    and signature);
    //  - a header whose prev_hash is not batch_hash of the header of seq - 1, or whose
    //    hash is not the prev_hash of seq + 1, when those were seen (found when the seq is
    //    first verified; every later receipt of that seq then fails the same way).
    [[nodiscard]] Expected<void, std::string> check(const channels::BatchReceipt& receipt);

    struct Totals {
        std::uint64_t batches = 0;  // distinct seqs verified
        std::uint64_t gaps = 0;     // seqs missing between the lowest and highest seen
        std::uint64_t lowest_seq = 0, highest_seq = 0;
    };
    [[nodiscard]] Totals totals() const;

private:
    struct Verified {
        tron::BatchHeader header;
        tron::Signature signature{};
        Hash32 hash{};
        std::string
            broken;  // why the batch does not chain, if it does not: every receipt of it fails
    };
    [[nodiscard]] std::string check_chain_locked(const Verified& batch) const;

    tron::TronAddress m_receipt_address;
    mutable std::mutex m_mutex;
    std::map<std::uint64_t, Verified> m_batches;  // guarded by m_mutex
};

}  // namespace btt::load
