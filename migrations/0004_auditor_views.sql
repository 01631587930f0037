-- 0004: read-only SQL access for auditors (DESIGN §5 "Verifiability", §6; issue 12): a
-- role `bttnode_auditor` and a schema `audit` of documented views over the books. The
-- auditor may read the views and nothing else: no privilege on the base tables, none to
-- write or create anything. Forward only: never edit once applied; a later migration that
-- adds a view to `audit` grants SELECT on it and comments every column, as here.
--
-- How the views read:
-- - ids, hashes, signatures, txids and signed transactions are lowercase hex, as in the
--   ledger export (DESIGN §9);
-- - Tron addresses are hex too (`..._hex`: the 21 raw bytes, 0x41 first): base58check needs
--   SHA-256 twice and a base58 coder, which plain SQL has not; the T... form of an address is
--   base58check of exactly these bytes;
-- - stored enum numbers appear as their tokens from enum_tokens (also in audit.enum_tokens);
-- - amounts are bigint token base units; times are timestamptz (extract(epoch FROM t) gives
--   the Unix seconds the export uses).
-- The views run with their owner's rights (the node's database user), so they show every row
-- of their table; each reads one table, looking tokens up in scalar subqueries.

-- The role is cluster-wide while migrations run per database, so several databases of one
-- cluster (the tests; a node per shard) share it: create it only when it is missing. It can
-- log in but has no password: the operator sets one (ALTER ROLE bttnode_auditor PASSWORD
-- ...) or lets it in by certificate or peer authentication in pg_hba.conf. Creating it needs
-- CREATEROLE; a node whose database user lacks it stops here with a hint, and the migration
-- passes once a superuser has created the role.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'bttnode_auditor') THEN
        BEGIN
            CREATE ROLE bttnode_auditor LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
                NOREPLICATION NOBYPASSRLS;
            -- Guards against accidents, not a boundary (the session may SET them back):
            -- every transaction starts read-only, and bare names mean the audit views.
            ALTER ROLE bttnode_auditor SET default_transaction_read_only = on;
            ALTER ROLE bttnode_auditor SET search_path = audit;
            COMMENT ON ROLE bttnode_auditor IS
                'bttnode auditors: SELECT on the views of schema audit, nothing else (migration 0004)';
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another database's migration created it just now
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'migration 0004 needs the role bttnode_auditor, and % may not create roles',
                        current_user
                    USING ERRCODE = 'insufficient_privilege',
                          HINT = 'Have a superuser run: CREATE ROLE bttnode_auditor LOGIN; '
                                 'or grant CREATEROLE to the node''s database user; then start again.';
        END;
    END IF;
END
$$;

CREATE SCHEMA audit;
COMMENT ON SCHEMA audit IS
    'Read-only views of the node''s books for auditors (role bttnode_auditor). Ids, hashes, '
    'signatures and txids are lowercase hex; addresses are hex of the 21 raw bytes (41...), '
    'not base58; enum numbers are shown as tokens; amounts are token base units.';

-- NULL unless `b` is valid UTF-8 without NUL bytes (then the text). Reads no table, so it
-- runs with the caller's rights harmlessly (functions in views always do).
CREATE FUNCTION audit.utf8_or_null(b bytea) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog
AS $$
BEGIN
    RETURN convert_from(b, 'UTF8');
EXCEPTION
    WHEN character_not_in_repertoire OR untranslatable_character THEN
        RETURN NULL;
END
$$;
COMMENT ON FUNCTION audit.utf8_or_null(bytea) IS
    'The bytes as text when they are valid UTF-8 without NUL, else NULL (used by audit.deposits.memo_text).';

CREATE VIEW audit.enum_tokens AS
SELECT enum_name, number, token
FROM enum_tokens;
COMMENT ON VIEW audit.enum_tokens IS
    'The stored enum numbers and their tokens (append only; the other views show the tokens).';
COMMENT ON COLUMN audit.enum_tokens.enum_name IS 'Which enum: channel_state, close_cause, deposit_outcome, unclaimed_reason, reject_reason, close_party, payout_state, payout_role, attempt_state.';
COMMENT ON COLUMN audit.enum_tokens.number IS 'The number stored in the base tables; never renumbered.';
COMMENT ON COLUMN audit.enum_tokens.token IS 'Its token, as the views, the API and the ledger export write it.';

CREATE VIEW audit.node_meta AS
SELECT key, value, updated_at
FROM node_meta
WHERE key IN ('escrow_address', 'token_id', 'chain_id');
COMMENT ON VIEW audit.node_meta IS
    'Which escrow, token and chain these books belong to (written at the node''s first start).';
COMMENT ON COLUMN audit.node_meta.key IS 'escrow_address, token_id or chain_id.';
COMMENT ON COLUMN audit.node_meta.value IS 'escrow_address: base58 (T...); token_id: the TRC-10 token id; chain_id: the genesis block id, hex.';
COMMENT ON COLUMN audit.node_meta.updated_at IS 'When the node recorded it.';

CREATE VIEW audit.chain_cursor AS
SELECT block_number, encode(block_id, 'hex') AS block_id, updated_at
FROM chain_cursor;
COMMENT ON VIEW audit.chain_cursor IS
    'The last solidified block whose transfers the node has applied (one row): deposits up to it are in audit.deposits.';
COMMENT ON COLUMN audit.chain_cursor.block_number IS 'Block number; -1 before the first block.';
COMMENT ON COLUMN audit.chain_cursor.block_id IS 'That block''s id, hex (empty before the first block).';
COMMENT ON COLUMN audit.chain_cursor.updated_at IS 'When the node applied it.';

CREATE VIEW audit.channels AS
SELECT encode(c.channel_id, 'hex') AS channel_id,
       encode(c.payer, 'hex') AS payer_hex,
       encode(c.payee, 'hex') AS payee_hex,
       c.token_id,
       c.deposit,
       c.accepted,
       encode(c.accepted_signature, 'hex') AS accepted_signature,
       c.accepted_batch_seq,
       c.accepted_leaf,
       (SELECT t.token FROM enum_tokens t
         WHERE t.enum_name = 'channel_state' AND t.number = c.state) AS state,
       c.opened_at,
       c.opened_block,
       c.expiry,
       c.settle_at,
       (SELECT t.token FROM enum_tokens t
         WHERE t.enum_name = 'close_cause' AND t.number = c.close_cause) AS close_cause,
       c.updated_at
FROM channels c;
COMMENT ON VIEW audit.channels IS
    'One row per payment channel, its latest state. Its history: audit.deposits (open, top-ups), '
    'audit.proofs, audit.close_requests, audit.settlements, audit.payout_contributions.';
COMMENT ON COLUMN audit.channels.channel_id IS 'Channel id (the funding transfer''s txid), hex.';
COMMENT ON COLUMN audit.channels.payer_hex IS 'Payer''s Tron address: the 21 bytes in hex (41...), not base58.';
COMMENT ON COLUMN audit.channels.payee_hex IS 'Payee''s Tron address: the 21 bytes in hex (41...), not base58.';
COMMENT ON COLUMN audit.channels.token_id IS 'TRC-10 token id of the deposit.';
COMMENT ON COLUMN audit.channels.deposit IS 'Total deposited (open plus top-ups), token base units.';
COMMENT ON COLUMN audit.channels.accepted IS 'Highest cumulative amount the payer signed and the node accepted, base units; 0 before the first proof.';
COMMENT ON COLUMN audit.channels.accepted_signature IS 'The payer''s 65-byte signature (r||s||v, BTT-CHANNEL-V1) over accepted, hex; NULL while accepted is 0.';
COMMENT ON COLUMN audit.channels.accepted_batch_seq IS 'Receipt batch (audit.receipt_batches.seq) that committed accepted.';
COMMENT ON COLUMN audit.channels.accepted_leaf IS 'Leaf index of accepted in that batch.';
COMMENT ON COLUMN audit.channels.state IS 'OPEN, CLOSING, SETTLING or CLOSED.';
COMMENT ON COLUMN audit.channels.opened_at IS 'Block time of the funding transfer.';
COMMENT ON COLUMN audit.channels.opened_block IS 'Block number of the funding transfer.';
COMMENT ON COLUMN audit.channels.expiry IS 'Expiry the payer chose in the opening memo.';
COMMENT ON COLUMN audit.channels.settle_at IS 'When the channel settles, once closing; else NULL.';
COMMENT ON COLUMN audit.channels.close_cause IS 'payer_request, payee_request, expiry or force_settle; NULL while open.';
COMMENT ON COLUMN audit.channels.updated_at IS 'Last change of this row.';

CREATE VIEW audit.proofs AS
SELECT encode(p.channel_id, 'hex') AS channel_id,
       p.amount,
       encode(p.signature, 'hex') AS signature,
       p.received_at,
       p.batch_seq,
       p.leaf_index
FROM proofs p;
COMMENT ON VIEW audit.proofs IS
    'Every accepted balance proof (append only): re-verify each signature against the channel''s '
    'payer, and each (channel_id, amount) leaf against its batch root.';
COMMENT ON COLUMN audit.proofs.channel_id IS 'Channel id, hex.';
COMMENT ON COLUMN audit.proofs.amount IS 'Cumulative amount the payer signed, base units; rises strictly per channel.';
COMMENT ON COLUMN audit.proofs.signature IS 'The payer''s 65-byte signature (r||s||v) over BTT-CHANNEL-V1(channel_id, amount), hex.';
COMMENT ON COLUMN audit.proofs.received_at IS 'When the node received the proof.';
COMMENT ON COLUMN audit.proofs.batch_seq IS 'Receipt batch (audit.receipt_batches.seq) that committed it.';
COMMENT ON COLUMN audit.proofs.leaf_index IS 'Its leaf index in that batch''s Merkle tree.';

CREATE VIEW audit.receipt_batches AS
SELECT b.seq,
       encode(b.prev_hash, 'hex') AS prev_hash,
       b.leaf_count,
       encode(b.root, 'hex') AS root,
       encode(b.batch_hash, 'hex') AS batch_hash,
       encode(b.signature, 'hex') AS signature,
       b.committed_at
FROM receipt_batches b;
COMMENT ON VIEW audit.receipt_batches IS
    'The hash-chained, signed receipt batch headers (DESIGN §3), one per group commit.';
COMMENT ON COLUMN audit.receipt_batches.seq IS 'Batch number: 1, 2, 3 ... without gaps.';
COMMENT ON COLUMN audit.receipt_batches.prev_hash IS 'batch_hash of batch seq - 1 (32 zero bytes for batch 1), hex.';
COMMENT ON COLUMN audit.receipt_batches.leaf_count IS 'Number of leaves (accepted proofs) in the batch; at least 1.';
COMMENT ON COLUMN audit.receipt_batches.root IS 'RFC 6962 Merkle root over the leaves, hex.';
COMMENT ON COLUMN audit.receipt_batches.batch_hash IS 'Hash of the 88-byte header, hex.';
COMMENT ON COLUMN audit.receipt_batches.signature IS 'The receipt key''s 65-byte TIP-104 signature over the 88 header bytes (not over batch_hash), hex.';
COMMENT ON COLUMN audit.receipt_batches.committed_at IS 'When the batch was committed.';

CREATE VIEW audit.deposits AS
SELECT encode(d.txid, 'hex') AS txid,
       d.block_number,
       d.block_time,
       encode(d.sender, 'hex') AS sender_hex,
       d.token_id,
       d.amount,
       encode(d.memo, 'hex') AS memo_hex,
       audit.utf8_or_null(d.memo) AS memo_text,
       (SELECT t.token FROM enum_tokens t
         WHERE t.enum_name = 'deposit_outcome' AND t.number = d.outcome) AS outcome,
       (SELECT t.token FROM enum_tokens t
         WHERE t.enum_name = 'unclaimed_reason' AND t.number = d.unclaimed_reason) AS unclaimed_reason,
       encode(d.channel_id, 'hex') AS channel_id,
       d.refund_batch_id,
       d.recorded_at
FROM deposits d;
COMMENT ON VIEW audit.deposits IS
    'Every TRC-10 transfer to the escrow seen in a solidified block, with what the node made of it.';
COMMENT ON COLUMN audit.deposits.txid IS 'Transaction id of the transfer, hex.';
COMMENT ON COLUMN audit.deposits.block_number IS 'Solidified block that holds it.';
COMMENT ON COLUMN audit.deposits.block_time IS 'That block''s time.';
COMMENT ON COLUMN audit.deposits.sender_hex IS 'Sender''s Tron address: the 21 bytes in hex (41...), not base58.';
COMMENT ON COLUMN audit.deposits.token_id IS 'TRC-10 token id transferred.';
COMMENT ON COLUMN audit.deposits.amount IS 'Amount transferred, base units.';
COMMENT ON COLUMN audit.deposits.memo_hex IS 'The transaction''s memo (data field), hex; empty when none.';
COMMENT ON COLUMN audit.deposits.memo_text IS 'The memo as text when it is valid UTF-8, else NULL.';
COMMENT ON COLUMN audit.deposits.outcome IS 'open (opened channel_id), topup (added to channel_id), held (from a peer escrow), unclaimed (to be refunded).';
COMMENT ON COLUMN audit.deposits.unclaimed_reason IS 'Why an unclaimed transfer was not credited (e.g. bad_memo, below_minimum_deposit); NULL otherwise.';
COMMENT ON COLUMN audit.deposits.channel_id IS 'Channel opened or topped up, hex; NULL for held and unclaimed.';
COMMENT ON COLUMN audit.deposits.refund_batch_id IS 'Settlement batch that planned an unclaimed transfer''s refund; NULL until planned.';
COMMENT ON COLUMN audit.deposits.recorded_at IS 'When the node recorded the transfer.';

CREATE VIEW audit.close_requests AS
SELECT encode(r.channel_id, 'hex') AS channel_id,
       (SELECT t.token FROM enum_tokens t
         WHERE t.enum_name = 'close_party' AND t.number = r.party) AS party,
       encode(r.signature, 'hex') AS signature,
       r.received_at
FROM close_requests r;
COMMENT ON VIEW audit.close_requests IS
    'Every accepted close request with the signature that made it: re-verify it against the channel''s payer or payee.';
COMMENT ON COLUMN audit.close_requests.channel_id IS 'Channel id, hex.';
COMMENT ON COLUMN audit.close_requests.party IS 'payer or payee: who signed.';
COMMENT ON COLUMN audit.close_requests.signature IS 'The party''s 65-byte signature over BTT-CLOSE-V1(channel_id), hex.';
COMMENT ON COLUMN audit.close_requests.received_at IS 'When the node accepted it.';

CREATE VIEW audit.settlement_batches AS
SELECT s.batch_id, s.fee_bps, s.planned_at
FROM settlement_batches s;
COMMENT ON VIEW audit.settlement_batches IS
    'One row per settlement window''s plan: its channels are in audit.settlements, its transfers in audit.payouts.';
COMMENT ON COLUMN audit.settlement_batches.batch_id IS 'Settlement batch number.';
COMMENT ON COLUMN audit.settlement_batches.fee_bps IS 'Operator fee in basis points when the batch was planned.';
COMMENT ON COLUMN audit.settlement_batches.planned_at IS 'When the batch was planned.';

CREATE VIEW audit.settlements AS
SELECT encode(s.channel_id, 'hex') AS channel_id,
       s.batch_id,
       s.fee_bps,
       s.deposit,
       s.accepted,
       s.fee,
       s.payee_amount,
       s.refund
FROM settlements s;
COMMENT ON VIEW audit.settlements IS
    'Each settled channel''s split as planned: payee_amount + fee = accepted and '
    'accepted + refund = deposit.';
COMMENT ON COLUMN audit.settlements.channel_id IS 'Channel id, hex.';
COMMENT ON COLUMN audit.settlements.batch_id IS 'Settlement batch (audit.settlement_batches) that planned it.';
COMMENT ON COLUMN audit.settlements.fee_bps IS 'Fee rate applied, basis points (stored, so a later fee change never rewrites history).';
COMMENT ON COLUMN audit.settlements.deposit IS 'Channel deposit at settlement, base units.';
COMMENT ON COLUMN audit.settlements.accepted IS 'Accepted cumulative amount at settlement, base units.';
COMMENT ON COLUMN audit.settlements.fee IS 'Operator fee kept from accepted, base units.';
COMMENT ON COLUMN audit.settlements.payee_amount IS 'Owed to the payee: accepted - fee, base units.';
COMMENT ON COLUMN audit.settlements.refund IS 'Owed back to the payer: deposit - accepted, base units.';

CREATE VIEW audit.payouts AS
SELECT p.payout_id,
       p.batch_id,
       encode(p.recipient, 'hex') AS recipient_hex,
       p.token_id,
       p.amount,
       (SELECT t.token FROM enum_tokens t
         WHERE t.enum_name = 'payout_state' AND t.number = p.state) AS state,
       encode(p.confirmed_txid, 'hex') AS confirmed_txid,
       p.confirmed_block
FROM payouts p;
COMMENT ON VIEW audit.payouts IS
    'Netted on-chain transfers out of the escrow, one per recipient and settlement batch; what each nets is in '
    'audit.payout_contributions, its signed transactions in audit.payout_attempts.';
COMMENT ON COLUMN audit.payouts.payout_id IS 'Payout number.';
COMMENT ON COLUMN audit.payouts.batch_id IS 'Settlement batch that planned it.';
COMMENT ON COLUMN audit.payouts.recipient_hex IS 'Recipient''s Tron address: the 21 bytes in hex (41...), not base58.';
COMMENT ON COLUMN audit.payouts.token_id IS 'TRC-10 token id paid.';
COMMENT ON COLUMN audit.payouts.amount IS 'Amount paid, base units: the sum of its contributions.';
COMMENT ON COLUMN audit.payouts.state IS 'planned (not signed yet), signed (a transaction is out), confirmed (on the solidified chain).';
COMMENT ON COLUMN audit.payouts.confirmed_txid IS 'The transaction that paid it, hex, once confirmed; else NULL.';
COMMENT ON COLUMN audit.payouts.confirmed_block IS 'Solidified block holding that transaction, once confirmed; else NULL.';

CREATE VIEW audit.payout_contributions AS
SELECT c.payout_id,
       (SELECT t.token FROM enum_tokens t
         WHERE t.enum_name = 'payout_role' AND t.number = c.role) AS role,
       encode(c.channel_id, 'hex') AS channel_id,
       encode(c.transfer_txid, 'hex') AS transfer_txid,
       c.amount
FROM payout_contributions c;
COMMENT ON VIEW audit.payout_contributions IS
    'What each payout nets: a channel''s payee share or payer refund, or the refund of an unclaimed transfer. '
    'The database refuses a second contribution for the same share.';
COMMENT ON COLUMN audit.payout_contributions.payout_id IS 'Payout (audit.payouts) it is part of.';
COMMENT ON COLUMN audit.payout_contributions.role IS 'payee_share, payer_refund or unclaimed_refund.';
COMMENT ON COLUMN audit.payout_contributions.channel_id IS 'Channel whose share or refund this is, hex; NULL for unclaimed_refund.';
COMMENT ON COLUMN audit.payout_contributions.transfer_txid IS 'Unclaimed transfer (audit.deposits.txid) refunded, hex; NULL otherwise.';
COMMENT ON COLUMN audit.payout_contributions.amount IS 'Amount contributed, base units.';

CREATE VIEW audit.payout_attempts AS
SELECT encode(a.txid, 'hex') AS txid,
       a.payout_id,
       a.attempt,
       (SELECT t.token FROM enum_tokens t
         WHERE t.enum_name = 'attempt_state' AND t.number = a.state) AS state,
       encode(a.signed_tx, 'hex') AS signed_tx,
       a.expiration_ms,
       to_timestamp(a.expiration_ms / 1000.0) AS expiration,
       a.ref_block,
       a.block_number,
       a.signed_at,
       a.ended_at
FROM payout_attempts a;
COMMENT ON VIEW audit.payout_attempts IS
    'Every payout transaction the node signed (the outbox), dead ones included: at most one live per payout, '
    'and a new one only after the last expired and is provably not on the chain.';
COMMENT ON COLUMN audit.payout_attempts.txid IS 'Transaction id, hex.';
COMMENT ON COLUMN audit.payout_attempts.payout_id IS 'Payout (audit.payouts) it pays.';
COMMENT ON COLUMN audit.payout_attempts.attempt IS 'Attempt number for that payout: 1, 2, ...';
COMMENT ON COLUMN audit.payout_attempts.state IS 'live (may still land), dead (expired and not on the solidified chain), confirmed.';
COMMENT ON COLUMN audit.payout_attempts.signed_tx IS 'The signed transaction exactly as broadcast (protobuf Transaction), hex: re-check its contract, amount, recipient and signature.';
COMMENT ON COLUMN audit.payout_attempts.expiration_ms IS 'The transaction''s expiration field, Unix milliseconds.';
COMMENT ON COLUMN audit.payout_attempts.expiration IS 'The same as a time.';
COMMENT ON COLUMN audit.payout_attempts.ref_block IS 'Block number the transaction references (TAPOS).';
COMMENT ON COLUMN audit.payout_attempts.block_number IS 'Solidified block holding it, once confirmed; else NULL.';
COMMENT ON COLUMN audit.payout_attempts.signed_at IS 'When the node signed and stored it (before the first broadcast).';
COMMENT ON COLUMN audit.payout_attempts.ended_at IS 'When it was found confirmed or dead; NULL while live.';

-- The auditor reads the views and nothing else. PostgreSQL 15 no longer lets PUBLIC create
-- in schema public; the REVOKEs say so for this role too (no-ops unless someone granted).
GRANT USAGE ON SCHEMA audit TO bttnode_auditor;
GRANT SELECT ON ALL TABLES IN SCHEMA audit TO bttnode_auditor;
GRANT EXECUTE ON FUNCTION audit.utf8_or_null(bytea) TO bttnode_auditor;
REVOKE CREATE ON SCHEMA public FROM bttnode_auditor;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM bttnode_auditor;
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO bttnode_auditor', current_database());
END
$$;

-- Checked, not assumed: a role made by someone else (or given memberships later) must not
-- be able to write here. Fails the migration, so the node does not start, rather than
-- handing auditors more than reads.
DO $$
DECLARE
    offending text;
BEGIN
    SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ' ORDER BY n.nspname, c.relname)
      INTO offending
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('public', 'audit')
       AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
       AND has_table_privilege('bttnode_auditor', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER');
    IF offending IS NOT NULL
       OR has_schema_privilege('bttnode_auditor', 'public', 'CREATE')
       OR has_schema_privilege('bttnode_auditor', 'audit', 'CREATE')
       OR has_database_privilege('bttnode_auditor', current_database(), 'CREATE') THEN
        RAISE EXCEPTION 'the role bttnode_auditor may write or create objects here (%): it must be read-only',
                coalesce(offending, 'CREATE on a schema or the database')
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Make it a plain role: no SUPERUSER, no membership in roles that may write, no grants but those of migration 0004.';
    END IF;
END
$$;
