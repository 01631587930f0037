// AdminService's and AuditService's reads (see ops_reads.h). Every query text is a constant;
// an absent filter is a neutral parameter (0, an empty bytea) that the query tests for, so
// PostgreSQL plans each call with the values it was given and nothing is spliced in.
#include <btt/node/store/ops_reads.h>

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>

#include <pqxx/pqxx>

#include "connection_pool.h"
#include "store_sql.h"

namespace btt::node {

namespace {

std::string str(const pqxx::field& f) {
    if (f.is_null())
        return {};
    const pqxx::binarystring b(f);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string address_text(const pqxx::field& f) {
    const std::string raw = str(f);
    auto a = tron::TronAddress::from_bytes(as_bytes(raw));
    if (!a)
        throw std::runtime_error("stored address is malformed");
    return a->to_base58();
}

std::int64_t num(const pqxx::field& f) {
    return f.is_null() ? 0 : f.as<std::int64_t>();
}

constexpr std::uint64_t kBigintMax = std::numeric_limits<std::int64_t>::max();

// An API bound (uint64, 0: none) as a bigint parameter: a bound past every bigint bounds
// nothing, as 0 does.
std::int64_t bigint(std::uint64_t bound) {
    return bound > kBigintMax ? 0 : static_cast<std::int64_t>(bound);
}

// A time bound (Unix seconds, 0: none) within what to_timestamp() takes: ±2^37 s is beyond
// year 6000 either way, so no stored time lies past it and the answer is unchanged, but an
// extreme bound is no longer "timestamp out of range". Nonzero stays nonzero.
std::int64_t seconds_bound(std::int64_t s) {
    constexpr std::int64_t kEdge = std::int64_t{1} << 37;
    return std::clamp(s, -kEdge, kEdge);
}

pqxx::binarystring address_param(const std::optional<tron::TronAddress>& a) {
    return a ? sql::bin(a->bytes()) : sql::bin(ByteView{});
}

// Runs `read` on a pooled connection and says which ReadError an exception means.
template <typename Read>
auto guarded(ConnectionPool& pool, Read&& read)
    -> ReadResult<decltype(read(std::declval<pqxx::connection&>()))> {
    try {
        return pool.run(read);
    } catch (const pqxx::transaction_rollback& e) {
        return unexpected(ReadError{ReadError::Kind::RolledBack, e.what()});
    } catch (const pqxx::failure& e) {
        // The server gone or going (broken connection, shutdown, no resources): retry. A
        // read in doubt is simply read again.
        const bool server = sql::translate(e).kind != StoreError::Kind::Refused;
        return unexpected(
            ReadError{server ? ReadError::Kind::Unavailable : ReadError::Kind::Internal, e.what()});
    } catch (const std::exception& e) {
        return unexpected(ReadError{ReadError::Kind::Internal, e.what()});
    }
}

const char* const kPayoutSelect =
    "SELECT p.payout_id, p.batch_id, p.recipient, p.token_id, p.amount, p.state, "
    "p.confirmed_txid, p.confirmed_block, (SELECT a.txid FROM payout_attempts a WHERE "
    "a.payout_id = p.payout_id AND a.state = 1) FROM payouts p ";

PayoutRow payout_from_row(const pqxx::row& r) {
    PayoutRow p;
    p.payout_id = r[0].as<std::uint64_t>();
    p.batch_id = r[1].as<std::uint64_t>();
    p.recipient = address_text(r[2]);
    p.token_id = r[3].as<std::string>();
    p.amount = r[4].as<std::int64_t>();
    p.state = r[5].as<int>();
    p.txid = !r[6].is_null() ? str(r[6]) : str(r[8]);
    p.block = num(r[7]);
    return p;
}

// Payout rows (kPayoutSelect) with their attempts and contributions: two queries for all
// of them, whatever their number.
std::vector<PayoutRow> payouts_with_details(pqxx::transaction_base& txn, const pqxx::result& rows) {
    std::vector<PayoutRow> out;
    if (rows.empty())
        return out;
    std::vector<std::int64_t> ids;
    for (const auto& r : rows) {
        out.push_back(payout_from_row(r));
        ids.push_back(static_cast<std::int64_t>(out.back().payout_id));
    }
    std::map<std::uint64_t, PayoutRow*> by_id;
    for (auto& p : out)
        by_id[p.payout_id] = &p;
    const auto id_array = sql::int_array(ids);
    const auto attempts = txn.exec_params(
        "SELECT payout_id, txid, attempt, state, block_number, extract(epoch from "
        "signed_at)::bigint, expiration_ms / 1000 FROM payout_attempts "
        "WHERE payout_id = ANY($1::bigint[]) ORDER BY payout_id, attempt",
        id_array);
    for (const auto& r : attempts) {
        by_id.at(r[0].as<std::uint64_t>())
            ->attempts.push_back({str(r[1]), r[2].as<std::uint32_t>(), r[3].as<int>(), num(r[4]),
                                  num(r[5]), num(r[6])});
    }
    const auto shares = txn.exec_params(
        "SELECT c.payout_id, t.token, c.channel_id, c.transfer_txid, c.amount "
        "FROM payout_contributions c JOIN enum_tokens t ON t.enum_name = 'payout_role' AND "
        "t.number = c.role WHERE c.payout_id = ANY($1::bigint[]) "
        "ORDER BY c.payout_id, c.role, c.channel_id, c.transfer_txid",
        id_array);
    for (const auto& r : shares) {
        by_id.at(r[0].as<std::uint64_t>())
            ->contributions.push_back(
                {r[1].as<std::string>(), str(r[2]), str(r[3]), r[4].as<std::int64_t>()});
    }
    return out;
}

SettlementRow settlement_from_row(const pqxx::row& r) {
    return {str(r[0]),
            r[1].as<std::uint64_t>(),
            r[2].as<std::uint32_t>(),
            r[3].as<std::int64_t>(),
            r[4].as<std::int64_t>(),
            r[5].as<std::int64_t>(),
            r[6].as<std::int64_t>(),
            r[7].as<std::int64_t>(),
            num(r[8])};
}

const char* const kSettlementSelect =
    "SELECT s.channel_id, s.batch_id, s.fee_bps, s.deposit, s.accepted, s.fee, "
    "s.payee_amount, s.refund, extract(epoch from b.planned_at)::bigint "
    "FROM settlements s JOIN settlement_batches b ON b.batch_id = s.batch_id ";

}  // namespace

OpsReads::OpsReads(std::string database_url)
    : m_pool(std::make_unique<ConnectionPool>(std::move(database_url))) {}
OpsReads::~OpsReads() = default;

ReadResult<ChannelPage> OpsReads::list_channels(const ChannelFilter& f) {
    return guarded(*m_pool, [&](pqxx::connection& db) {
        const std::uint32_t limit = std::min(f.limit, kMaxChannelPage);
        pqxx::read_transaction txn(db);
        // One row more than the page says whether another page follows.
        const auto rows = txn.exec_params(
            std::string("SELECT ") + sql::kChannelColumns +
                " FROM channels c WHERE ($1::int = 0 OR c.state = $1) "
                "AND (length($2::bytea) = 0 OR c.payer = $2) "
                "AND (length($3::bytea) = 0 OR c.payee = $3) "
                "AND ($4::bigint = 0 OR c.opened_at >= to_timestamp($4)) "
                "AND ($5::bigint = 0 OR c.opened_at < to_timestamp($5)) "
                "AND (($6::bigint = 0 AND $7::bigint = 0) OR EXISTS (SELECT 1 FROM settlements s JOIN "
                "settlement_batches b ON b.batch_id = s.batch_id WHERE s.channel_id = "
                "c.channel_id AND ($6 = 0 OR b.planned_at >= to_timestamp($6)) "
                "AND ($7 = 0 OR b.planned_at < to_timestamp($7)))) "
                "AND (length($8::bytea) = 0 OR c.channel_id > $8) "
                "ORDER BY c.channel_id LIMIT $9",
            f.state ? static_cast<int>(*f.state) : 0, address_param(f.payer),
            address_param(f.payee), seconds_bound(f.opened_from), seconds_bound(f.opened_to),
            seconds_bound(f.settled_from), seconds_bound(f.settled_to),
            f.after ? sql::bin(f.after->bytes()) : sql::bin(ByteView{}),
            static_cast<std::int64_t>(limit) + 1);
        ChannelPage page;
        for (std::size_t i = 0; i < rows.size() && i < limit; ++i)
            page.channels.push_back(sql::channel_from_row(rows[i]));
        page.more = rows.size() > limit;
        return page;
    });
}

ReadResult<std::vector<SettlementBatchRow>> OpsReads::list_settlement_batches(
    std::uint32_t limit, std::uint64_t before_batch) {
    return guarded(*m_pool, [&](pqxx::connection& db) {
        pqxx::read_transaction txn(db);
        const auto rows = txn.exec_params(
            "SELECT b.batch_id, b.fee_bps, extract(epoch from b.planned_at)::bigint, "
            "(SELECT count(*) FROM settlements s WHERE s.batch_id = b.batch_id) "
            "FROM settlement_batches b WHERE ($1::bigint = 0 OR b.batch_id < $1) "
            "ORDER BY b.batch_id DESC LIMIT $2",
            bigint(before_batch),
            static_cast<std::int64_t>(std::min(limit, kMaxBatchPage)));
        std::vector<SettlementBatchRow> out;
        std::vector<std::int64_t> ids;
        std::map<std::uint64_t, SettlementBatchRow*> by_id;
        for (const auto& r : rows) {
            out.push_back({r[0].as<std::uint64_t>(), r[1].as<std::uint32_t>(), num(r[2]),
                           r[3].as<std::uint32_t>(), {}});
            ids.push_back(static_cast<std::int64_t>(out.back().batch_id));
        }
        if (out.empty())
            return out;
        for (auto& b : out)
            by_id[b.batch_id] = &b;
        const auto payouts = txn.exec_params(
            std::string(kPayoutSelect) +
                "WHERE p.batch_id = ANY($1::bigint[]) ORDER BY p.batch_id, p.payout_id",
            sql::int_array(ids));
        for (auto& p : payouts_with_details(txn, payouts))
            by_id.at(p.batch_id)->payouts.push_back(std::move(p));
        return out;
    });
}

ReadResult<std::vector<PayoutRow>> OpsReads::list_payouts(std::uint32_t limit,
                                                          std::optional<int> state,
                                                          std::uint64_t before_payout) {
    return guarded(*m_pool, [&](pqxx::connection& db) {
        pqxx::read_transaction txn(db);
        const auto rows = txn.exec_params(
            std::string(kPayoutSelect) +
                "WHERE ($1::int = 0 OR p.state = $1) AND ($2::bigint = 0 OR p.payout_id < $2) "
                "ORDER BY p.payout_id DESC LIMIT $3",
            state.value_or(0), bigint(before_payout),
            static_cast<std::int64_t>(std::min(limit, kMaxPayoutPage)));
        return payouts_with_details(txn, rows);
    });
}

ReadResult<std::optional<PayoutRow>> OpsReads::payout(std::uint64_t payout_id) {
    return guarded(*m_pool, [&](pqxx::connection& db) -> std::optional<PayoutRow> {
        if (payout_id > kBigintMax)
            return std::nullopt;  // no id is that large
        pqxx::read_transaction txn(db);
        const auto rows = txn.exec_params(std::string(kPayoutSelect) + "WHERE p.payout_id = $1",
                                          static_cast<std::int64_t>(payout_id));
        auto found = payouts_with_details(txn, rows);
        if (found.empty())
            return std::nullopt;
        return std::move(found.front());
    });
}

ReadResult<std::optional<ChannelHistoryRows>> OpsReads::channel_history(
    const channels::ChannelId& channel_id) {
    return guarded(*m_pool, [&](pqxx::connection& db) -> std::optional<ChannelHistoryRows> {
        const auto id = sql::bin(channel_id.bytes());
        // One snapshot: the proofs, the close and the payouts agree with each other.
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(db);
        const auto channel = txn.exec_params(
            std::string("SELECT ") + sql::kChannelColumns + " FROM channels c WHERE c.channel_id = $1",
            id);
        if (channel.empty())
            return std::nullopt;
        ChannelHistoryRows h{sql::channel_from_row(channel[0]), {}, {}, {}, {}, {}};
        for (const auto& r : txn.exec_params(
                 "SELECT d.txid, d.sender, d.amount, d.token_id, d.block_number, extract(epoch "
                 "from d.block_time)::bigint, d.memo, o.token, u.token FROM deposits d "
                 "JOIN enum_tokens o ON o.enum_name = 'deposit_outcome' AND o.number = d.outcome "
                 "LEFT JOIN enum_tokens u ON u.enum_name = 'unclaimed_reason' AND u.number = "
                 "d.unclaimed_reason WHERE d.channel_id = $1 ORDER BY d.block_number, d.txid",
                 id)) {
            h.deposits.push_back({str(r[0]), address_text(r[1]), r[2].as<std::int64_t>(),
                                  r[3].as<std::string>(), r[4].as<std::int64_t>(), num(r[5]),
                                  str(r[6]), r[7].as<std::string>(),
                                  r[8].is_null() ? std::string() : r[8].as<std::string>()});
        }
        for (const auto& r : txn.exec_params(
                 "SELECT amount, signature, (extract(epoch from received_at) * 1000000)::bigint, "
                 "batch_seq, leaf_index FROM proofs WHERE channel_id = $1 ORDER BY amount",
                 id)) {
            h.proofs.push_back({r[0].as<std::int64_t>(), str(r[1]), r[2].as<std::int64_t>(),
                                r[3].as<std::uint64_t>(), r[4].as<std::uint32_t>()});
        }
        const auto close = txn.exec_params(
            "SELECT t.token, r.signature, extract(epoch from r.received_at)::bigint FROM "
            "close_requests r JOIN enum_tokens t ON t.enum_name = 'close_party' AND t.number = "
            "r.party WHERE r.channel_id = $1 ORDER BY r.received_at LIMIT 1",
            id);
        if (!close.empty())
            h.close = CloseRow{close[0][0].as<std::string>(), str(close[0][1]), num(close[0][2])};
        const auto settlement =
            txn.exec_params(std::string(kSettlementSelect) + "WHERE s.channel_id = $1", id);
        if (!settlement.empty())
            h.settlement = settlement_from_row(settlement[0]);
        const auto payouts = txn.exec_params(
            std::string(kPayoutSelect) +
                "WHERE p.payout_id IN (SELECT payout_id FROM payout_contributions WHERE "
                "channel_id = $1) ORDER BY p.payout_id",
            id);
        h.payouts = payouts_with_details(txn, payouts);
        return h;
    });
}

ReadResult<std::vector<ReceiptBatchRow>> OpsReads::list_receipt_batches(std::uint64_t from_seq,
                                                                        std::uint64_t to_seq) {
    return guarded(*m_pool, [&](pqxx::connection& db) {
        std::vector<ReceiptBatchRow> out;
        if (from_seq > kBigintMax)
            return out;  // no seq is that large
        pqxx::read_transaction txn(db);
        for (const auto& r : txn.exec_params(
                 "SELECT seq, prev_hash, leaf_count, root, signature, batch_hash, extract(epoch "
                 "from committed_at)::bigint FROM receipt_batches WHERE seq >= $1::bigint "
                 "AND ($2::bigint = 0 OR seq < $2) ORDER BY seq LIMIT $3",
                 bigint(from_seq), bigint(to_seq),
                 static_cast<std::int64_t>(kMaxReceiptBatches))) {
            out.push_back({r[0].as<std::uint64_t>(), str(r[1]), r[2].as<std::uint32_t>(),
                           str(r[3]), str(r[4]), str(r[5]), num(r[6])});
        }
        return out;
    });
}

ReadResult<std::vector<SettlementRow>> OpsReads::list_settlements(std::int64_t from,
                                                                  std::int64_t to) {
    return guarded(*m_pool, [&](pqxx::connection& db) {
        pqxx::read_transaction txn(db);
        std::vector<SettlementRow> out;
        for (const auto& r : txn.exec_params(
                 std::string(kSettlementSelect) +
                     "WHERE ($1::bigint = 0 OR b.planned_at >= to_timestamp($1)) "
                     "AND ($2::bigint = 0 OR b.planned_at < to_timestamp($2)) "
                     "ORDER BY s.batch_id, s.channel_id LIMIT $3",
                 seconds_bound(from), seconds_bound(to),
                 static_cast<std::int64_t>(kMaxSettlements))) {
            out.push_back(settlement_from_row(r));
        }
        return out;
    });
}

}  // namespace btt::node
