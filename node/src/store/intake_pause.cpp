// The recorded pause of intake (see intake_pause.h).
#include <btt/node/store/intake_pause.h>

#include <pqxx/pqxx>

#include "store_sql.h"

namespace btt::node {

StoreResult<std::optional<IntakePause>> IntakePauseRecord::read() const {
    return sql::on_own_connection(m_url, [](pqxx::connection& db) -> std::optional<IntakePause> {
        pqxx::read_transaction txn(db);
        const auto r =
            txn.exec("SELECT reason, floor(extract(epoch FROM since))::bigint FROM intake_pause");
        if (r.empty())
            return std::nullopt;
        return IntakePause{r[0][0].as<std::string>(), r[0][1].as<std::int64_t>()};
    });
}

StoreResult<void> IntakePauseRecord::record(const IntakePause& pause) const {
    return sql::on_own_connection(m_url, [&](pqxx::connection& db) {
        pqxx::work txn(db);
        // A second pause keeps the first one's reason and time (what the operator sees stays
        // what started it); the row is written again in case an earlier write was lost.
        txn.exec_params(
            "INSERT INTO intake_pause (reason, since) VALUES ($1, to_timestamp($2)) "
            "ON CONFLICT (singleton) DO NOTHING",
            pause.reason, pause.since);
        txn.commit();
    });
}

StoreResult<void> IntakePauseRecord::clear() const {
    return sql::on_own_connection(m_url, [](pqxx::connection& db) {
        pqxx::work txn(db);
        txn.exec("DELETE FROM intake_pause");
        txn.commit();
    });
}

}  // namespace btt::node
