#include <btt/load/receipt_checker.h>

#include <fmt/format.h>

#include <btt/base/hex.h>
#include <btt/tron/merkle.h>

namespace btt::load {

namespace {

bool same_header(const tron::BatchHeader& a, const tron::BatchHeader& b) {
    return a.seq == b.seq && a.prev_hash == b.prev_hash && a.leaf_count == b.leaf_count &&
           a.root == b.root;
}

}  // namespace

Expected<void, std::string> ReceiptChecker::check(const channels::BatchReceipt& r) {
    const auto seq = r.header.seq;
    if (seq == 0)
        return unexpected(std::string("receipt names batch seq 0 (seqs start at 1)"));
    if (seq == 1 && r.header.prev_hash != Hash32{}) {
        return unexpected(std::string("batch 1 has a non-zero prev_batch_hash"));
    }

    bool known = false;
    {
        std::lock_guard lock(m_mutex);
        if (const auto it = m_batches.find(seq); it != m_batches.end()) {
            if (!same_header(it->second.header, r.header) ||
                it->second.signature != r.batch_signature) {
                return unexpected(
                    fmt::format("batch {}: a receipt carries another header or signature "
                                "than the one verified before",
                                seq));
            }
            if (!it->second.broken.empty())
                return unexpected(it->second.broken);
            known = true;
        }
    }

    if (known) {
        // The header is the verified one: only the audit path is left to check.
        const auto root =
            tron::merkle_root_from_path(channels::receipt_leaf_hash(r.channel, r.amount),
                                        r.leaf_index, r.header.leaf_count, r.path);
        if (!root)
            return unexpected(fmt::format("batch {} leaf {}: bad_path", seq, r.leaf_index));
        if (*root != r.header.root)
            return unexpected(fmt::format("batch {} leaf {}: root_mismatch", seq, r.leaf_index));
        return {};
    }

    if (const auto v = channels::verify_batch_receipt(r, m_receipt_address); !v) {
        return unexpected(fmt::format("batch {} leaf {}: {}", seq, r.leaf_index,
                                      channels::error_token(v.error())));
    }
    Verified batch{r.header, r.batch_signature, tron::batch_hash(r.header), {}};
    std::lock_guard lock(m_mutex);
    const auto [it, inserted] = m_batches.try_emplace(seq, batch);
    if (!inserted) {
        // Another stream verified this seq meanwhile: the two must agree.
        if (!same_header(it->second.header, r.header) ||
            it->second.signature != r.batch_signature) {
            return unexpected(fmt::format("batch {}: two different signed headers", seq));
        }
    } else {
        it->second.broken = check_chain_locked(it->second);
    }
    if (!it->second.broken.empty())
        return unexpected(it->second.broken);
    return {};
}

std::string ReceiptChecker::check_chain_locked(const Verified& batch) const {
    const auto seq = batch.header.seq;
    if (const auto before = m_batches.find(seq - 1); before != m_batches.end()) {
        if (batch.header.prev_hash != before->second.hash) {
            return fmt::format("batch {}: prev_batch_hash {} is not the hash of batch {} ({})", seq,
                               to_hex(batch.header.prev_hash), seq - 1,
                               to_hex(before->second.hash));
        }
    }
    if (const auto after = m_batches.find(seq + 1); after != m_batches.end()) {
        if (after->second.header.prev_hash != batch.hash) {
            return fmt::format("batch {}: its hash {} is not batch {}'s prev_batch_hash ({})", seq,
                               to_hex(batch.hash), seq + 1, to_hex(after->second.header.prev_hash));
        }
    }
    return {};
}

ReceiptChecker::Totals ReceiptChecker::totals() const {
    std::lock_guard lock(m_mutex);
    Totals t;
    t.batches = m_batches.size();
    if (m_batches.empty())
        return t;
    t.lowest_seq = m_batches.begin()->first;
    t.highest_seq = m_batches.rbegin()->first;
    t.gaps = (t.highest_seq - t.lowest_seq + 1) - t.batches;
    return t;
}

}  // namespace btt::load
