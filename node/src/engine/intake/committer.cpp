// Intake's committer: group commit of accepted proofs with their signed receipt batch, and
// recovery after a failed or doubtful commit (see intake.h).
#include <map>

#include <spdlog/spdlog.h>

#include <btt/tron/tip104.h>

#include "intake_internal.h"

namespace btt::node {

namespace {

constexpr std::size_t kRecentBatches = 16;  // kept for duplicates of fresh amounts

// WatchChannel's name of a committed state change (DESIGN §9): the commit that moved the
// channel is its one publisher, so `closed` can never be followed by an event of the move.
const char* transition_event_kind(channels::ChannelState to) {
    switch (to) {
        case channels::ChannelState::Closing:
            return "closing";
        case channels::ChannelState::Closed:
            return "closed";
        default:
            return "settling";
    }
}

}  // namespace

CommittedBatch make_committed_batch(tron::BatchHeader header, const tron::Signature& signature,
                                    const std::vector<ProofRow>& leaves) {
    std::vector<Hash32> hashes;
    std::vector<std::pair<channels::ChannelId, channels::Amount>> ids;
    hashes.reserve(leaves.size());
    for (const auto& p : leaves) {
        hashes.push_back(tron::merkle_leaf_hash(tron::receipt_message(
            p.channel.bytes(), static_cast<std::uint64_t>(p.amount.value()))));
        ids.emplace_back(p.channel, p.amount);
    }
    tron::MerkleTree tree(std::move(hashes));
    header.root = tree.root();
    return CommittedBatch{header, signature, std::move(tree), std::move(ids)};
}

void Intake::Committer::push(Item item) {
    bool wake_up = false;
    {
        std::lock_guard lock(mutex);
        if (queue.empty())
            oldest = std::chrono::steady_clock::now();
        queue.push_back(std::move(item));
        // Only what can end the committer's wait: a first item, or a full batch. Waking it
        // for every proof while it waits out the time bound costs a context switch each.
        wake_up = queue.size() == 1 || queue.size() == intake.m_options.batch_max;
    }
    if (wake_up)
        wake.notify_one();
}

void Intake::Committer::finish() {
    {
        std::lock_guard lock(mutex);
        finishing = true;
    }
    wake.notify_one();
    if (thread.joinable())
        thread.join();
    replier_guard.reset();
    if (replier_thread.joinable())
        replier_thread.join();
}

bool Intake::Committer::sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, d, [&] { return finishing; });
    return !finishing;
}

void Intake::Committer::run() {
    const auto& opt = intake.m_options;
    for (;;) {
        std::vector<Item> items;
        {
            std::unique_lock lock(mutex);
            wake.wait(lock, [&] { return finishing || !queue.empty(); });
            if (queue.empty() && finishing)
                return;
            // The batch closes on size or when its oldest proof has waited batch_delay:
            // latency stays bounded at low load, and under load (proofs queued while the
            // last commit ran) the next commit starts at once with all of them.
            const auto deadline = oldest + opt.batch_delay;
            wake.wait_until(lock, deadline,
                            [&] { return finishing || queue.size() >= opt.batch_max; });
            const std::size_t n = std::min(queue.size(), opt.batch_max);
            items.assign(std::make_move_iterator(queue.begin()),
                         std::make_move_iterator(queue.begin() + static_cast<std::ptrdiff_t>(n)));
            queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
            if (!queue.empty())
                oldest = std::chrono::steady_clock::now();
        }
        commit(items);
    }
}

void Intake::Committer::commit(std::vector<Item>& items) {
    const std::uint64_t epoch = intake.m_epoch.load();
    std::vector<ProofRow> rows;
    std::vector<TransitionRow> moves;
    std::vector<Item*> leaves, dups, transitions;
    for (auto& it : items) {
        // Judged on top of state that a failed commit has since taken back.
        if (it.epoch != epoch) {
            fail(it);
            continue;
        }
        switch (it.kind) {
            case Item::Kind::Duplicate:
                dups.push_back(&it);
                break;
            case Item::Kind::Transition:
                moves.push_back(*it.transition);
                transitions.push_back(&it);
                break;
            case Item::Kind::Proof:
                rows.push_back(ProofRow{it.channel, it.amount, it.signature, it.received_at_ms,
                                        static_cast<std::uint32_t>(rows.size())});
                leaves.push_back(&it);
                break;
        }
    }

    std::shared_ptr<const CommittedBatch> batch;
    StoredBatch stored;
    if (!rows.empty()) {
        stored.header.seq = tip ? tip->header.seq + 1 : 1;
        stored.header.prev_hash = tip ? tron::batch_hash(tip->header) : Hash32{};
        stored.header.leaf_count = static_cast<std::uint32_t>(rows.size());
        // Built before signing: the signature covers the root. A stored batch read back
        // (duplicates.cpp) is rebuilt the same way and checked against its stored root.
        auto built = make_committed_batch(stored.header, {}, rows);
        stored.header.root = built.header.root;
        stored.signature =
            tron::sign_message_v2(receipt_key, tron::batch_header_message(stored.header));
        built.signature = stored.signature;
        batch = std::make_shared<const CommittedBatch>(std::move(built));
    }

    // What becomes durable per channel, for the shards once the commit is done.
    std::map<channels::ChannelId, CommittedUpdate> touched;
    for (const auto& r : rows) {
        auto& u = touched[r.channel];
        u.channel = r.channel;
        if (u.amount < r.amount) {
            u.amount = r.amount;
            u.signature = r.signature;
        }
        ++u.proofs;
    }
    for (const auto& m : moves) {
        auto& u = touched[m.channel];
        u.channel = m.channel;
        u.transitions.push_back(m);
    }
    std::vector<CommittedUpdate> updates;
    for (auto& [id, u] : touched)
        updates.push_back(std::move(u));

    if (!rows.empty() || !moves.empty()) {
        const auto started = std::chrono::steady_clock::now();
        const auto committed = store->commit_batch(stored, rows, moves);
        spdlog::debug("intake: batch {}: {} proofs, {} transitions committed in {} us",
                      stored.header.seq, rows.size(), moves.size(),
                      std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count());
        if (intake.m_options.metrics != nullptr) {
            if (committed) {
                intake.m_options.metrics->commit(
                    rows.size() + moves.size(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                        .count());
            } else {
                intake.m_options.metrics->commit_failed();
            }
        }
        if (!committed) {
            intake.m_stats.commit_failures.fetch_add(1);
            spdlog::error("intake: batch {} ({} proofs, {} transitions) not committed: {}",
                          rows.empty() ? 0 : stored.header.seq, rows.size(), moves.size(),
                          committed.error().message());
            // Intake stops judging on the lost state before anyone hears of the failure: a
            // client that resends at once must find it down (a retry answer), never judged
            // against the amounts this batch held (amount_not_increasing, final, for an
            // amount that is not stored).
            const std::uint64_t recovery_epoch = begin_recovery();
            for (auto* it : leaves)
                fail(*it);
            for (auto* it : dups)
                fail(*it);
            for (auto* it : transitions)
                fail(*it);
            recover(rows.empty() ? std::nullopt : std::optional<StoredBatch>(stored), updates,
                    recovery_epoch);
            return;
        }
    }
    if (batch) {
        tip = stored;
        recent.push_front(batch);
        if (recent.size() > kRecentBatches)
            recent.pop_back();
        intake.m_stats.batches.fetch_add(1, std::memory_order_relaxed);
    }
    post_committed(std::move(updates));
    // Answering (audit paths, protobuf, stream writes) happens on the replier thread, so
    // the next commit starts at once; one thread keeps the batches' answers in order.
    struct Answer {
        std::shared_ptr<ReplySink> sink;
        std::uint64_t slot;
        std::uint64_t request_id;
        std::uint64_t amount;
        std::int64_t received_at_ms;
    };
    std::vector<Answer> answers;
    answers.reserve(leaves.size());
    for (auto* l : leaves) {
        answers.push_back({std::move(l->sink), l->slot, l->request_id,
                           static_cast<std::uint64_t>(l->amount.value()), l->received_at_ms});
    }
    // WatchChannel: only built when someone watches (one atomic load otherwise).
    std::vector<ChannelEvent> events;
    EventBus* bus = intake.m_options.events;
    if (bus != nullptr && bus->anyone_watching()) {
        const auto now = unix_now();
        for (auto* l : leaves) {
            events.push_back(
                {l->channel, "proof_accepted", l->state, l->amount.value(), std::nullopt, now});
        }
        for (auto* t : transitions) {
            const auto& tr = t->transition->transition;
            events.push_back({t->channel, transition_event_kind(tr.to), tr.to, 0, std::nullopt, now});
        }
    }
    std::vector<std::pair<std::function<void(CloseReply)>, CloseReply>> closes;
    for (auto* t : transitions) {
        if (!t->on_transition)
            continue;
        const auto& tr = t->transition->transition;
        closes.emplace_back(std::move(t->on_transition),
                            CloseReply{CloseOutcome::Done, tr.to, tr.settle_at});
    }
    intake.m_stats.accepted.fetch_add(leaves.size(), std::memory_order_relaxed);
    Metrics* metrics = intake.m_options.metrics;
    boost::asio::post(replier, [batch, answers = std::move(answers), closes = std::move(closes),
                                events = std::move(events), bus, metrics] {
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        for (std::size_t i = 0; i < answers.size(); ++i) {
            ProofReply r;
            r.request_id = answers[i].request_id;
            r.outcome = channels::Outcome::Accepted;
            r.accepted = answers[i].amount;
            r.batch = batch;
            r.leaf_index = static_cast<std::uint32_t>(i);
            r.amount = answers[i].amount;
            answers[i].sink->deliver(answers[i].slot, std::move(r));
            if (metrics != nullptr) {
                metrics->proof_outcome(channels::Outcome::Accepted, channels::Reject::Internal);
                metrics->ack_latency(static_cast<double>(now - answers[i].received_at_ms) / 1000.0);
            }
        }
        for (const auto& [done, reply] : closes)
            done(reply);
        for (const auto& e : events)
            bus->publish(e);
    });
    std::vector<Item> dup_items;
    for (auto* d : dups)
        dup_items.push_back(std::move(*d));
    intake.m_duplicates->hand(dup_items, recent);
}

void Intake::Committer::answer_stale() {
    // Judged before the failure was known (older epoch): answer them now rather than after
    // the outage, however long it lasts. Nothing judged since reaches the queue.
    std::vector<Item> stale;
    {
        std::lock_guard lock(mutex);
        stale.swap(queue);
    }
    for (auto& it : stale)
        fail(it);
}

void Intake::Committer::fail(Item& it) {
    if (it.kind == Item::Kind::Transition) {
        if (it.on_transition)
            it.on_transition(CloseReply{CloseOutcome::StoreUnavailable});
        return;
    }
    intake.reply_now(it.sink, it.slot, it.request_id, channels::Reject::StoreUnavailable, 0);
}

void Intake::Committer::post_committed(std::vector<CommittedUpdate> updates) {
    std::vector<std::vector<CommittedUpdate>> per_shard(intake.m_shards.size());
    for (auto& u : updates)
        per_shard[intake.shard_index(u.channel.bytes())].push_back(std::move(u));
    for (std::size_t i = 0; i < per_shard.size(); ++i) {
        if (per_shard[i].empty())
            continue;
        Shard* shard = intake.m_shards[i].get();
        boost::asio::post(shard->io, [shard, list = std::move(per_shard[i])] {
            for (const auto& u : list) {
                const auto it = shard->channels.find(u.channel);
                if (it == shard->channels.end())
                    continue;
                auto& e = it->second;
                if (e.durable < u.amount) {
                    e.durable = u.amount;
                    e.durable_signature = u.signature;
                }
                for (const auto& t : u.transitions) {
                    e.durable_state = t.transition.to;
                    if (t.transition.to == channels::ChannelState::Closing) {
                        e.durable_settle_at = t.transition.settle_at;
                    } else if (t.transition.to == channels::ChannelState::Settling) {
                        e.durable_settle_at.reset();
                    }
                    e.durable_cause = t.transition.cause;
                }
                const auto done = u.proofs + static_cast<std::uint32_t>(u.transitions.size());
                e.pending = e.pending > done ? e.pending - done : 0;
            }
        });
    }
}

std::uint64_t Intake::Committer::begin_recovery() {
    // From here until the rollback reaches the shards, nothing new is accepted, and
    // everything judged before it is answered store_unavailable (older epoch).
    intake.m_store_down.store(true);
    if (intake.m_options.metrics != nullptr)
        intake.m_options.metrics->store_available(false);
    return intake.m_epoch.fetch_add(1) + 1;
}

void Intake::Committer::recover(const std::optional<StoredBatch>& attempted,
                                const std::vector<CommittedUpdate>& touched,
                                std::uint64_t epoch) {
    auto backoff = std::chrono::milliseconds(100);
    // What the database says now about every channel the failed commit touched: it may
    // have committed after all (in doubt), and durable is whatever it holds.
    std::vector<channels::Channel> durable;
    for (;;) {
        bool ok = true;
        std::string why;
        const auto last = store->last_batch();
        if (!last) {
            ok = false;
            why = last.error().message();
        }
        durable.clear();
        for (std::size_t i = 0; ok && i < touched.size(); ++i) {
            const auto c = store->channel(touched[i].channel);
            if (!c) {
                ok = false;
                why = c.error().message();
            } else if (*c) {
                durable.push_back(**c);
            }
        }
        if (ok) {
            const std::uint64_t db_seq = *last ? (*last)->header.seq : 0;
            const std::uint64_t our_seq = tip ? tip->header.seq : 0;
            if (attempted && db_seq == attempted->header.seq &&
                tron::batch_hash((*last)->header) == tron::batch_hash(attempted->header)) {
                spdlog::warn(
                    "intake: batch {} was committed after all; its proofs were "
                    "answered store_unavailable and will be answered as duplicates",
                    db_seq);
                tip = attempted;
            } else if (db_seq != our_seq) {
                spdlog::critical(
                    "intake: the database's newest batch is {}, ours is {}: another "
                    "writer? intake stays stopped",
                    db_seq, our_seq);
                return;  // store_down stays set: fail closed
            }
            break;
        }
        spdlog::warn("intake: database unavailable ({}); retrying in {} ms", why, backoff.count());
        answer_stale();
        if (!sleep_for(backoff))
            return;
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
    for (auto& s : intake.m_shards) {
        Shard* shard = s.get();
        std::vector<channels::Channel> mine;
        for (const auto& c : durable) {
            if (intake.m_shards[intake.shard_index(c.id.bytes())].get() == shard)
                mine.push_back(c);
        }
        boost::asio::post(shard->io, [shard, epoch, mine = std::move(mine)] {
            for (const auto& c : mine)
                shard->replace(c);
            for (auto& [id, e] : shard->channels) {
                if (e.pending != 0)
                    e.roll_back();
            }
            shard->epoch = epoch;
        });
    }
    intake.m_store_down.store(false);
    if (intake.m_options.metrics != nullptr)
        intake.m_options.metrics->store_available(true);
    spdlog::info("intake: database back; resuming at batch {}", tip ? tip->header.seq + 1 : 1);
}

}  // namespace btt::node
