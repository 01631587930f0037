// Store reads: channels (start-up load, single lookups) and receipt batches (duplicates
// are answered with the receipt of the batch that committed their amount).
#include <btt/node/store/store.h>

#include "store_sql.h"

namespace btt::node {

namespace sql {

const char* const kChannelColumns =
    "channel_id, payer, payee, token_id, deposit, accepted, accepted_signature, state, "
    "extract(epoch from opened_at)::bigint, extract(epoch from expiry)::bigint, "
    "extract(epoch from settle_at)::bigint, close_cause";

// A stored row that does not parse is tampering or a bug: refuse rather than guess.
channels::Channel channel_from_row(const pqxx::row& r) {
    channels::Channel c;
    Hash32 id{};
    ByteArray<21> payer{}, payee{};
    if (!sql::copy_fixed(r[0], id) || !sql::copy_fixed(r[1], payer) ||
        !sql::copy_fixed(r[2], payee)) {
        throw std::runtime_error("channels row with malformed id or address");
    }
    c.id = channels::ChannelId(id);
    c.payer = tron::TronAddress::from_bytes(payer).value();
    c.payee = tron::TronAddress::from_bytes(payee).value();
    c.token_id = r[3].as<std::string>();
    c.deposit = channels::Amount::from_int64(r[4].as<std::int64_t>()).value();
    c.accepted = channels::Amount::from_int64(r[5].as<std::int64_t>()).value();
    if (!r[6].is_null()) {
        tron::Signature sig{};
        if (!sql::copy_fixed(r[6], sig))
            throw std::runtime_error("channels row with bad signature");
        c.accepted_signature = sig;
    }
    const auto state = r[7].as<int>();
    if (state < 1 || state > 4)
        throw std::runtime_error("channels row with unknown state");
    c.state = static_cast<channels::ChannelState>(state);
    c.opened_at = {r[8].as<std::int64_t>()};
    c.expiry = {r[9].as<std::int64_t>()};
    if (!r[10].is_null())
        c.settle_at = channels::UnixSeconds{r[10].as<std::int64_t>()};
    if (!r[11].is_null()) {
        const auto cause = r[11].as<int>();
        if (cause < 1 || cause > 4)
            throw std::runtime_error("channels row with unknown close cause");
        c.close_cause = static_cast<channels::CloseCause>(cause);
    }
    return c;
}

}  // namespace sql

namespace {

using sql::channel_from_row;
using sql::kChannelColumns;

StoredBatch batch_from_row(const pqxx::row& r) {
    StoredBatch b;
    b.header.seq = r[0].as<std::uint64_t>();
    b.header.leaf_count = r[2].as<std::uint32_t>();
    if (!sql::copy_fixed(r[1], b.header.prev_hash) || !sql::copy_fixed(r[3], b.header.root) ||
        !sql::copy_fixed(r[4], b.signature)) {
        throw std::runtime_error("receipt_batches row with malformed hashes or signature");
    }
    return b;
}

}  // namespace

StoreResult<std::vector<channels::Channel>> Store::load_channels() {
    return run([&](pqxx::connection& c) {
        pqxx::read_transaction txn(c);
        std::vector<channels::Channel> out;
        for (const auto& row :
             txn.exec(std::string("SELECT ") + kChannelColumns + " FROM channels")) {
            out.push_back(channel_from_row(row));
        }
        return out;
    });
}

StoreResult<std::optional<channels::Channel>> Store::channel(const channels::ChannelId& id) {
    return run([&](pqxx::connection& c) -> std::optional<channels::Channel> {
        pqxx::read_transaction txn(c);
        const auto r = txn.exec_params(
            std::string("SELECT ") + kChannelColumns + " FROM channels WHERE channel_id = $1",
            sql::bin(id.bytes()));
        if (r.empty())
            return std::nullopt;
        return channel_from_row(r[0]);
    });
}

StoreResult<std::optional<StoredBatch>> Store::last_batch() {
    return run([&](pqxx::connection& c) -> std::optional<StoredBatch> {
        pqxx::read_transaction txn(c);
        const auto r = txn.exec(
            "SELECT seq, prev_hash, leaf_count, root, signature FROM receipt_batches "
            "ORDER BY seq DESC LIMIT 1");
        if (r.empty())
            return std::nullopt;
        return batch_from_row(r[0]);
    });
}

StoreResult<std::optional<StoredBatch>> Store::batch(std::uint64_t seq) {
    return run([&](pqxx::connection& c) -> std::optional<StoredBatch> {
        pqxx::read_transaction txn(c);
        const auto r = txn.exec_params(
            "SELECT seq, prev_hash, leaf_count, root, signature FROM receipt_batches WHERE seq = "
            "$1",
            static_cast<std::int64_t>(seq));
        if (r.empty())
            return std::nullopt;
        return batch_from_row(r[0]);
    });
}

StoreResult<std::vector<ProofRow>> Store::batch_leaves(std::uint64_t seq) {
    return run([&](pqxx::connection& c) {
        pqxx::read_transaction txn(c);
        std::vector<ProofRow> out;
        const auto r = txn.exec_params(
            "SELECT channel_id, amount, signature, "
            "(extract(epoch from received_at) * 1000)::bigint, leaf_index "
            "FROM proofs WHERE batch_seq = $1 ORDER BY leaf_index",
            static_cast<std::int64_t>(seq));
        for (const auto& row : r) {
            ProofRow p;
            Hash32 id{};
            if (!sql::copy_fixed(row[0], id) || !sql::copy_fixed(row[2], p.signature)) {
                throw std::runtime_error("proofs row with malformed id or signature");
            }
            p.channel = channels::ChannelId(id);
            p.amount = channels::Amount::from_int64(row[1].as<std::int64_t>()).value();
            p.received_at_ms = row[3].as<std::int64_t>();
            p.leaf_index = row[4].as<std::uint32_t>();
            out.push_back(p);
        }
        return out;
    });
}

StoreResult<std::optional<LeafLocation>> Store::proof_location(const channels::ChannelId& channel,
                                                               channels::Amount amount) {
    return run([&](pqxx::connection& c) -> std::optional<LeafLocation> {
        pqxx::read_transaction txn(c);
        const auto r = txn.exec_params(
            "SELECT batch_seq, leaf_index FROM proofs WHERE channel_id = $1 AND amount = $2",
            sql::bin(channel.bytes()), amount.value());
        if (r.empty())
            return std::nullopt;
        return LeafLocation{r[0][0].as<std::uint64_t>(), r[0][1].as<std::uint32_t>()};
    });
}

}  // namespace btt::node
