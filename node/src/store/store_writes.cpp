// Store writes: a solidified block's deposits with the cursor (chain watcher), and the
// group commit of accepted proofs with their receipt batch (intake).
#include <btt/node/store/store.h>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "store_sql.h"

namespace btt::node {

StoreResult<Store::AppliedBlock> Store::apply_block(const BlockChanges& b) {
    return run([&](pqxx::connection& c) {
        pqxx::work txn(c);
        AppliedBlock applied;
        // The cursor moves by exactly one block: a restart neither skips nor repeats one.
        const auto moved = txn.exec_params(
            "UPDATE chain_cursor SET block_number = $1, block_id = $2, updated_at = now() "
            "WHERE block_number = $3",
            b.block_number, sql::bin(b.block_id), b.block_number - 1);
        if (moved.affected_rows() != 1) {
            throw std::runtime_error(
                fmt::format("chain cursor is not at block {}", b.block_number - 1));
        }
        for (const auto& ch : b.opened) {
            txn.exec_params(
                "INSERT INTO channels (channel_id, payer, payee, token_id, deposit, state, "
                "opened_at, opened_block, expiry) "
                "VALUES ($1, $2, $3, $4, $5, 1, to_timestamp($6), $7, to_timestamp($8))",
                sql::bin(ch.id.bytes()), sql::bin(ch.payer.bytes()), sql::bin(ch.payee.bytes()),
                ch.token_id, ch.deposit.value(), ch.opened_at.value, b.block_number,
                ch.expiry.value);
        }
        for (const auto& up : b.topped_up) {
            const bool refused = std::find(applied.refused_topups.begin(),
                                           applied.refused_topups.end(),
                                           up.channel) != applied.refused_topups.end();
            if (refused)
                continue;  // a later top-up of the same channel in this block: refused too
            // The row lock taken here holds the state until commit: intake's committer
            // cannot move the channel between this check and the deposit it raises.
            const auto r = txn.exec_params(
                "UPDATE channels SET deposit = $2, updated_at = now() "
                "WHERE channel_id = $1 AND deposit < $2 AND state = $3",
                sql::bin(up.channel.bytes()), up.new_deposit.value(),
                static_cast<int>(channels::ChannelState::Open));
            if (r.affected_rows() == 1)
                continue;
            const auto row = txn.exec_params(
                "SELECT state, deposit < $2 FROM channels WHERE channel_id = $1",
                sql::bin(up.channel.bytes()), up.new_deposit.value());
            if (row.empty() || !row[0][1].as<bool>())
                throw std::runtime_error("top-up of a channel that is missing or would shrink");
            applied.refused_topups.push_back(up.channel);  // no longer OPEN
        }
        for (auto d : b.deposits) {
            if (d.kind == DepositKind::TopUp && d.channel &&
                std::find(applied.refused_topups.begin(), applied.refused_topups.end(),
                          *d.channel) != applied.refused_topups.end()) {
                d.kind = DepositKind::Unclaimed;
                d.unclaimed_reason = channels::UnclaimedReason::ChannelNotOpen;
                d.channel.reset();
            }
            const auto reason = d.unclaimed_reason
                                    ? std::optional<int>(static_cast<int>(*d.unclaimed_reason))
                                    : std::nullopt;
            txn.exec_params(
                "INSERT INTO deposits (txid, block_number, block_time, sender, token_id, amount, "
                "memo, outcome, unclaimed_reason, channel_id, held) "
                "VALUES ($1, $2, to_timestamp($3), $4, $5, $6, $7, $8, $9, decode($10, 'hex'), "
                "$11)",
                sql::bin(d.txid.bytes()), d.block_number, d.block_time.value,
                sql::bin(d.sender.bytes()), d.token_id, d.amount.value(), sql::bin(d.memo),
                static_cast<int>(d.kind), reason,
                d.channel ? std::optional<std::string>(d.channel->to_hex()) : std::nullopt,
                d.kind == DepositKind::Unclaimed && d.held);
        }
        txn.commit();
        return applied;
    });
}

namespace {

// One lifecycle move: the row must be in `from` (the shard judged against it), so a
// mismatch is our bug and refuses the whole batch.
void write_transition(pqxx::work& txn, const TransitionRow& t) {
    const auto& tr = t.transition;
    const auto moved = txn.exec_params(
        "UPDATE channels SET state = $2, settle_at = to_timestamp($3), close_cause = $4, "
        "updated_at = now() WHERE channel_id = $1 AND state = $5",
        sql::bin(t.channel.bytes()), static_cast<int>(tr.to),
        tr.settle_at ? std::optional<std::int64_t>(tr.settle_at->value) : std::nullopt,
        static_cast<int>(tr.cause), static_cast<int>(tr.from));
    if (moved.affected_rows() != 1) {
        throw std::runtime_error(fmt::format("channel {}: not in state {} for its transition",
                                             t.channel.to_hex(), static_cast<int>(tr.from)));
    }
    if (t.party && t.signature) {
        txn.exec_params(
            "INSERT INTO close_requests (channel_id, party, signature, received_at) "
            "VALUES ($1, $2, $3, to_timestamp($4 / 1000.0)) ON CONFLICT DO NOTHING",
            sql::bin(t.channel.bytes()), *t.party == channels::Party::Payer ? 1 : 2,
            sql::bin(*t.signature), t.received_at_ms);
    }
}

}  // namespace

StoreResult<void> Store::commit_batch(const StoredBatch& batch, const std::vector<ProofRow>& proofs,
                                      const std::vector<TransitionRow>& transitions) {
    // Arrays are built outside the transaction: the less time between BEGIN and COMMIT,
    // the less the two writers (intake, watcher) wait on each other's row locks.
    std::vector<ByteView> ids, sigs;
    std::vector<std::int64_t> amounts, received, leaves;
    ids.reserve(proofs.size());
    for (const auto& p : proofs) {
        ids.emplace_back(p.channel.bytes());
        sigs.emplace_back(p.signature);
        amounts.push_back(p.amount.value());
        received.push_back(p.received_at_ms);
        leaves.push_back(p.leaf_index);
    }
    // The latest proof per channel becomes its stored state; sorted by id so concurrent
    // writers lock rows in one order.
    std::map<channels::ChannelId, const ProofRow*> latest;
    for (const auto& p : proofs) {
        auto& slot = latest[p.channel];
        if (slot == nullptr || slot->amount < p.amount)
            slot = &p;
    }
    std::vector<ByteView> l_ids, l_sigs;
    std::vector<std::int64_t> l_amounts, l_leaves;
    for (const auto& [id, p] : latest) {
        l_ids.emplace_back(p->channel.bytes());
        l_sigs.emplace_back(p->signature);
        l_amounts.push_back(p->amount.value());
        l_leaves.push_back(p->leaf_index);
    }
    const auto a_ids = sql::bytea_array(ids), a_sigs = sql::bytea_array(sigs);
    const auto a_amounts = sql::int_array(amounts), a_received = sql::int_array(received),
               a_leaves = sql::int_array(leaves);
    const auto b_ids = sql::bytea_array(l_ids), b_sigs = sql::bytea_array(l_sigs);
    const auto b_amounts = sql::int_array(l_amounts), b_leaves = sql::int_array(l_leaves);
    const auto hash = tron::batch_hash(batch.header);
    const auto seq = static_cast<std::int64_t>(batch.header.seq);

    // One statement (migration 0005): the chain check, the batch row, the proof rows and
    // the channels' latest state, all or nothing.
    const auto write_proofs = [&](pqxx::transaction_base& txn) {
        txn.exec_params(
            "SELECT intake_commit_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
            "$14, $15)",
            seq, sql::bin(batch.header.prev_hash),
            static_cast<std::int64_t>(batch.header.leaf_count), sql::bin(batch.header.root),
            sql::bin(hash), sql::bin(batch.signature), a_ids, a_amounts, a_sigs, a_received,
            a_leaves, b_ids, b_amounts, b_sigs, b_leaves);
    };
    return run([&](pqxx::connection& c) {
        if (transitions.empty()) {
            // Autocommit: the statement is its own transaction, without BEGIN and COMMIT
            // round trips. A connection lost meanwhile leaves it in doubt, as a lost COMMIT
            // would: the committer then reads back what the database holds.
            pqxx::nontransaction txn(c);
            if (!proofs.empty())
                write_proofs(txn);
            return;
        }
        pqxx::work txn(c);
        if (!proofs.empty())
            write_proofs(txn);
        for (const auto& t : transitions)
            write_transition(txn, t);
        txn.commit();
    });
}

}  // namespace btt::node
