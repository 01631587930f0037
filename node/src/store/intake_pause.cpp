// The recorded pause of intake (see intake_pause.h).
#include <btt/node/store/intake_pause.h>

namespace btt::node {

std::optional<IntakePause> read_intake_pause(pqxx::connection& db) {
    pqxx::read_transaction txn(db);
    const auto r =
        txn.exec("SELECT reason, floor(extract(epoch FROM since))::bigint FROM intake_pause");
    if (r.empty())
        return std::nullopt;
    return IntakePause{r[0][0].as<std::string>(), r[0][1].as<std::int64_t>()};
}

void record_intake_pause(pqxx::connection& db, const IntakePause& pause) {
    pqxx::work txn(db);
    // A second pause keeps the first one's reason and time (what the operator sees stays
    // what started it); the row is written again in case an earlier write was lost.
    txn.exec_params(
        "INSERT INTO intake_pause (reason, since) VALUES ($1, to_timestamp($2)) "
        "ON CONFLICT (singleton) DO NOTHING",
        pause.reason, pause.since);
    txn.commit();
}

void clear_intake_pause(pqxx::connection& db) {
    pqxx::work txn(db);
    txn.exec("DELETE FROM intake_pause");
    txn.commit();
}

}  // namespace btt::node
