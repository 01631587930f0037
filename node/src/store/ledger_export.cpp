// The ledger export (see ledger_export.h). Stored enum numbers become the tokens of
// enum_tokens (migrations 0002, 0003), read in the same snapshot, so the text is what the
// database itself documents.
#include <btt/node/store/ledger_export.h>

#include <stdexcept>

#include <pqxx/pqxx>

#include <btt/ledger/jsonl.h>
#include <btt/ledger/records.h>

#include "store_sql.h"

namespace btt::node {

namespace {

using Snapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

// Runs `query` through a server-side cursor, handing `on_row` each row in order.
template <typename F>
void for_each_row(pqxx::transaction_base& txn, const std::string& cursor, const std::string& query,
                  F&& on_row) {
    constexpr int kFetch = 1000;
    txn.exec("DECLARE " + cursor + " NO SCROLL CURSOR FOR " + query);
    for (;;) {
        const auto rows = txn.exec("FETCH FORWARD " + std::to_string(kFetch) + " FROM " + cursor);
        for (const auto& r : rows)
            on_row(r);
        if (rows.size() < static_cast<pqxx::result::size_type>(kFetch))
            break;
    }
    txn.exec("CLOSE " + cursor);
}

[[noreturn]] void malformed(const std::string& what) {
    throw std::runtime_error("ledger export: malformed stored row: " + what);
}

template <std::size_t N>
ByteArray<N> fixed(const pqxx::field& f, const char* what) {
    ByteArray<N> out{};
    if (!sql::copy_fixed(f, out))
        malformed(what);
    return out;
}

channels::ChannelId channel_id(const pqxx::field& f) {
    return channels::ChannelId(fixed<32>(f, "channel id"));
}
channels::TxId txid(const pqxx::field& f) {
    return channels::TxId(fixed<32>(f, "txid"));
}

tron::TronAddress address(const pqxx::field& f) {
    const auto a = tron::TronAddress::from_bytes(fixed<21>(f, "address"));
    if (!a)
        malformed("address");
    return *a;
}

channels::Amount amount(const pqxx::field& f) {
    const auto a = channels::Amount::from_int64(f.as<std::int64_t>());
    if (!a)
        malformed("negative amount");
    return *a;
}

template <typename T, typename Parse>
T token(const pqxx::field& f, Parse parse, const char* what) {
    if (f.is_null())
        malformed(what);
    const auto v = parse(f.as<std::string>());
    if (!v)
        malformed(what);
    return *v;
}

template <typename T>
std::optional<T> optional_of(const pqxx::field& f) {
    if (f.is_null())
        return std::nullopt;
    return f.as<T>();
}

// The token of a stored enum number, from enum_tokens.
std::string token_of(const char* enum_name, const char* column) {
    return std::string("(SELECT token FROM enum_tokens WHERE enum_name = '") + enum_name +
           "' AND number = " + column + ")";
}

// Times: whole Unix seconds (received_at has milliseconds: floored).
std::string seconds(const char* column) {
    return std::string("floor(extract(epoch from ") + column + "))::bigint";
}

ledger::HeaderRecord header(pqxx::transaction_base& txn, const LedgerHeaderInfo& info) {
    ledger::HeaderRecord h;
    h.escrow_address = info.escrow_address;
    h.receipt_address = info.receipt_address;
    h.token_id = info.token_id;
    h.fee_bps = info.fee_bps;
    h.exported_at = info.exported_at;
    const auto meta = txn.exec("SELECT value FROM node_meta WHERE key = 'chain_id'");
    if (!meta.empty() && !meta[0][0].as<std::string>().empty())
        h.chain_id = meta[0][0].as<std::string>();
    // Counted in the export's own snapshot: exactly the lines that follow.
    const auto counts = txn.exec(
        "SELECT (SELECT count(*) FROM deposits) + (SELECT count(*) FROM channels) + "
        "(SELECT count(*) FROM receipt_batches) + (SELECT count(*) FROM proofs p JOIN "
        "receipt_batches b ON b.seq = p.batch_seq) + (SELECT count(*) FROM close_requests) + "
        "(SELECT count(*) FROM settlements) + (SELECT count(*) FROM payouts), "
        "(SELECT coalesce(max(seq), 0) FROM receipt_batches)");
    h.records = counts[0][0].as<std::uint64_t>();
    h.last_batch_seq = counts[0][1].as<std::uint64_t>();
    const auto cursor = txn.exec("SELECT block_number, block_id FROM chain_cursor");
    if (!cursor.empty()) {
        h.solid_block = cursor[0][0].as<std::int64_t>();
        Hash32 id{};
        if (sql::copy_fixed(cursor[0][1], id))
            h.solid_block_id = id;
    }
    return h;
}

void deposits(pqxx::transaction_base& txn, const std::function<void(const std::string&)>& emit) {
    const std::string q = "SELECT d.txid, d.sender, d.amount, d.token_id, d.block_number, " +
                          seconds("d.block_time") + ", d.memo, " +
                          token_of("deposit_outcome", "d.outcome") + ", d.channel_id, " +
                          token_of("unclaimed_reason", "d.unclaimed_reason") +
                          ", d.refund_batch_id, d.held FROM deposits d "
                          "ORDER BY d.block_number, d.txid";
    for_each_row(txn, "ledger_deposits", q, [&](const pqxx::row& r) {
        ledger::DepositRecord d;
        d.txid = txid(r[0]);
        d.from = address(r[1]);
        d.amount = amount(r[2]);
        d.token_id = r[3].as<std::string>();
        d.block = r[4].as<std::int64_t>();
        d.block_time = r[5].as<std::int64_t>();
        const pqxx::binarystring memo(r[6]);
        d.memo.assign(memo.begin(), memo.end());
        d.outcome = token<ledger::DepositOutcome>(r[7], ledger::parse_outcome, "deposit outcome");
        if (!r[8].is_null())
            d.channel_id = channel_id(r[8]);
        d.unclaimed_reason = optional_of<std::string>(r[9]);
        d.refund_batch_id = optional_of<std::uint64_t>(r[10]);
        d.held = r[11].as<bool>();
        emit(ledger::encode_line(d));
    });
}

void channel_rows(pqxx::transaction_base& txn,
                  const std::function<void(const std::string&)>& emit) {
    // Channel times as GetChannel reports them (store_reads.cpp): block-derived seconds.
    const std::string q =
        "SELECT c.channel_id, c.payer, c.payee, c.token_id, c.deposit, c.accepted, "
        "extract(epoch from c.expiry)::bigint, extract(epoch from c.opened_at)::bigint, "
        "c.opened_block, " +
        token_of("channel_state", "c.state") + ", " + token_of("close_cause", "c.close_cause") +
        ", extract(epoch from c.settle_at)::bigint FROM channels c "
        "ORDER BY c.opened_block, c.channel_id";
    for_each_row(txn, "ledger_channels", q, [&](const pqxx::row& r) {
        ledger::ChannelRecord c;
        c.channel_id = channel_id(r[0]);
        c.payer = address(r[1]);
        c.payee = address(r[2]);
        c.token_id = r[3].as<std::string>();
        c.deposit = amount(r[4]);
        c.accepted = amount(r[5]);
        c.expiry = r[6].as<std::int64_t>();
        c.opened_at = r[7].as<std::int64_t>();
        c.opened_block = r[8].as<std::int64_t>();
        c.state = token<channels::ChannelState>(r[9], ledger::parse_state, "channel state");
        if (!r[10].is_null())
            c.close_cause = token<channels::CloseCause>(r[10], ledger::parse_cause, "close cause");
        c.settle_at = optional_of<std::int64_t>(r[11]);
        emit(ledger::encode_line(c));
    });
}

void batches_and_proofs(pqxx::transaction_base& txn,
                        const std::function<void(const std::string&)>& emit) {
    // One pass over both tables in batch order: a batch line, then its proofs by leaf.
    const std::string q =
        "SELECT b.seq, b.prev_hash, b.leaf_count, b.root, b.signature, " +
        seconds("b.committed_at") + ", p.channel_id, p.amount, p.signature, " +
        seconds("p.received_at") +
        ", p.leaf_index FROM receipt_batches b LEFT JOIN proofs p ON p.batch_seq = b.seq "
        "ORDER BY b.seq, p.leaf_index";
    std::optional<std::uint64_t> current;
    for_each_row(txn, "ledger_batches", q, [&](const pqxx::row& r) {
        const auto seq = r[0].as<std::uint64_t>();
        if (current != seq) {
            current = seq;
            ledger::BatchRecord b;
            b.header.seq = seq;
            b.header.prev_hash = fixed<32>(r[1], "prev_hash");
            b.header.leaf_count = r[2].as<std::uint32_t>();
            b.header.root = fixed<32>(r[3], "root");
            b.signature = fixed<65>(r[4], "batch signature");
            b.committed_at = r[5].as<std::int64_t>();
            emit(ledger::encode_line(b));
        }
        if (r[6].is_null())
            return;  // a batch without proofs: the verifier names it
        ledger::ProofRecord p;
        p.channel_id = channel_id(r[6]);
        p.amount = amount(r[7]);
        p.signature = fixed<65>(r[8], "proof signature");
        p.received_at = r[9].as<std::int64_t>();
        p.batch_seq = seq;
        p.leaf_index = r[10].as<std::uint32_t>();
        emit(ledger::encode_line(p));
    });
}

void closes(pqxx::transaction_base& txn, const std::function<void(const std::string&)>& emit) {
    const std::string q = "SELECT channel_id, " + token_of("close_party", "party") +
                          ", signature, " + seconds("received_at") +
                          " FROM close_requests ORDER BY received_at, channel_id, party";
    for_each_row(txn, "ledger_closes", q, [&](const pqxx::row& r) {
        ledger::CloseRecord c;
        c.channel_id = channel_id(r[0]);
        c.party = token<channels::Party>(r[1], ledger::parse_party, "close party");
        c.signature = fixed<65>(r[2], "close signature");
        c.at = r[3].as<std::int64_t>();
        emit(ledger::encode_line(c));
    });
}

void settlements(pqxx::transaction_base& txn, const std::function<void(const std::string&)>& emit) {
    const std::string q =
        "SELECT channel_id, batch_id, fee_bps, deposit, accepted, fee, payee_amount, refund "
        "FROM settlements ORDER BY batch_id, channel_id";
    for_each_row(txn, "ledger_settlements", q, [&](const pqxx::row& r) {
        ledger::SettlementRecord s;
        s.channel_id = channel_id(r[0]);
        s.batch_id = r[1].as<std::uint64_t>();
        s.fee_bps = r[2].as<std::uint32_t>();
        s.deposit = amount(r[3]);
        s.accepted = amount(r[4]);
        s.fee = amount(r[5]);
        s.payee_amount = amount(r[6]);
        s.refund = amount(r[7]);
        emit(ledger::encode_line(s));
    });
}

void payouts(pqxx::transaction_base& txn, const std::function<void(const std::string&)>& emit) {
    // A payout's txid: the confirmed one, else its live signed attempt (at most one, by the
    // database's unique index), else none yet.
    const std::string q =
        "SELECT p.payout_id, p.batch_id, coalesce(p.confirmed_txid, (SELECT a.txid FROM "
        "payout_attempts a WHERE a.payout_id = p.payout_id AND a.state = 1)), p.recipient, "
        "p.token_id, p.amount, p.confirmed_block, " +
        token_of("payout_state", "p.state") + ", " + token_of("payout_role", "c.role") +
        ", c.channel_id, c.transfer_txid, c.amount FROM payouts p "
        "LEFT JOIN payout_contributions c ON c.payout_id = p.payout_id "
        "ORDER BY p.payout_id, c.role, c.channel_id, c.transfer_txid";
    std::optional<ledger::PayoutRecord> current;
    for_each_row(txn, "ledger_payouts", q, [&](const pqxx::row& r) {
        const auto id = r[0].as<std::uint64_t>();
        if (!current || current->payout_id != id) {
            if (current)
                emit(ledger::encode_line(*current));
            current.emplace();
            current->payout_id = id;
            current->batch_id = r[1].as<std::uint64_t>();
            if (!r[2].is_null())
                current->txid = txid(r[2]);
            current->recipient = address(r[3]);
            current->token_id = r[4].as<std::string>();
            current->amount = amount(r[5]);
            current->block = optional_of<std::int64_t>(r[6]);
            current->state =
                token<ledger::PayoutState>(r[7], ledger::parse_payout_state, "payout state");
        }
        if (r[8].is_null())
            return;  // no contributions: the verifier names the sum mismatch
        ledger::ContributionRecord c;
        c.role = token<channels::PayoutRole>(r[8], ledger::parse_role, "payout role");
        if (!r[9].is_null())
            c.channel_id = channel_id(r[9]);
        if (!r[10].is_null())
            c.transfer_txid = txid(r[10]);
        c.amount = amount(r[11]);
        current->contributions.push_back(c);
    });
    if (current)
        emit(ledger::encode_line(*current));
}

}  // namespace

void export_ledger(pqxx::connection& db, const LedgerHeaderInfo& info,
                   const std::function<void(const std::string& line)>& emit) {
    Snapshot txn(db, "ledger_export");
    emit(ledger::encode_line(header(txn, info)));
    deposits(txn, emit);
    channel_rows(txn, emit);
    batches_and_proofs(txn, emit);
    closes(txn, emit);
    settlements(txn, emit);
    payouts(txn, emit);
    txn.commit();
}

void export_ledger(const std::string& url, const LedgerHeaderInfo& info,
                   const std::function<void(const std::string& line)>& emit) {
    sql::translating([&] {
        pqxx::connection db(url);
        export_ledger(db, info, emit);
    });
}

}  // namespace btt::node
