// AdminService's and AuditService's reads (see ops_queries.h). Filters are validated and
// then written into the SQL as integers or hex bytea literals only, never as free text.
#include "ops_queries.h"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <btt/base/hex.h>
#include <btt/node/rpc/channel_service.h>
#include <btt/tron/address.h>

#include "store_sql.h"

namespace btt::node::ops {

namespace {

std::string str(const pqxx::field& f) {
    if (f.is_null())
        return {};
    const pqxx::binarystring b(f);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string hex_literal(std::string_view raw) {
    return "'\\x" + to_hex(as_bytes(raw)) + "'::bytea";
}

std::string address_text(const pqxx::field& f) {
    const std::string raw = str(f);
    auto a = tron::TronAddress::from_bytes(as_bytes(raw));
    if (!a)
        throw std::runtime_error("stored address is malformed");
    return a->to_base58();
}

std::string address_literal(const std::string& base58, const char* what) {
    auto a = tron::TronAddress::parse(base58);
    if (!a)
        throw std::invalid_argument(fmt::format("{}: {}", what, a.error().message()));
    const auto& b = a->bytes();
    return hex_literal(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

std::int64_t num(const pqxx::field& f) {
    return f.is_null() ? 0 : f.as<std::int64_t>();
}

std::uint32_t bounded(std::uint32_t asked, std::uint32_t fallback, std::uint32_t most) {
    if (asked == 0)
        return fallback;
    return std::min(asked, most);
}

const char* const kPayoutColumns =
    "p.payout_id, p.batch_id, p.recipient, p.token_id, p.amount, p.state, p.confirmed_txid, "
    "p.confirmed_block, (SELECT a.txid FROM payout_attempts a WHERE a.payout_id = p.payout_id "
    "AND a.state = 1)";

// Payout rows (kPayoutColumns) with their attempts and contributions.
void fill_payouts(pqxx::transaction_base& txn, const pqxx::result& rows,
                  google::protobuf::RepeatedPtrField<v1::PayoutInfo>& out) {
    if (rows.empty())
        return;
    std::string ids;
    for (const auto& r : rows) {
        auto* p = out.Add();
        p->set_payout_id(r[0].as<std::uint64_t>());
        p->set_batch_id(r[1].as<std::uint64_t>());
        p->set_recipient(address_text(r[2]));
        p->set_token_id(r[3].as<std::string>());
        p->set_amount(r[4].as<std::int64_t>());
        p->set_state(static_cast<v1::PayoutState>(r[5].as<int>()));
        p->set_txid(!r[6].is_null() ? str(r[6]) : str(r[8]));
        p->set_block(num(r[7]));
        ids += (ids.empty() ? "" : ",") + std::to_string(p->payout_id());
    }
    std::map<std::uint64_t, v1::PayoutInfo*> by_id;
    for (auto& p : out)
        by_id[p.payout_id()] = &p;
    const auto attempts = txn.exec(
        "SELECT payout_id, txid, attempt, state, block_number, extract(epoch from "
        "signed_at)::bigint, expiration_ms / 1000 FROM payout_attempts WHERE payout_id IN (" +
        ids + ") ORDER BY payout_id, attempt");
    for (const auto& r : attempts) {
        auto* a = by_id.at(r[0].as<std::uint64_t>())->add_attempts();
        a->set_txid(str(r[1]));
        a->set_attempt(r[2].as<std::uint32_t>());
        a->set_state(static_cast<v1::AttemptState>(r[3].as<int>()));
        a->set_block(num(r[4]));
        a->set_signed_at(num(r[5]));
        a->set_expiration(num(r[6]));
    }
    const auto shares = txn.exec(
        "SELECT c.payout_id, t.token, c.channel_id, c.transfer_txid, c.amount "
        "FROM payout_contributions c JOIN enum_tokens t ON t.enum_name = 'payout_role' AND "
        "t.number = c.role WHERE c.payout_id IN (" +
        ids + ") ORDER BY c.payout_id, c.role, c.channel_id, c.transfer_txid");
    for (const auto& r : shares) {
        auto* c = by_id.at(r[0].as<std::uint64_t>())->add_contributions();
        c->set_role(r[1].as<std::string>());
        c->set_channel_id(str(r[2]));
        c->set_transfer_txid(str(r[3]));
        c->set_amount(r[4].as<std::int64_t>());
    }
}

void fill_settlement(const pqxx::row& r, v1::SettlementRecord& s) {
    s.set_channel_id(str(r[0]));
    s.set_batch_id(r[1].as<std::uint64_t>());
    s.set_fee_bps(r[2].as<std::uint32_t>());
    s.set_deposit(r[3].as<std::int64_t>());
    s.set_accepted(r[4].as<std::int64_t>());
    s.set_fee(r[5].as<std::int64_t>());
    s.set_payee_amount(r[6].as<std::int64_t>());
    s.set_refund(r[7].as<std::int64_t>());
    s.set_planned_at(num(r[8]));
}

const char* const kSettlementSelect =
    "SELECT s.channel_id, s.batch_id, s.fee_bps, s.deposit, s.accepted, s.fee, "
    "s.payee_amount, s.refund, extract(epoch from b.planned_at)::bigint "
    "FROM settlements s JOIN settlement_batches b ON b.batch_id = s.batch_id ";

}  // namespace

void list_channels(pqxx::connection& db, const v1::ListChannelsRequest& request,
                   v1::ListChannelsResponse& out) {
    std::vector<std::string> where;
    if (request.state() != v1::CHANNEL_STATE_UNSPECIFIED) {
        if (!v1::ChannelState_IsValid(request.state()))
            throw std::invalid_argument("state: unknown value");
        where.push_back(fmt::format("c.state = {}", static_cast<int>(request.state())));
    }
    if (!request.payer().empty())
        where.push_back("c.payer = " + address_literal(request.payer(), "payer"));
    if (!request.payee().empty())
        where.push_back("c.payee = " + address_literal(request.payee(), "payee"));
    if (request.opened_from() != 0)
        where.push_back(fmt::format("c.opened_at >= to_timestamp({})", request.opened_from()));
    if (request.opened_to() != 0)
        where.push_back(fmt::format("c.opened_at < to_timestamp({})", request.opened_to()));
    if (request.settled_from() != 0 || request.settled_to() != 0) {
        std::string settled =
            "EXISTS (SELECT 1 FROM settlements s JOIN settlement_batches b ON b.batch_id = "
            "s.batch_id WHERE s.channel_id = c.channel_id";
        if (request.settled_from() != 0)
            settled += fmt::format(" AND b.planned_at >= to_timestamp({})", request.settled_from());
        if (request.settled_to() != 0)
            settled += fmt::format(" AND b.planned_at < to_timestamp({})", request.settled_to());
        where.push_back(settled + ")");
    }
    if (!request.page_token().empty()) {
        if (request.page_token().size() != 32)
            throw std::invalid_argument("page_token: not one this node gave");
        where.push_back("c.channel_id > " + hex_literal(request.page_token()));
    }
    const auto limit = bounded(request.page_size(), 100, 1000);
    std::string sql = std::string("SELECT ") + sql::kChannelColumns + " FROM channels c";
    for (std::size_t i = 0; i < where.size(); ++i)
        sql += (i == 0 ? " WHERE " : " AND ") + where[i];
    // One row more than the page says whether another page follows.
    sql += fmt::format(" ORDER BY c.channel_id LIMIT {}", limit + 1);
    pqxx::read_transaction txn(db);
    const auto rows = txn.exec(sql);
    for (std::size_t i = 0; i < rows.size() && i < limit; ++i)
        to_proto(sql::channel_from_row(rows[i]), *out.add_channels());
    if (rows.size() > limit)
        out.set_next_page_token(out.channels(static_cast<int>(limit) - 1).channel_id());
}

void list_settlement_batches(pqxx::connection& db, const v1::ListSettlementBatchesRequest& request,
                             v1::ListSettlementBatchesResponse& out) {
    const auto limit = bounded(request.limit(), 50, 500);
    std::string sql =
        "SELECT b.batch_id, b.fee_bps, extract(epoch from b.planned_at)::bigint, "
        "(SELECT count(*) FROM settlements s WHERE s.batch_id = b.batch_id) "
        "FROM settlement_batches b";
    if (request.before_batch() != 0)
        sql += fmt::format(" WHERE b.batch_id < {}", request.before_batch());
    sql += fmt::format(" ORDER BY b.batch_id DESC LIMIT {}", limit);
    pqxx::read_transaction txn(db);
    for (const auto& r : txn.exec(sql)) {
        auto* b = out.add_batches();
        b->set_batch_id(r[0].as<std::uint64_t>());
        b->set_fee_bps(r[1].as<std::uint32_t>());
        b->set_planned_at(num(r[2]));
        b->set_channels(r[3].as<std::uint32_t>());
        const auto payouts = txn.exec(std::string("SELECT ") + kPayoutColumns +
                                      fmt::format(" FROM payouts p WHERE p.batch_id = {} ORDER "
                                                  "BY p.payout_id",
                                                  b->batch_id()));
        fill_payouts(txn, payouts, *b->mutable_payouts());
    }
}

void list_payouts(pqxx::connection& db, const v1::ListPayoutsRequest& request,
                  v1::ListPayoutsResponse& out) {
    const auto limit = bounded(request.limit(), 100, 1000);
    std::vector<std::string> where;
    if (request.state() != v1::PAYOUT_STATE_UNSPECIFIED) {
        if (!v1::PayoutState_IsValid(request.state()))
            throw std::invalid_argument("state: unknown value");
        where.push_back(fmt::format("p.state = {}", static_cast<int>(request.state())));
    }
    if (request.before_payout() != 0)
        where.push_back(fmt::format("p.payout_id < {}", request.before_payout()));
    std::string sql = std::string("SELECT ") + kPayoutColumns + " FROM payouts p";
    for (std::size_t i = 0; i < where.size(); ++i)
        sql += (i == 0 ? " WHERE " : " AND ") + where[i];
    sql += fmt::format(" ORDER BY p.payout_id DESC LIMIT {}", limit);
    pqxx::read_transaction txn(db);
    fill_payouts(txn, txn.exec(sql), *out.mutable_payouts());
}

std::optional<v1::PayoutInfo> payout(pqxx::connection& db, std::uint64_t payout_id) {
    pqxx::read_transaction txn(db);
    const auto rows = txn.exec(std::string("SELECT ") + kPayoutColumns +
                               fmt::format(" FROM payouts p WHERE p.payout_id = {}", payout_id));
    if (rows.empty())
        return std::nullopt;
    google::protobuf::RepeatedPtrField<v1::PayoutInfo> one;
    fill_payouts(txn, rows, one);
    return one.Get(0);
}

bool channel_history(pqxx::connection& db, const std::string& channel_id, v1::ChannelHistory& out) {
    if (channel_id.size() != 32)
        throw std::invalid_argument("channel_id: must be 32 bytes");
    const std::string id = hex_literal(channel_id);
    // One snapshot: the proofs, the close and the payouts agree with each other.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(db);
    const auto channel = txn.exec(std::string("SELECT ") + sql::kChannelColumns +
                                  " FROM channels c WHERE c.channel_id = " + id);
    if (channel.empty())
        return false;
    to_proto(sql::channel_from_row(channel[0]), *out.mutable_channel());
    for (const auto& r : txn.exec(
             "SELECT d.txid, d.sender, d.amount, d.token_id, d.block_number, extract(epoch from "
             "d.block_time)::bigint, d.memo, o.token, u.token FROM deposits d "
             "JOIN enum_tokens o ON o.enum_name = 'deposit_outcome' AND o.number = d.outcome "
             "LEFT JOIN enum_tokens u ON u.enum_name = 'unclaimed_reason' AND u.number = "
             "d.unclaimed_reason WHERE d.channel_id = " +
             id + " ORDER BY d.block_number, d.txid")) {
        auto* d = out.add_deposits();
        d->set_txid(str(r[0]));
        d->set_from(address_text(r[1]));
        d->set_amount(r[2].as<std::int64_t>());
        d->set_token_id(r[3].as<std::string>());
        d->set_block(r[4].as<std::int64_t>());
        d->set_block_time(num(r[5]));
        d->set_memo(str(r[6]));
        d->set_outcome(r[7].as<std::string>());
        if (!r[8].is_null())
            d->set_unclaimed_reason(r[8].as<std::string>());
    }
    for (const auto& r :
         txn.exec("SELECT amount, signature, (extract(epoch from received_at) * 1000000)::bigint, "
                  "batch_seq, leaf_index FROM proofs WHERE channel_id = " +
                  id + " ORDER BY amount")) {
        auto* p = out.add_proofs();
        p->set_amount(r[0].as<std::int64_t>());
        p->set_signature(str(r[1]));
        p->set_received_at_us(r[2].as<std::int64_t>());
        p->set_received_at(p->received_at_us() / 1'000'000);
        p->set_batch_seq(r[3].as<std::uint64_t>());
        p->set_leaf_index(r[4].as<std::uint32_t>());
    }
    const auto close = txn.exec(
        "SELECT t.token, r.signature, extract(epoch from r.received_at)::bigint FROM "
        "close_requests r JOIN enum_tokens t ON t.enum_name = 'close_party' AND t.number = "
        "r.party WHERE r.channel_id = " +
        id + " ORDER BY r.received_at LIMIT 1");
    if (!close.empty()) {
        out.mutable_close()->set_party(close[0][0].as<std::string>());
        out.mutable_close()->set_signature(str(close[0][1]));
        out.mutable_close()->set_at(num(close[0][2]));
    }
    const auto settlement = txn.exec(kSettlementSelect + std::string("WHERE s.channel_id = ") + id);
    if (!settlement.empty())
        fill_settlement(settlement[0], *out.mutable_settlement());
    const auto payouts = txn.exec(std::string("SELECT ") + kPayoutColumns +
                                  " FROM payouts p WHERE p.payout_id IN (SELECT payout_id FROM "
                                  "payout_contributions WHERE channel_id = " +
                                  id + ") ORDER BY p.payout_id");
    fill_payouts(txn, payouts, *out.mutable_payouts());
    return true;
}

void list_receipt_batches(pqxx::connection& db, const v1::ListReceiptBatchesRequest& request,
                          v1::ListReceiptBatchesResponse& out) {
    std::string sql =
        "SELECT seq, prev_hash, leaf_count, root, signature, batch_hash, extract(epoch from "
        "committed_at)::bigint FROM receipt_batches WHERE seq >= " +
        std::to_string(request.from_seq());
    if (request.to_seq() != 0)
        sql += " AND seq < " + std::to_string(request.to_seq());
    sql += " ORDER BY seq LIMIT 1000";
    pqxx::read_transaction txn(db);
    for (const auto& r : txn.exec(sql)) {
        auto* b = out.add_batches();
        b->set_seq(r[0].as<std::uint64_t>());
        b->set_prev_hash(str(r[1]));
        b->set_leaf_count(r[2].as<std::uint32_t>());
        b->set_root(str(r[3]));
        b->set_signature(str(r[4]));
        b->set_batch_hash(str(r[5]));
        b->set_committed_at(num(r[6]));
    }
}

void list_settlements(pqxx::connection& db, const v1::ListSettlementsRequest& request,
                      v1::ListSettlementsResponse& out) {
    std::string sql = kSettlementSelect + std::string("WHERE true");
    if (request.from() != 0)
        sql += fmt::format(" AND b.planned_at >= to_timestamp({})", request.from());
    if (request.to() != 0)
        sql += fmt::format(" AND b.planned_at < to_timestamp({})", request.to());
    sql += " ORDER BY s.batch_id, s.channel_id LIMIT 1000";
    pqxx::read_transaction txn(db);
    for (const auto& r : txn.exec(sql))
        fill_settlement(r, *out.add_settlements());
}

}  // namespace btt::node::ops
