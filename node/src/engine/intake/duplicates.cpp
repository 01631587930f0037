// Intake's duplicate answerer: acknowledgements of amounts already committed, off the
// group commit's thread and, in the common case, without a database read (see
// intake_internal.h).
#include <spdlog/spdlog.h>

#include "intake_internal.h"

namespace btt::node {

void Intake::Duplicates::hand(std::vector<Item>& dups,
                              const std::deque<std::shared_ptr<const CommittedBatch>>& recent) {
    if (dups.empty())
        return;  // the common case: nothing copied
    const auto snapshot = std::make_shared<const RecentBatches>(recent.begin(), recent.end());
    const auto& opt = intake.m_options;
    std::vector<Item*> refused;
    {
        std::lock_guard lock(m_mutex);
        for (auto& d : dups) {
            if (m_queue.size() >= opt.duplicate_queue_limit ||
                m_queue.size_of(d.source) >= opt.duplicate_queue_per_source) {
                refused.push_back(&d);
                continue;
            }
            m_queue.push(d.source, Pending{std::move(d), snapshot});
        }
    }
    if (refused.size() < dups.size())
        m_wake.notify_one();
    // Answered outside the lock: a stream's write must not hold up the answerer's thread.
    for (auto* d : refused)
        intake.reply_now(d->sink, d->slot, d->request_id, channels::Reject::Overloaded, 0);
}

void Intake::Duplicates::finish() {
    {
        std::lock_guard lock(m_mutex);
        m_finishing = true;
    }
    m_wake.notify_one();
    if (thread.joinable())
        thread.join();
}

void Intake::Duplicates::run() {
    for (;;) {
        std::optional<Pending> next;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_finishing || m_queue.size() != 0; });
            next = m_queue.pop();
            if (!next && m_finishing)
                return;
        }
        if (next)
            answer(*next);
    }
}

void Intake::Duplicates::count_reads(std::uint64_t n) {
    intake.m_stats.duplicate_reads.fetch_add(n, std::memory_order_relaxed);
    if (intake.m_options.metrics != nullptr)
        intake.m_options.metrics->duplicate_store_reads(n);
}

std::shared_ptr<const CommittedBatch> Intake::Duplicates::batch_by_seq(
    std::uint64_t seq, const RecentBatches& recent) {
    if (const auto* cached = m_batches.find(seq))
        return *cached;
    // The recent batches are consecutive, newest first.
    if (!recent.empty() && seq <= recent.front()->header.seq) {
        const auto back = recent.front()->header.seq - seq;
        if (back < recent.size() && recent[back]->header.seq == seq) {
            m_batches.put(seq, recent[back]);
            return recent[back];
        }
    }
    // Read back and rebuilt the way the committer built it, then checked against its root.
    count_reads(2);
    const auto stored = store->batch(seq);
    const auto rows = store->batch_leaves(seq);
    if (!stored || !*stored || !rows || rows->size() != (*stored)->header.leaf_count)
        return nullptr;
    auto rebuilt = std::make_shared<const CommittedBatch>(
        make_committed_batch((*stored)->header, (*stored)->signature, *rows));
    if (rebuilt->header.root != (*stored)->header.root) {
        spdlog::error("intake: stored batch {} does not match its root", seq);
        return nullptr;
    }
    m_batches.put(seq, rebuilt);
    return rebuilt;
}

std::optional<Intake::Duplicates::Located> Intake::Duplicates::locate(const Item& item,
                                                                       const RecentBatches& recent) {
    const auto key = std::make_pair(item.channel, item.amount);
    if (const auto* where = m_where.find(key)) {
        const auto w = *where;  // the find's pointer does not outlive the next put
        if (auto b = batch_by_seq(w.seq, recent))
            return Located{std::move(b), w.leaf};
    }
    // A fresh amount (a client resending what it lost): in a recent batch, newest first.
    for (const auto& b : recent) {
        for (std::size_t i = b->leaves.size(); i-- > 0;) {
            if (b->leaves[i].first == item.channel && b->leaves[i].second == item.amount) {
                m_where.put(key, Where{b->header.seq, static_cast<std::uint32_t>(i)});
                return Located{b, static_cast<std::uint32_t>(i)};
            }
        }
    }
    // Older than every cache: where the database says it was committed.
    count_reads(1);
    const auto where = store->proof_location(item.channel, item.amount);
    if (!where || !*where)
        return std::nullopt;
    auto b = batch_by_seq((*where)->batch_seq, recent);
    if (!b || (*where)->leaf_index >= b->leaves.size())
        return std::nullopt;
    m_where.put(key, Where{(*where)->batch_seq, (*where)->leaf_index});
    return Located{std::move(b), (*where)->leaf_index};
}

void Intake::Duplicates::answer(Pending& p) {
    auto& d = p.item;
    const auto found = locate(d, *p.recent);
    if (!found) {
        // Its amount is not readable now (the database is down, or a commit failed under
        // it): a retry class, the client sends it again.
        intake.reply_now(d.sink, d.slot, d.request_id, channels::Reject::StoreUnavailable, 0);
        return;
    }
    ProofReply r;
    r.request_id = d.request_id;
    r.outcome = channels::Outcome::Duplicate;
    r.accepted = static_cast<std::uint64_t>(d.amount.value());
    r.batch = found->first;
    r.leaf_index = found->second;
    r.amount = r.accepted;
    intake.m_stats.duplicate.fetch_add(1, std::memory_order_relaxed);
    if (intake.m_options.metrics != nullptr) {
        intake.m_options.metrics->proof_outcome(channels::Outcome::Duplicate,
                                                channels::Reject::Internal);
    }
    d.sink->deliver(d.slot, std::move(r));
}

}  // namespace btt::node
