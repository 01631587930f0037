// SettlementStore (see settlement_store.h).
#include <btt/node/store/settlement_store.h>

#include <map>

#include <fmt/format.h>

#include "store_sql.h"

namespace btt::node {

namespace {

using channels::Amount;
using sql::address_of;
using sql::amount_of;
using sql::total_of;
using sql::hash_of;

constexpr int kRolePayee = 1, kRoleRefund = 2, kRoleUnclaimed = 3;

int role_number(channels::PayoutRole r) {
    switch (r) {
        case channels::PayoutRole::PayeeShare:
            return kRolePayee;
        case channels::PayoutRole::PayerRefund:
            return kRoleRefund;
        case channels::PayoutRole::UnclaimedRefund:
            return kRoleUnclaimed;
    }
    return 0;
}

channels::PayoutRole role_of(int n) {
    switch (n) {
        case kRolePayee:
            return channels::PayoutRole::PayeeShare;
        case kRoleRefund:
            return channels::PayoutRole::PayerRefund;
        case kRoleUnclaimed:
            return channels::PayoutRole::UnclaimedRefund;
        default:
            throw std::runtime_error("unknown payout role stored");
    }
}

LiveAttempt attempt_of(const pqxx::row& r) {
    LiveAttempt a;
    a.txid = channels::TxId(hash_of(r[0]));
    a.payout_id = r[1].as<std::uint64_t>();
    a.amount = amount_of(r[2]);
    const pqxx::binarystring tx(r[3]);
    a.signed_tx.assign(tx.begin(), tx.end());
    a.expiration_ms = r[4].as<std::int64_t>();
    return a;
}

// The channels each attempt's payout carries (for WatchChannel's payout events).
void add_channels(pqxx::transaction_base& txn, std::vector<LiveAttempt>& attempts) {
    for (auto& a : attempts) {
        for (const auto& row : txn.exec_params("SELECT channel_id FROM payout_contributions WHERE "
                                               "payout_id = $1 AND channel_id IS NOT NULL",
                                               static_cast<std::int64_t>(a.payout_id))) {
            a.channels.emplace_back(hash_of(row[0]));
        }
    }
}

constexpr const char* kLiveAttempts =
    "SELECT a.txid, a.payout_id, p.amount, a.signed_tx, a.expiration_ms FROM payout_attempts a "
    "JOIN payouts p USING (payout_id) WHERE a.state = 1 ORDER BY a.payout_id";

}  // namespace

StoreResult<std::vector<channels::Channel>> SettlementStore::settling_unplanned() {
    return run([&](pqxx::connection& c) {
        pqxx::read_transaction txn(c);
        std::vector<channels::Channel> out;
        for (const auto& row :
             txn.exec(std::string("SELECT ") + sql::kChannelColumns +
                      " FROM channels WHERE state = 3 AND NOT EXISTS (SELECT 1 FROM settlements s "
                      "WHERE s.channel_id = channels.channel_id) ORDER BY channel_id")) {
            out.push_back(sql::channel_from_row(row));
        }
        return out;
    });
}

StoreResult<std::vector<channels::UnclaimedRefund>> SettlementStore::unclaimed_unplanned() {
    return run([&](pqxx::connection& c) {
        pqxx::read_transaction txn(c);
        std::vector<channels::UnclaimedRefund> out;
        for (const auto& row :
             txn.exec("SELECT txid, sender, token_id, amount FROM deposits "
                      "WHERE outcome = 4 AND NOT held AND amount > 0 AND refund_batch_id IS NULL "
                      "ORDER BY block_number, txid")) {
            out.push_back({channels::TxId(hash_of(row[0])), address_of(row[1]),
                           row[2].as<std::string>(), amount_of(row[3])});
        }
        return out;
    });
}

StoreResult<std::uint64_t> SettlementStore::store_plan(const channels::SettlementPlan& plan,
                                                       const std::vector<channels::Channel>& chans,
                                                       std::uint32_t fee_bps) {
    std::map<channels::ChannelId, const channels::Channel*> by_id;
    for (const auto& c : chans)
        by_id[c.id] = &c;
    return run([&](pqxx::connection& c) {
        pqxx::work txn(c);
        const auto batch_id =
            txn.exec1("SELECT coalesce(max(batch_id), 0) + 1 FROM settlement_batches")[0]
                .as<std::int64_t>();
        // The cursor as this transaction sees it: at or above what the plan was read at.
        txn.exec_params(
            "INSERT INTO settlement_batches (batch_id, fee_bps, planned_height) VALUES ($1, $2, "
            "(SELECT block_number FROM chain_cursor))",
            batch_id, static_cast<std::int64_t>(fee_bps));
        for (const auto& s : plan.channels) {
            const auto* ch = by_id.at(s.channel);
            txn.exec_params(
                "INSERT INTO settlements (channel_id, batch_id, fee_bps, deposit, accepted, fee, "
                "payee_amount, refund) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                sql::bin(s.channel.bytes()), batch_id, static_cast<std::int64_t>(fee_bps),
                ch->deposit.value(), ch->accepted.value(), s.fee.value(), s.payee_amount.value(),
                s.refund.value());
        }
        for (const auto& p : plan.payouts) {
            for (const auto& k : p.contributions) {
                if (!k.transfer)
                    continue;
                const auto r = txn.exec_params(
                    "UPDATE deposits SET refund_batch_id = $2 WHERE txid = $1 AND outcome = 4 "
                    "AND NOT held AND refund_batch_id IS NULL",
                    sql::bin(k.transfer->bytes()), batch_id);
                if (r.affected_rows() != 1)
                    throw std::runtime_error(
                        "refund of a transfer not unclaimed, held, or planned twice");
            }
        }
        std::int64_t next =
            txn.exec1("SELECT coalesce(max(payout_id), 0) + 1 FROM payouts")[0].as<std::int64_t>();
        for (const auto& p : plan.payouts) {
            const auto id = next++;
            txn.exec_params(
                "INSERT INTO payouts (payout_id, batch_id, recipient, token_id, amount, state) "
                "VALUES ($1, $2, $3, $4, $5, 1)",
                id, batch_id, sql::bin(p.recipient.bytes()), p.token_id, p.amount.value());
            for (const auto& k : p.contributions) {
                txn.exec_params(
                    "INSERT INTO payout_contributions (payout_id, role, channel_id, transfer_txid, "
                    "amount) VALUES ($1, $2, decode($3, 'hex'), decode($4, 'hex'), $5)",
                    id, role_number(k.role),
                    k.channel ? std::optional<std::string>(k.channel->to_hex()) : std::nullopt,
                    k.transfer ? std::optional<std::string>(k.transfer->to_hex()) : std::nullopt,
                    k.amount.value());
            }
        }
        txn.commit();
        return static_cast<std::uint64_t>(batch_id);
    });
}

StoreResult<StoredLedger> SettlementStore::ledger() {
    return run([&](pqxx::connection& c) {
        // One snapshot for every table: the books are judged at one instant.
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(c);
        StoredLedger out;
        for (const auto& r : txn.exec("SELECT channel_id, payer, payee, token_id, deposit, "
                                      "accepted, state FROM channels")) {
            channels::LedgerChannel l;
            l.id = channels::ChannelId(hash_of(r[0]));
            l.payer = address_of(r[1]);
            l.payee = address_of(r[2]);
            l.token_id = r[3].as<std::string>();
            l.deposit = amount_of(r[4]);
            l.accepted = amount_of(r[5]);
            l.state = static_cast<channels::ChannelState>(r[6].as<int>());
            out.channels.push_back(l);
        }
        for (const auto& r : txn.exec("SELECT channel_id, fee_bps, accepted, fee, payee_amount, "
                                      "refund FROM settlements")) {
            out.settlements.push_back({channels::ChannelId(hash_of(r[0])), r[1].as<std::uint32_t>(),
                                       amount_of(r[2]), amount_of(r[3]), amount_of(r[4]),
                                       amount_of(r[5])});
        }
        std::map<std::uint64_t, std::size_t> index;
        for (const auto& r : txn.exec("SELECT payout_id, recipient, token_id, amount FROM payouts "
                                      "ORDER BY payout_id")) {
            channels::StoredPayout p;
            p.id = r[0].as<std::uint64_t>();
            p.recipient = address_of(r[1]);
            p.token_id = r[2].as<std::string>();
            p.amount = amount_of(r[3]);
            index[p.id] = out.payouts.size();
            out.payouts.push_back(std::move(p));
        }
        for (const auto& r : txn.exec("SELECT payout_id, role, channel_id, transfer_txid, amount "
                                      "FROM payout_contributions ORDER BY payout_id")) {
            channels::StoredContribution k;
            k.role = role_of(r[1].as<int>());
            if (!r[2].is_null())
                k.channel = channels::ChannelId(hash_of(r[2]));
            if (!r[3].is_null())
                k.transfer = channels::TxId(hash_of(r[3]));
            k.amount = amount_of(r[4]);
            const auto it = index.find(r[0].as<std::uint64_t>());
            if (it == index.end())
                throw std::runtime_error("contribution of a missing payout");
            out.payouts[it->second].contributions.push_back(k);
        }
        for (const auto& r :
             txn.exec("SELECT txid, sender, token_id, amount, refund_batch_id IS NOT NULL "
                      "FROM deposits WHERE outcome = 4")) {
            out.unclaimed.push_back({channels::TxId(hash_of(r[0])), address_of(r[1]),
                                     r[2].as<std::string>(), amount_of(r[3]), r[4].as<bool>()});
        }
        return out;
    });
}

StoreResult<std::vector<PayoutToSign>> SettlementStore::payouts_to_sign() {
    return run([&](pqxx::connection& c) {
        pqxx::read_transaction txn(c);
        std::vector<PayoutToSign> out;
        for (const auto& r :
             txn.exec("SELECT p.payout_id, p.batch_id, p.recipient, p.token_id, p.amount, "
                      "(SELECT count(*) FROM payout_attempts a WHERE a.payout_id = p.payout_id), "
                      "coalesce(b.planned_height, -1) "
                      "FROM payouts p JOIN settlement_batches b ON b.batch_id = p.batch_id "
                      "WHERE p.state <> 3 AND NOT EXISTS "
                      "(SELECT 1 FROM payout_attempts a WHERE a.payout_id = p.payout_id AND "
                      "a.state = 1) "
                      "ORDER BY p.payout_id")) {
            out.push_back({r[0].as<std::uint64_t>(), r[1].as<std::uint64_t>(), address_of(r[2]),
                           r[3].as<std::string>(), amount_of(r[4]), r[5].as<int>(),
                           r[6].as<std::int64_t>()});
        }
        return out;
    });
}

StoreResult<void> SettlementStore::store_attempt(const PayoutToSign& payout,
                                                 const channels::TxId& txid, const Bytes& signed_tx,
                                                 std::int64_t expiration_ms,
                                                 std::int64_t ref_block) {
    return run([&](pqxx::connection& c) {
        pqxx::work txn(c);
        txn.exec_params(
            "INSERT INTO payout_attempts (txid, payout_id, attempt, signed_tx, expiration_ms, "
            "ref_block, state) VALUES ($1, $2, $3, $4, $5, $6, 1)",
            sql::bin(txid.bytes()), static_cast<std::int64_t>(payout.payout_id),
            payout.attempts + 1, sql::bin(signed_tx), expiration_ms, ref_block);
        const auto r =
            txn.exec_params("UPDATE payouts SET state = 2 WHERE payout_id = $1 AND state <> 3",
                            static_cast<std::int64_t>(payout.payout_id));
        if (r.affected_rows() != 1)
            throw std::runtime_error("payout already confirmed");
        txn.commit();
    });
}

StoreResult<std::vector<LiveAttempt>> SettlementStore::live_attempts() {
    return run([&](pqxx::connection& c) {
        pqxx::read_transaction txn(c);
        std::vector<LiveAttempt> out;
        for (const auto& r : txn.exec(kLiveAttempts))
            out.push_back(attempt_of(r));
        add_channels(txn, out);
        return out;
    });
}

StoreResult<void> SettlementStore::confirm_attempt(const channels::TxId& txid, std::int64_t block) {
    return run([&](pqxx::connection& c) {
        pqxx::work txn(c);
        const auto a = txn.exec_params(
            "UPDATE payout_attempts SET state = 3, block_number = $2, ended_at = now() "
            "WHERE txid = $1 AND state = 1 RETURNING payout_id",
            sql::bin(txid.bytes()), block);
        if (a.size() != 1)
            throw std::runtime_error("confirming an attempt that is not live");
        const auto p = txn.exec_params(
            "UPDATE payouts SET state = 3, confirmed_txid = $2, confirmed_block = $3 "
            "WHERE payout_id = $1 AND state <> 3",
            a[0][0].as<std::int64_t>(), sql::bin(txid.bytes()), block);
        if (p.affected_rows() != 1)
            throw std::runtime_error("payout confirmed twice");
        txn.commit();
    });
}

StoreResult<void> SettlementStore::kill_attempt(const channels::TxId& txid) {
    return run([&](pqxx::connection& c) {
        pqxx::work txn(c);
        const auto a = txn.exec_params(
            "UPDATE payout_attempts SET state = 2, ended_at = now() WHERE txid = $1 AND state = 1",
            sql::bin(txid.bytes()));
        if (a.affected_rows() != 1)
            throw std::runtime_error("killing an attempt that is not live");
        txn.commit();
    });
}

StoreResult<std::vector<channels::ChannelId>> SettlementStore::paid_settling_channels() {
    return run([&](pqxx::connection& c) {
        pqxx::read_transaction txn(c);
        std::vector<channels::ChannelId> out;
        // A confirmed payout never goes back, so what this read finds stays true until
        // intake commits the move.
        for (const auto& r :
             txn.exec("SELECT ch.channel_id FROM channels ch JOIN settlements s "
                      "ON s.channel_id = ch.channel_id WHERE ch.state = 3 AND NOT EXISTS ("
                      "  SELECT 1 FROM payout_contributions pc JOIN payouts p USING (payout_id) "
                      "  WHERE pc.channel_id = ch.channel_id AND p.state <> 3) "
                      "ORDER BY ch.channel_id")) {
            out.emplace_back(hash_of(r[0]));
        }
        return out;
    });
}

StoreResult<SettlementStore::Counts> SettlementStore::counts() {
    return run([&](pqxx::connection& c) {
        pqxx::read_transaction txn(c);
        const auto r = txn.exec1(
            "SELECT (SELECT count(*) FROM channels WHERE state IN (1, 2)), "
            "(SELECT count(*) FROM payouts WHERE state = 1), "
            "(SELECT count(*) FROM payouts WHERE state = 2), "
            "(SELECT count(*) FROM payouts WHERE state = 3)");
        return Counts{r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>(),
                      r[3].as<std::int64_t>()};
    });
}

StoreResult<Liabilities> SettlementStore::liabilities(std::int64_t height,
                                                      const std::string& token_id) {
    return run([&](pqxx::connection& c) {
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(c);
        Liabilities out;
        const auto cur = txn.exec("SELECT block_number FROM chain_cursor");
        out.cursor = cur.empty() ? -1 : cur[0][0].as<std::int64_t>();
        // sum() of bigint is numeric in PostgreSQL: read whole, never cast to bigint.
        out.incoming = total_of(
            txn.exec_params1("SELECT coalesce(sum(amount), 0)::text FROM deposits "
                             "WHERE token_id = $1 AND block_number <= $2 AND outcome <> 3 "
                             "AND NOT held",
                             token_id, height)[0]);
        out.paid = total_of(txn.exec_params1("SELECT coalesce(sum(amount), 0)::text FROM payouts "
                                             "WHERE token_id = $1 AND state = 3 "
                                             "AND confirmed_block <= $2",
                                             token_id, height)[0]);
        for (const auto& r : txn.exec_params(
                 "SELECT a.txid, a.payout_id, p.amount, a.signed_tx, a.expiration_ms FROM "
                 "payout_attempts a "
                 "JOIN payouts p USING (payout_id) WHERE p.token_id = $1 AND a.state = 1 "
                 "ORDER BY a.payout_id",
                 token_id)) {
            out.unconfirmed.push_back(attempt_of(r));
        }
        return out;
    });
}

}  // namespace btt::node
