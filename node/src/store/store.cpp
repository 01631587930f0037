// Store: connection handling, error translation, identity and cursor. The hot-path and
// block writes are in store_writes.cpp; reads of channels and batches in store_reads.cpp.
#include <btt/node/store/store.h>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "store_sql.h"

namespace btt::node {

std::string StoreError::message() const {
    switch (kind) {
        case Kind::Unavailable:
            return "database unavailable: " + detail;
        case Kind::InDoubt:
            return "commit in doubt: " + detail;
        case Kind::Refused:
            return "database refused: " + detail;
    }
    return detail;
}

Store::Store(const std::string& url)
    : m_url(url), m_connection(sql::translating([&] { return std::make_unique<pqxx::connection>(url); })) {}
Store::~Store() = default;

namespace sql {

channels::Amount amount_of(const pqxx::field& f) {
    const auto a = channels::Amount::from_int64(f.as<std::int64_t>());
    if (!a)
        throw std::runtime_error("negative amount stored");
    return *a;
}

channels::Total total_of(const pqxx::field& f) {
    const auto t = channels::Total::from_decimal(f.c_str());
    if (!t)
        throw std::runtime_error("malformed or negative sum stored");
    return *t;
}

tron::TronAddress address_of(const pqxx::field& f) {
    ByteArray<21> b{};
    if (!copy_fixed(f, b))
        throw std::runtime_error("malformed address stored");
    auto a = tron::TronAddress::from_bytes(b);
    if (!a)
        throw std::runtime_error("malformed address stored");
    return *a;
}

Hash32 hash_of(const pqxx::field& f) {
    Hash32 h{};
    if (!copy_fixed(f, h))
        throw std::runtime_error("malformed id stored");
    return h;
}

StoreError translate(const std::exception& e) {
    if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr ||
        dynamic_cast<const pqxx::statement_completion_unknown*>(&e) != nullptr) {
        return {StoreError::Kind::InDoubt, e.what()};
    }
    if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
        return {StoreError::Kind::Unavailable, e.what()};
    }
    if (const auto* s = dynamic_cast<const pqxx::sql_error*>(&e)) {
        const std::string& state = s->sqlstate();
        // 08: connection exception; 57: operator intervention (shutdown, crash); 53:
        // insufficient resources. All mean "the server, not our statement".
        if (state.rfind("08", 0) == 0 || state.rfind("57", 0) == 0 || state.rfind("53", 0) == 0) {
            return {StoreError::Kind::Unavailable, e.what()};
        }
    }
    return {StoreError::Kind::Refused, e.what()};
}

std::string bytea_array(const std::vector<ByteView>& items) {
    std::string out;
    out.reserve(2 + items.size() * (items.empty() ? 0 : items[0].size() * 2 + 8));
    static constexpr char kHex[] = "0123456789abcdef";
    out += '{';
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i)
            out += ',';
        out += "\"\\\\x";
        for (const auto b : items[i]) {
            out += kHex[b >> 4];
            out += kHex[b & 15];
        }
        out += '"';
    }
    out += '}';
    return out;
}

}  // namespace sql

StoreResult<std::optional<std::string>> Store::check_identity(const NodeIdentity& id) {
    return run([&](pqxx::connection& c) -> std::optional<std::string> {
        pqxx::work txn(c);
        txn.exec("LOCK TABLE node_meta IN EXCLUSIVE MODE");
        const std::pair<const char*, const std::string*> fields[] = {
            {"escrow_address", &id.escrow_address},
            {"token_id", &id.token_id},
            {"chain_id", &id.chain_id},
        };
        for (const auto& [key, want] : fields) {
            const auto r = txn.exec_params("SELECT value FROM node_meta WHERE key = $1", key);
            if (r.empty()) {
                txn.exec_params("INSERT INTO node_meta (key, value) VALUES ($1, $2)", key, *want);
            } else if (r[0][0].as<std::string>() != *want) {
                return fmt::format(
                    "this database belongs to {} {}, but the configuration says {}: refusing to "
                    "mix two nodes' books",
                    key, r[0][0].as<std::string>(), *want);
            }
        }
        txn.commit();
        return std::nullopt;
    });
}

StoreResult<std::optional<ChainCursor>> Store::cursor() {
    return run([&](pqxx::connection& c) -> std::optional<ChainCursor> {
        pqxx::read_transaction txn(c);
        const auto r = txn.exec("SELECT block_number, block_id FROM chain_cursor");
        if (r.empty())
            return std::nullopt;
        ChainCursor out;
        out.block_number = r[0][0].as<std::int64_t>();
        const pqxx::binarystring id(r[0][1]);
        if (id.size() == 32)
            std::copy(id.begin(), id.end(), out.block_id.begin());
        return out;
    });
}

StoreResult<void> Store::init_cursor(const ChainCursor& cursor) {
    return run([&](pqxx::connection& c) {
        pqxx::work txn(c);
        txn.exec_params(
            "INSERT INTO chain_cursor (block_number, block_id) VALUES ($1, $2) "
            "ON CONFLICT (singleton) DO NOTHING",
            cursor.block_number,
            cursor.block_number >= 0 ? sql::bin(cursor.block_id) : pqxx::binarystring("", 0));
        txn.commit();
    });
}

}  // namespace btt::node
