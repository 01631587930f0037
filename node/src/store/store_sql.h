#pragma once
// Internals shared by the store's source files: exception translation, parameter
// encoding, and Store::run (one unit of work with reconnect and bounded retry).
#include <string>
#include <type_traits>
#include <vector>

#include <pqxx/pqxx>

#include <btt/base/bytes.h>
#include <btt/channels/conservation.h>
#include <btt/node/store/store.h>

namespace btt::node {
namespace sql {

// Which StoreError an exception from libpqxx means (see store.h).
[[nodiscard]] StoreError translate(const std::exception& e);

// Runs body(), turning libpqxx's exceptions into DatabaseUnreachable / DatabaseFailure
// (store.h); every other exception passes unchanged.
template <typename Body>
auto translating(Body&& body) -> decltype(body()) {
    try {
        return body();
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable(e.what());
    } catch (const pqxx::failure& e) {
        throw DatabaseFailure(e.what());
    }
}

[[nodiscard]] inline pqxx::binarystring bin(ByteView b) {
    return pqxx::binarystring(b.data(), b.size());
}

// Stored values read back; a malformed one (our bug or a tampered row) throws.
[[nodiscard]] channels::Amount amount_of(const pqxx::field& f);
// A non-negative numeric sum, read as text (it may pass INT64_MAX).
[[nodiscard]] channels::Total total_of(const pqxx::field& f);
[[nodiscard]] tron::TronAddress address_of(const pqxx::field& f);
[[nodiscard]] Hash32 hash_of(const pqxx::field& f);

// Runs body(connection) on a connection of its own, for rare calls (the pause record, held
// transfers): every exception becomes a StoreError.
template <typename Body>
auto on_own_connection(const std::string& url, Body&& body)
    -> StoreResult<decltype(body(std::declval<pqxx::connection&>()))> {
    using T = decltype(body(std::declval<pqxx::connection&>()));
    try {
        pqxx::connection db(url);
        if constexpr (std::is_void_v<T>) {
            body(db);
            return {};
        } else {
            return body(db);
        }
    } catch (const std::exception& e) {
        return unexpected(sql::translate(e));
    }
}

// A PostgreSQL array literal of bytea values in hex form, for unnest($n::bytea[]).
[[nodiscard]] std::string bytea_array(const std::vector<ByteView>& items);

template <typename T>
[[nodiscard]] std::string int_array(const std::vector<T>& items) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i)
            out += ',';
        out += std::to_string(items[i]);
    }
    out += '}';
    return out;
}

// Copies a bytea field into a fixed-size array; false when the length differs.
template <std::size_t N>
[[nodiscard]] bool copy_fixed(const pqxx::field& f, ByteArray<N>& out) {
    if (f.is_null())
        return false;
    const pqxx::binarystring b(f);
    if (b.size() != N)
        return false;
    std::copy(b.begin(), b.end(), out.begin());
    return true;
}

// The columns of `channels` that channel_from_row reads, in its order.
extern const char* const kChannelColumns;
// A channels row (kChannelColumns) as the rules see it; throws on a malformed row.
[[nodiscard]] channels::Channel channel_from_row(const pqxx::row& r);

}  // namespace sql

template <typename F>
auto Store::run(F&& body) {
    using T = decltype(body(std::declval<pqxx::connection&>()));
    // Deadlocks and serialization failures roll the whole unit back: rerun it (bounded).
    constexpr int kAttempts = 5;
    using R = StoreResult<T>;
    for (int attempt = 1;; ++attempt) {
        try {
            if (!m_connection || !m_connection->is_open()) {
                m_connection.reset();
                m_connection = std::make_unique<pqxx::connection>(m_url);
            }
            if constexpr (std::is_void_v<T>) {
                body(*m_connection);
                return R{};
            } else {
                return R{body(*m_connection)};
            }
        } catch (const pqxx::transaction_rollback& e) {
            if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e) == nullptr &&
                attempt < kAttempts) {
                ++m_retries;
                continue;
            }
            const auto err = sql::translate(e);
            if (err.kind != StoreError::Kind::Refused)
                m_connection.reset();
            return R{unexpected(err)};
        } catch (const std::exception& e) {
            const auto err = sql::translate(e);
            if (err.kind != StoreError::Kind::Refused)
                m_connection.reset();
            return R{unexpected(err)};
        }
    }
}

}  // namespace btt::node
