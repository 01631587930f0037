// Auditors' SQL access (migration 0004, issue 12): the role bttnode_auditor reads the
// documented views of schema `audit` (bytes as hex, enum numbers as tokens) and can write
// or create nothing. The story: alice opened a channel to bob, signed one proof, closed it;
// it settled into a payout to bob (confirmed), a refund to alice (a dead attempt, then a
// live one) and a refund of carol's unclaimed transfer (planned). The owner writes those
// rows; the auditor then reads them, and every write it tries is refused and changes nothing.
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <btt/base/hex.h>
#include <btt/channels/proof.h>
#include <btt/channels/reject.h>

#include "node_fixture.h"

namespace btt::node::test {
namespace {

constexpr const char* kAuditor = "bttnode_auditor";
constexpr const char* kInsufficientPrivilege = "42501";
constexpr const char* kReadOnlyTransaction = "25006";

// The same database as `url` (a keyword=value string), as `role`: libpq takes the last
// user=. `read_write` lifts the auditor's read-only default, so that what refuses a write
// is its privileges, not that setting (which a session may change itself).
// Every migration from `first` to the newest: what a database stopped before `first` applies.
std::vector<int> versions_from(int first) {
    std::vector<int> v;
    for (int i = first; i <= static_cast<int>(embedded_migrations().size()); ++i)
        v.push_back(i);
    return v;
}

std::string as_role(const std::string& url, const std::string& role, bool read_write = false) {
    std::string out = url + " user=" + role;
    if (read_write)
        out += " options='-c default_transaction_read_only=off'";
    return out;
}

// The SQLSTATE `sql` fails with, run alone (autocommit); "" when it succeeds.
std::string sqlstate_of(pqxx::connection& c, const std::string& sql) {
    try {
        pqxx::nontransaction t(c);
        t.exec(sql);
        return "";
    } catch (const pqxx::insufficient_privilege&) {
        return kInsufficientPrivilege;  // libpqxx 6.4 throws this one with sqlstate() empty
    } catch (const pqxx::sql_error& e) {
        return e.sqlstate().empty() ? std::string("(no SQLSTATE) ") + e.what() : e.sqlstate();
    }
}

// Runs `sql` on `url` when destroyed, whatever happened before (puts shared state back).
class Finally {
public:
    Finally(std::string url, std::string sql) : m_url(std::move(url)), m_sql(std::move(sql)) {}
    ~Finally() {
        try {
            pqxx::connection c(m_url);
            pqxx::nontransaction t(c);
            t.exec(m_sql);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "could not undo with \"" << m_sql << "\": " << e.what();
        }
    }
    Finally(const Finally&) = delete;
    Finally& operator=(const Finally&) = delete;

private:
    std::string m_url;
    std::string m_sql;
};

std::string repeat(std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
        out += s;
    return out;
}

std::string database_name(const std::string& url) {
    pqxx::connection c(url);
    pqxx::read_transaction t(c);
    return t.exec1("SELECT current_database()")[0].as<std::string>();
}

std::vector<std::string> names(const std::string& url, const std::string& sql) {
    pqxx::connection c(url);
    pqxx::read_transaction t(c);
    std::vector<std::string> out;
    for (const auto& row : t.exec(sql))
        out.push_back(row[0].as<std::string>());
    return out;
}

// Every relation the auditor may see (schema audit) and every one it may not (public).
std::vector<std::string> audit_views(const std::string& url) {
    return names(url,
                 "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE n.nspname = 'audit' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1");
}
std::vector<std::string> base_tables(const std::string& url) {
    return names(
        url,
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1");
}

std::map<std::string, std::int64_t> row_counts(const std::string& url) {
    pqxx::connection c(url);
    pqxx::read_transaction t(c);
    std::map<std::string, std::int64_t> out;
    for (const auto& table : base_tables(url))
        out[table] = t.exec1("SELECT count(*) FROM public." + table)[0].as<std::int64_t>();
    return out;
}

const std::set<std::string> kViews = {
    "chain_cursor",    "channels",           "close_requests",       "deposits", "enum_tokens",
    "node_meta",       "payout_attempts",    "payout_contributions", "payouts",  "proofs",
    "receipt_batches", "settlement_batches", "settlements",
};

// What the owner (the node) wrote, kept for the checks.
struct Books {
    channels::ChannelId channel = channel_id(1);
    std::uint64_t accepted = 1'500'000;
    tron::Signature proof_signature{};
    std::string open_memo;
    std::string unclaimed_txid = std::string(64, '7');
};

Books write_books(const std::string& url) {
    Books b;
    const auto msg = proof(b.channel, b.accepted);
    std::copy(msg.signature.begin(), msg.signature.end(), b.proof_signature.begin());
    b.open_memo = "btt-channel:v1:open:" + testkit::bob().address().to_base58() + ":1750086400";
    const std::string id = to_hex(b.channel.bytes());
    const std::string alice = testkit::alice().address().to_hex();
    const std::string bob = testkit::bob().address().to_hex();
    const std::string carol = testkit::carol().address().to_hex();
    const std::string sig = to_hex(b.proof_signature);

    pqxx::connection c(url);
    pqxx::work t(c);
    t.exec(
        "INSERT INTO node_meta (key, value) VALUES ('escrow_address', 'TEscrow'), "
        "('token_id', '1002000'), ('chain_id', '00'), ('operator_note', 'not for auditors')");
    t.exec("UPDATE chain_cursor SET block_number = 20, block_id = decode(repeat('20', 32), 'hex')");
    t.exec_params(
        "INSERT INTO channels (channel_id, payer, payee, token_id, deposit, accepted, "
        "accepted_signature, accepted_batch_seq, accepted_leaf, state, opened_at, opened_block, "
        "expiry, settle_at, close_cause) VALUES (decode($1, 'hex'), decode($2, 'hex'), "
        "decode($3, 'hex'), '1002000', 5000000, $4, decode($5, 'hex'), 1, 0, 4, "
        "to_timestamp(1749999900), 10, to_timestamp(1750086400), to_timestamp(1750003600), 1)",
        id, alice, bob, static_cast<std::int64_t>(b.accepted), sig);
    t.exec(
        "INSERT INTO receipt_batches (seq, prev_hash, leaf_count, root, batch_hash, signature) "
        "VALUES (1, decode(repeat('00', 32), 'hex'), 1, decode(repeat('11', 32), 'hex'), "
        "decode(repeat('22', 32), 'hex'), decode(repeat('33', 65), 'hex'))");
    t.exec_params(
        "INSERT INTO proofs (channel_id, amount, signature, received_at, batch_seq, leaf_index) "
        "VALUES (decode($1, 'hex'), $2, decode($3, 'hex'), to_timestamp(1750000000), 1, 0)",
        id, static_cast<std::int64_t>(b.accepted), sig);
    t.exec_params(
        "INSERT INTO close_requests (channel_id, party, signature, received_at) "
        "VALUES (decode($1, 'hex'), 1, decode(repeat('44', 65), 'hex'), to_timestamp(1750000100))",
        id);
    t.exec("INSERT INTO settlement_batches (batch_id, fee_bps) VALUES (1, 25)");
    // The opening transfer (its txid is the channel id) and carol's unclaimed one, whose
    // memo is not UTF-8.
    t.exec_params(
        "INSERT INTO deposits (txid, block_number, block_time, sender, token_id, amount, memo, "
        "outcome, unclaimed_reason, channel_id, refund_batch_id) VALUES "
        "(decode($1, 'hex'), 10, to_timestamp(1749999900), decode($2, 'hex'), '1002000', 5000000, "
        " convert_to($3, 'UTF8'), 1, NULL, decode($1, 'hex'), NULL), "
        "(decode($4, 'hex'), 11, to_timestamp(1749999950), decode($5, 'hex'), '1002000', 3, "
        " decode('ff00', 'hex'), 4, 3, NULL, 1)",
        id, alice, b.open_memo, b.unclaimed_txid, carol);
    // accepted 1 500 000 at 25 bps: fee 3 750, bob 1 496 250, alice gets 3 500 000 back.
    t.exec_params(
        "INSERT INTO settlements (channel_id, batch_id, fee_bps, deposit, accepted, fee, "
        "payee_amount, refund) VALUES (decode($1, 'hex'), 1, 25, 5000000, 1500000, 3750, "
        "1496250, 3500000)",
        id);
    t.exec_params(
        "INSERT INTO payouts (payout_id, batch_id, recipient, token_id, amount, state, "
        "confirmed_txid, confirmed_block) VALUES "
        "(1, 1, decode($1, 'hex'), '1002000', 1496250, 3, decode(repeat('55', 32), 'hex'), 20), "
        "(2, 1, decode($2, 'hex'), '1002000', 3500000, 2, NULL, NULL), "
        "(3, 1, decode($3, 'hex'), '1002000', 3, 1, NULL, NULL)",
        bob, alice, carol);
    t.exec_params(
        "INSERT INTO payout_contributions (payout_id, role, channel_id, transfer_txid, amount) "
        "VALUES (1, 1, decode($1, 'hex'), NULL, 1496250), "
        "(2, 2, decode($1, 'hex'), NULL, 3500000), "
        "(3, 3, NULL, decode($2, 'hex'), 3)",
        id, b.unclaimed_txid);
    t.exec(
        "INSERT INTO payout_attempts (txid, payout_id, attempt, signed_tx, expiration_ms, "
        "ref_block, state, block_number, ended_at) VALUES "
        "(decode(repeat('55', 32), 'hex'), 1, 1, decode('0a0b0c', 'hex'), "
        " 1750000060000, 19, 3, 20, now()), "
        "(decode(repeat('66', 32), 'hex'), 2, 1, decode('0a0b0d', 'hex'), "
        " 1750000060000, 19, 2, NULL, now()), "
        "(decode(repeat('67', 32), 'hex'), 2, 2, decode('0a0b0e', 'hex'), "
        " 1750000200000, 25, 1, NULL, NULL)");
    t.commit();
    return b;
}

TEST(AuditorViews, TheSchemaHoldsTheDocumentedViewsWithEveryColumnCommented) {
    const auto url = migrated_database();
    const auto views = audit_views(url);
    EXPECT_EQ(std::set<std::string>(views.begin(), views.end()), kViews);
    pqxx::connection c(url);
    pqxx::read_transaction t(c);
    for (const auto& view : views) {
        EXPECT_EQ(t.exec1("SELECT c.relkind FROM pg_class c WHERE c.oid = 'audit." + view +
                          "'::regclass")[0]
                      .as<std::string>(),
                  "v")
            << view;
        EXPECT_FALSE(t.exec1("SELECT coalesce(obj_description('audit." + view +
                             "'::regclass, 'pg_class'), '')")[0]
                         .as<std::string>()
                         .empty())
            << "audit." << view << " has no comment";
        const auto undocumented =
            t.exec("SELECT attname FROM pg_attribute WHERE attrelid = 'audit." + view +
                   "'::regclass AND attnum > 0 AND NOT attisdropped "
                   "AND coalesce(col_description(attrelid, attnum), '') = ''");
        for (const auto& row : undocumented)
            ADD_FAILURE() << "audit." << view << "." << row[0].as<std::string>()
                          << " has no comment";
    }
}

TEST(AuditorRole, ReadsEveryViewWithBytesInHexAndTokensResolved) {
    const auto url = migrated_database();
    const Books b = write_books(url);
    pqxx::connection c(as_role(url, kAuditor));
    pqxx::read_transaction t(c);
    EXPECT_EQ(t.exec1("SELECT current_user")[0].as<std::string>(), kAuditor);
    for (const auto& view : kViews) {
        EXPECT_GT(t.exec1("SELECT count(*) FROM audit." + view)[0].as<int>(), 0) << view;
    }
    const std::string id = to_hex(b.channel.bytes());

    const auto ch = t.exec1(
        "SELECT channel_id, payer_hex, payee_hex, deposit, accepted, accepted_signature, state, "
        "close_cause, extract(epoch FROM settle_at)::bigint FROM audit.channels");
    EXPECT_EQ(ch[0].as<std::string>(), id);
    EXPECT_EQ(ch[1].as<std::string>(), testkit::alice().address().to_hex());
    // Hex, not base58, but the same 21 bytes: an auditor's tool makes the T... form.
    EXPECT_EQ(tron::TronAddress::from_hex(ch[2].as<std::string>()).value().to_base58(),
              testkit::bob().address().to_base58());
    EXPECT_EQ(ch[3].as<std::int64_t>(), 5'000'000);
    EXPECT_EQ(ch[4].as<std::uint64_t>(), b.accepted);
    EXPECT_EQ(ch[5].as<std::string>(), to_hex(b.proof_signature));
    EXPECT_EQ(ch[6].as<std::string>(), "CLOSED");
    EXPECT_EQ(ch[7].as<std::string>(), "payer_request");
    EXPECT_EQ(ch[8].as<std::int64_t>(), 1'750'003'600);

    // The proof re-verifies from the view alone, through the node's own rule: its signer is
    // the channel's payer.
    const auto pr = t.exec1(
        "SELECT p.channel_id, p.amount, p.signature, p.batch_seq, p.leaf_index, c.payer_hex "
        "FROM audit.proofs p JOIN audit.channels c USING (channel_id)");
    channels::ProofMsg msg{from_hex(pr[0].as<std::string>()).value(), pr[1].as<std::uint64_t>(),
                           from_hex(pr[2].as<std::string>()).value()};
    const auto verified = channels::check_proof(msg);
    ASSERT_TRUE(verified.has_value()) << channels::token_of(verified.error());
    EXPECT_EQ(verified->signer.to_hex(), pr[5].as<std::string>());
    EXPECT_EQ(pr[3].as<int>(), 1);
    EXPECT_EQ(pr[4].as<int>(), 0);

    const auto batch = t.exec1(
        "SELECT seq, prev_hash, leaf_count, root, batch_hash, signature FROM "
        "audit.receipt_batches");
    EXPECT_EQ(batch[0].as<int>(), 1);
    EXPECT_EQ(batch[1].as<std::string>(), std::string(64, '0'));
    EXPECT_EQ(batch[2].as<int>(), 1);
    EXPECT_EQ(batch[3].as<std::string>(), std::string(64, '1'));
    EXPECT_EQ(batch[4].as<std::string>(), std::string(64, '2'));
    EXPECT_EQ(batch[5].as<std::string>(), std::string(130, '3'));

    const auto opened = t.exec_params1(
        "SELECT sender_hex, amount, memo_hex, memo_text, outcome, unclaimed_reason, block_number "
        "FROM audit.deposits WHERE channel_id = $1",
        id);
    EXPECT_EQ(opened[0].as<std::string>(), testkit::alice().address().to_hex());
    EXPECT_EQ(opened[1].as<std::int64_t>(), 5'000'000);
    EXPECT_EQ(opened[2].as<std::string>(), to_hex(as_bytes(b.open_memo)));
    EXPECT_EQ(opened[3].as<std::string>(), b.open_memo);
    EXPECT_EQ(opened[4].as<std::string>(), "open");
    EXPECT_TRUE(opened[5].is_null());
    EXPECT_EQ(opened[6].as<int>(), 10);
    const auto unclaimed = t.exec_params1(
        "SELECT memo_hex, memo_text, outcome, unclaimed_reason, channel_id, refund_batch_id "
        "FROM audit.deposits WHERE txid = $1",
        b.unclaimed_txid);
    EXPECT_EQ(unclaimed[0].as<std::string>(), "ff00");
    EXPECT_TRUE(unclaimed[1].is_null());  // not UTF-8: hex only
    EXPECT_EQ(unclaimed[2].as<std::string>(), "unclaimed");
    EXPECT_EQ(unclaimed[3].as<std::string>(), "bad_memo");
    EXPECT_TRUE(unclaimed[4].is_null());
    EXPECT_EQ(unclaimed[5].as<int>(), 1);

    const auto close = t.exec1("SELECT channel_id, party, signature FROM audit.close_requests");
    EXPECT_EQ(close[0].as<std::string>(), id);
    EXPECT_EQ(close[1].as<std::string>(), "payer");
    EXPECT_EQ(close[2].as<std::string>(), std::string(130, '4'));

    EXPECT_EQ(
        t.exec1("SELECT fee_bps FROM audit.settlement_batches WHERE batch_id = 1")[0].as<int>(),
        25);
    const auto split = t.exec1(
        "SELECT channel_id, batch_id, deposit, accepted, fee, payee_amount, refund "
        "FROM audit.settlements");
    EXPECT_EQ(split[0].as<std::string>(), id);
    EXPECT_EQ(split[4].as<std::int64_t>(), 3'750);
    EXPECT_EQ(split[5].as<std::int64_t>() + split[4].as<std::int64_t>(),
              split[3].as<std::int64_t>());
    EXPECT_EQ(split[3].as<std::int64_t>() + split[6].as<std::int64_t>(),
              split[2].as<std::int64_t>());

    const auto payouts = t.exec(
        "SELECT payout_id, recipient_hex, amount, state, confirmed_txid, confirmed_block "
        "FROM audit.payouts ORDER BY payout_id");
    ASSERT_EQ(payouts.size(), 3u);
    EXPECT_EQ(payouts[0][1].as<std::string>(), testkit::bob().address().to_hex());
    EXPECT_EQ(payouts[0][3].as<std::string>(), "confirmed");
    EXPECT_EQ(payouts[0][4].as<std::string>(), std::string(64, '5'));
    EXPECT_EQ(payouts[0][5].as<int>(), 20);
    EXPECT_EQ(payouts[1][3].as<std::string>(), "signed");
    EXPECT_TRUE(payouts[1][4].is_null());
    EXPECT_EQ(payouts[2][3].as<std::string>(), "planned");

    const auto shares = t.exec(
        "SELECT payout_id, role, channel_id, transfer_txid, amount FROM audit.payout_contributions "
        "ORDER BY payout_id");
    ASSERT_EQ(shares.size(), 3u);
    EXPECT_EQ(shares[0][1].as<std::string>(), "payee_share");
    EXPECT_EQ(shares[0][2].as<std::string>(), id);
    EXPECT_EQ(shares[1][1].as<std::string>(), "payer_refund");
    EXPECT_EQ(shares[2][1].as<std::string>(), "unclaimed_refund");
    EXPECT_TRUE(shares[2][2].is_null());
    EXPECT_EQ(shares[2][3].as<std::string>(), b.unclaimed_txid);
    // Each payout is the sum of what it nets.
    EXPECT_EQ(t.exec1("SELECT count(*) FROM audit.payouts p WHERE amount <> (SELECT sum(amount) "
                      "FROM audit.payout_contributions c WHERE c.payout_id = p.payout_id)")[0]
                  .as<int>(),
              0);

    const auto attempts = t.exec(
        "SELECT txid, payout_id, attempt, state, signed_tx, expiration_ms, "
        "extract(epoch FROM expiration)::bigint, ref_block, block_number, ended_at IS NULL "
        "FROM audit.payout_attempts ORDER BY payout_id, attempt");
    ASSERT_EQ(attempts.size(), 3u);
    EXPECT_EQ(attempts[0][0].as<std::string>(), std::string(64, '5'));
    EXPECT_EQ(attempts[0][3].as<std::string>(), "confirmed");
    EXPECT_EQ(attempts[0][4].as<std::string>(), "0a0b0c");  // the signed bytes, to re-verify
    EXPECT_EQ(attempts[0][5].as<std::int64_t>(), 1'750'000'060'000);
    EXPECT_EQ(attempts[0][6].as<std::int64_t>(), 1'750'000'060);
    EXPECT_EQ(attempts[0][7].as<int>(), 19);
    EXPECT_EQ(attempts[0][8].as<int>(), 20);
    EXPECT_EQ(attempts[1][3].as<std::string>(), "dead");
    EXPECT_EQ(attempts[2][3].as<std::string>(), "live");
    EXPECT_EQ(attempts[2][2].as<int>(), 2);
    EXPECT_TRUE(attempts[2][8].is_null());
    EXPECT_TRUE(attempts[2][9].as<bool>());

    // Only the node's identity from node_meta, not whatever else it may hold.
    const auto meta = t.exec("SELECT key FROM audit.node_meta ORDER BY key");
    ASSERT_EQ(meta.size(), 3u);
    EXPECT_EQ(meta[0][0].as<std::string>(), "chain_id");
    EXPECT_EQ(meta[1][0].as<std::string>(), "escrow_address");
    EXPECT_EQ(meta[2][0].as<std::string>(), "token_id");
    const auto cursor = t.exec1("SELECT block_number, block_id FROM audit.chain_cursor");
    EXPECT_EQ(cursor[0].as<int>(), 20);
    EXPECT_EQ(cursor[1].as<std::string>(), repeat("20", 32));
    EXPECT_EQ(t.exec1("SELECT token FROM audit.enum_tokens WHERE enum_name = 'payout_role' "
                      "AND number = 3")[0]
                  .as<std::string>(),
              "unclaimed_refund");
}

TEST(AuditorRole, StartsEveryTransactionReadOnlyWithTheViewsOnItsSearchPath) {
    const auto url = migrated_database();
    (void)write_books(url);
    pqxx::connection c(as_role(url, kAuditor));
    {
        pqxx::read_transaction t(c);
        EXPECT_EQ(t.exec1("SHOW default_transaction_read_only")[0].as<std::string>(), "on");
        // A bare name is the view, not the table.
        EXPECT_EQ(t.exec1("SELECT payer_hex FROM channels")[0].as<std::string>(),
                  testkit::alice().address().to_hex());
    }
    // Temporary tables are open to every role (PUBLIC may create them): only the read-only
    // default stops this one.
    EXPECT_EQ(sqlstate_of(c, "CREATE TEMPORARY TABLE mine (x integer)"), kReadOnlyTransaction);
    EXPECT_EQ(sqlstate_of(c, "DELETE FROM public.proofs"), kReadOnlyTransaction);
    EXPECT_EQ(row_counts(url).at("proofs"), 1);
}

TEST(AuditorRole, EveryWriteToABaseTableOrViewIsRefusedAndChangesNothing) {
    const auto url = migrated_database();
    (void)write_books(url);
    const auto before = row_counts(url);
    // Which view columns an UPDATE could name at all (the others are computed): so that what
    // refuses it is the privilege check, not the view's shape.
    std::map<std::string, std::string> plain_column;
    {
        pqxx::connection owner(url);
        pqxx::read_transaction t(owner);
        for (const auto& row :
             t.exec("SELECT table_name, min(column_name) FROM information_schema.columns "
                    "WHERE table_schema = 'audit' AND is_updatable = 'YES' GROUP BY table_name")) {
            plain_column[row[0].as<std::string>()] = row[1].as<std::string>();
        }
    }
    const auto tables = base_tables(url);
    ASSERT_GE(tables.size(), 14u);
    std::map<std::string, std::string> first_column;
    {
        pqxx::connection owner(url);
        pqxx::read_transaction t(owner);
        for (const auto& table : tables) {
            first_column[table] =
                t.exec1("SELECT attname FROM pg_attribute WHERE attrelid = 'public." + table +
                        "'::regclass AND attnum = 1")[0]
                    .as<std::string>();
        }
    }
    pqxx::connection c(as_role(url, kAuditor, /*read_write=*/true));
    EXPECT_EQ(sqlstate_of(c, "SELECT * FROM audit.channels"), "");  // reads do work
    for (const auto& table : tables) {
        const std::string q = "public." + table;
        const std::string& col = first_column.at(table);
        for (const std::string& stmt :
             {"SELECT * FROM " + q, "INSERT INTO " + q + " DEFAULT VALUES",
              "UPDATE " + q + " SET " + col + " = " + col, "DELETE FROM " + q, "TRUNCATE " + q,
              "DROP TABLE " + q, "COMMENT ON TABLE " + q + " IS 'x'",
              "ALTER TABLE " + q + " ADD COLUMN x integer"}) {
            EXPECT_EQ(sqlstate_of(c, stmt), kInsufficientPrivilege) << stmt;
        }
    }
    for (const auto& view : kViews) {
        const std::string q = "audit." + view;
        ASSERT_TRUE(plain_column.count(view)) << q;
        const std::string& col = plain_column.at(view);
        for (const std::string& stmt :
             {"INSERT INTO " + q + " DEFAULT VALUES", "UPDATE " + q + " SET " + col + " = " + col,
              "DELETE FROM " + q, "DROP VIEW " + q, "COMMENT ON VIEW " + q + " IS 'x'",
              "ALTER VIEW " + q + " RENAME TO x",
              "CREATE OR REPLACE VIEW " + q + " AS SELECT 1 AS x"}) {
            EXPECT_EQ(sqlstate_of(c, stmt), kInsufficientPrivilege) << stmt;
        }
    }
    EXPECT_EQ(row_counts(url), before);
    EXPECT_EQ(audit_views(url).size(), kViews.size());
}

TEST(AuditorRole, CannotCreateAnything) {
    const auto url = migrated_database();
    pqxx::connection c(as_role(url, kAuditor, /*read_write=*/true));
    for (const char* stmt : {
             "CREATE TABLE public.mine (x integer)",
             "CREATE TABLE audit.mine (x integer)",
             "CREATE TABLE mine (x integer)",
             "CREATE VIEW public.mine AS SELECT 1 AS x",
             "CREATE VIEW audit.mine AS SELECT 1 AS x",
             "CREATE FUNCTION audit.mine() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
             "CREATE SCHEMA mine",
             "CREATE ROLE mine",
             "CREATE DATABASE mine",
         }) {
        EXPECT_EQ(sqlstate_of(c, stmt), kInsufficientPrivilege) << stmt;
    }
    EXPECT_EQ(audit_views(url).size(), kViews.size());
}

TEST(AuditorRole, HoldsSelectOnTheViewsAndNoOtherPrivilege) {
    const auto url = migrated_database();
    pqxx::connection c(url);
    pqxx::read_transaction t(c);
    const auto role = t.exec1(
        "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
        "FROM pg_roles WHERE rolname = 'bttnode_auditor'");
    EXPECT_TRUE(role[0].as<bool>());
    for (int i = 1; i < 6; ++i)
        EXPECT_FALSE(role[i].as<bool>()) << role[i].name();
    const char* const privileges[] = {"SELECT",   "INSERT",     "UPDATE", "DELETE",
                                      "TRUNCATE", "REFERENCES", "TRIGGER"};
    for (const auto& table : base_tables(url)) {
        for (const char* p : privileges) {
            EXPECT_FALSE(t.exec_params1("SELECT has_table_privilege('bttnode_auditor', $1, $2)",
                                        "public." + table, p)[0]
                             .as<bool>())
                << p << " on public." << table;
        }
    }
    for (const auto& view : kViews) {
        for (const char* p : privileges) {
            EXPECT_EQ(t.exec_params1("SELECT has_table_privilege('bttnode_auditor', $1, $2)",
                                     "audit." + view, p)[0]
                          .as<bool>(),
                      std::string(p) == "SELECT")
                << p << " on audit." << view;
        }
    }
    EXPECT_TRUE(
        t.exec1("SELECT has_schema_privilege('bttnode_auditor', 'audit', 'USAGE')")[0].as<bool>());
    for (const char* schema : {"audit", "public"}) {
        EXPECT_FALSE(t.exec_params1("SELECT has_schema_privilege('bttnode_auditor', $1, 'CREATE')",
                                    schema)[0]
                         .as<bool>())
            << schema;
    }
    EXPECT_FALSE(t.exec1("SELECT has_database_privilege('bttnode_auditor', current_database(), "
                         "'CREATE')")[0]
                     .as<bool>());
    EXPECT_TRUE(t.exec1("SELECT has_database_privilege('bttnode_auditor', current_database(), "
                        "'CONNECT')")[0]
                    .as<bool>());
}

// The role is the cluster's, the migrations each database's: a second database (another
// shard's node, or the next test) finds the role there and migrates all the same.
TEST(AuditorRole, MigratingASecondDatabaseInTheSameClusterReusesTheRole) {
    const auto first = migrated_database();
    const auto second = testkit::pg().fresh_database();
    {
        pqxx::connection c(second);
        const auto result = migrate(c, embedded_migrations());
        EXPECT_EQ(result.current_version, static_cast<int>(embedded_migrations().size()));
    }
    for (const auto& url : {first, second}) {
        pqxx::connection c(as_role(url, kAuditor));
        pqxx::read_transaction t(c);
        EXPECT_EQ(t.exec1("SELECT count(*) FROM audit.channels")[0].as<int>(), 0) << url;
        EXPECT_EQ(
            t.exec1("SELECT count(*) FROM pg_roles WHERE rolname = 'bttnode_auditor'")[0].as<int>(),
            1);
    }
}

// A node whose database user owns its database but may not create roles: told what to do,
// with 0004 rolled back whole; once a superuser has made the role, the same user migrates.
TEST(AuditorRole, ANodeUserThatMayNotCreateRolesIsToldHowAndMigratesOnceTheRoleExists) {
    (void)migrated_database();  // makes sure the role exists before we move it away
    const std::string admin = testkit::pg().connection_string();
    const std::string owner = "bttnode_plain_owner";
    const auto db = testkit::pg().fresh_database();
    {
        pqxx::connection c(admin);
        pqxx::nontransaction t(c);
        if (t.exec("SELECT 1 FROM pg_roles WHERE rolname = '" + owner + "'").empty())
            t.exec("CREATE ROLE " + owner + " LOGIN NOCREATEROLE NOSUPERUSER");
        t.exec("ALTER DATABASE " + database_name(db) + " OWNER TO " + owner);
    }
    pqxx::connection c(as_role(db, owner));
    {
        // As if the role had never been made in this cluster.
        {
            pqxx::connection a(admin);
            pqxx::nontransaction t(a);
            t.exec("ALTER ROLE bttnode_auditor RENAME TO bttnode_auditor_away");
        }
        Finally put_back(admin, "ALTER ROLE bttnode_auditor_away RENAME TO bttnode_auditor");
        try {
            (void)migrate(c, embedded_migrations());
            ADD_FAILURE() << "migrated without the auditor role";
        } catch (const MigrationError& e) {
            EXPECT_EQ(e.version(), 4);
            EXPECT_NE(std::string(e.what()).find("may not create roles"), std::string::npos)
                << e.what();
        }
        EXPECT_EQ(applied_migrations(c).size(), 3u);
        pqxx::read_transaction t(c);
        EXPECT_TRUE(t.exec1("SELECT to_regnamespace('audit') IS NULL")[0].as<bool>());
    }
    const auto result = migrate(c, embedded_migrations());
    EXPECT_EQ(result.applied, versions_from(4));
    pqxx::connection auditor(as_role(db, kAuditor));
    pqxx::read_transaction t(auditor);
    EXPECT_EQ(t.exec1("SELECT count(*) FROM audit.proofs")[0].as<int>(), 0);
}

// The migration checks its own result: a role someone gave write rights (here through
// pg_write_all_data) stops it, rather than auditors getting more than reads.
TEST(AuditorRole, MigrationRefusesARoleThatMayWrite) {
    (void)migrated_database();  // the role exists
    const std::string admin = testkit::pg().connection_string();
    const auto db = testkit::pg().fresh_database();
    {
        pqxx::connection a(admin);
        pqxx::nontransaction t(a);
        t.exec("GRANT pg_write_all_data TO bttnode_auditor");
    }
    {
        Finally revoke(admin, "REVOKE pg_write_all_data FROM bttnode_auditor");
        pqxx::connection c(db);
        try {
            (void)migrate(c, embedded_migrations());
            ADD_FAILURE() << "migrated although the auditor may write";
        } catch (const MigrationError& e) {
            EXPECT_EQ(e.version(), 4);
            EXPECT_NE(std::string(e.what()).find("must be read-only"), std::string::npos)
                << e.what();
            EXPECT_NE(std::string(e.what()).find("public.channels"), std::string::npos) << e.what();
        }
        EXPECT_EQ(applied_migrations(c).size(), 3u);
    }
    pqxx::connection c(db);
    EXPECT_EQ(migrate(c, embedded_migrations()).applied, versions_from(4));
}

}  // namespace
}  // namespace btt::node::test
