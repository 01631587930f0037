// Unclaimed transfers held for the operator (see held_transfers.h).
#include <btt/node/store/held_transfers.h>

#include <pqxx/pqxx>

#include "store_sql.h"

namespace btt::node {

namespace {

constexpr const char* kColumns =
    "txid, sender, token_id, amount, block_number, floor(extract(epoch FROM block_time))::bigint, "
    "unclaimed_reason";

HeldTransfer held_of(const pqxx::row& r) {
    HeldTransfer h;
    h.txid = channels::TxId(sql::hash_of(r[0]));
    h.from = sql::address_of(r[1]);
    h.token_id = r[2].as<std::string>();
    h.amount = sql::amount_of(r[3]);
    h.block = r[4].as<std::int64_t>();
    h.block_time = r[5].as<std::int64_t>();
    h.reason = static_cast<channels::UnclaimedReason>(r[6].as<int>());
    return h;
}

}  // namespace

StoreResult<std::vector<HeldTransfer>> HeldTransfers::list(std::uint32_t limit,
                                                           std::int64_t after_block) const {
    return sql::on_own_connection(m_url, [&](pqxx::connection& db) {
        pqxx::read_transaction txn(db);
        std::vector<HeldTransfer> out;
        for (const auto& r : txn.exec_params(
                 std::string("SELECT ") + kColumns +
                     " FROM deposits WHERE held AND block_number > $1 "
                     "ORDER BY block_number, txid LIMIT $2",
                 after_block, static_cast<std::int64_t>(limit))) {
            out.push_back(held_of(r));
        }
        return out;
    });
}

StoreResult<Release> HeldTransfers::release(const channels::TxId& txid) const {
    return sql::on_own_connection(m_url, [&](pqxx::connection& db) {
        pqxx::work txn(db);
        Release out;
        const auto released = txn.exec_params(
            std::string("UPDATE deposits SET held = false, released_at = now() "
                        "WHERE txid = $1 AND held RETURNING ") +
                kColumns,
            sql::bin(txid.bytes()));
        if (!released.empty()) {
            out.outcome = ReleaseOutcome::Released;
            out.transfer = held_of(released[0]);
        } else {
            const auto row = txn.exec_params(
                std::string("SELECT ") + kColumns + ", outcome FROM deposits WHERE txid = $1",
                sql::bin(txid.bytes()));
            if (!row.empty()) {
                out.outcome = ReleaseOutcome::NotHeld;
                if (row[0][7].as<int>() == static_cast<int>(DepositKind::Unclaimed))
                    out.transfer = held_of(row[0]);
            }
        }
        txn.commit();
        return out;
    });
}

}  // namespace btt::node
