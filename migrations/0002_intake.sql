-- 0002: what intake needs (issue 10): channels (latest state, one row each), proofs
-- (append-only history of every accepted amount), receipt batches (DESIGN §3, the
-- hash-chained, signed batch headers), deposits (every transfer to the escrow with its
-- classification) and the chain cursor. Forward only: never edit once applied.
--
-- Keys: channels and proofs lead with channel_id, so both can later be partitioned by
-- channel id (PARTITION BY HASH (channel_id)). Amounts are bigint base units, never
-- floating point. Stored enums are small integers with fixed numbers, listed with their
-- tokens in enum_tokens below; a test pins them against the code (append only).

CREATE TABLE enum_tokens (
    enum_name text     NOT NULL,
    number    smallint NOT NULL,
    token     text     NOT NULL,
    PRIMARY KEY (enum_name, number),
    UNIQUE (enum_name, token)
);
INSERT INTO enum_tokens (enum_name, number, token) VALUES
    ('channel_state', 1, 'OPEN'), ('channel_state', 2, 'CLOSING'),
    ('channel_state', 3, 'SETTLING'), ('channel_state', 4, 'CLOSED'),
    ('close_cause', 1, 'payer_request'), ('close_cause', 2, 'payee_request'),
    ('close_cause', 3, 'expiry'), ('close_cause', 4, 'force_settle'),
    ('deposit_outcome', 1, 'open'), ('deposit_outcome', 2, 'topup'),
    ('deposit_outcome', 3, 'held'), ('deposit_outcome', 4, 'unclaimed'),
    ('unclaimed_reason', 1, 'zero_amount'), ('unclaimed_reason', 2, 'wrong_token'),
    ('unclaimed_reason', 3, 'bad_memo'), ('unclaimed_reason', 4, 'payee_is_escrow'),
    ('unclaimed_reason', 5, 'below_minimum_deposit'), ('unclaimed_reason', 6, 'expiry_out_of_range'),
    ('unclaimed_reason', 7, 'unknown_channel'), ('unclaimed_reason', 8, 'topup_not_from_payer'),
    ('unclaimed_reason', 9, 'channel_not_open'), ('unclaimed_reason', 10, 'deposit_overflow'),
    ('reject_reason', 1, 'malformed'), ('reject_reason', 2, 'bad_signature'),
    ('reject_reason', 3, 'unknown_channel'), ('reject_reason', 4, 'wrong_signer'),
    ('reject_reason', 5, 'channel_not_open'), ('reject_reason', 6, 'channel_expired'),
    ('reject_reason', 7, 'amount_exceeds_deposit'), ('reject_reason', 8, 'amount_not_increasing'),
    ('reject_reason', 9, 'intake_paused'), ('reject_reason', 10, 'overloaded'),
    ('reject_reason', 11, 'store_unavailable'), ('reject_reason', 12, 'internal');

-- The last solidified block whose events are applied. Written in the same transaction as
-- that block's deposits, so a restart neither skips nor repeats a block.
CREATE TABLE chain_cursor (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    block_number bigint  NOT NULL CHECK (block_number >= -1),
    block_id     bytea   NOT NULL CHECK (length(block_id) IN (0, 32)),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE channels (
    channel_id         bytea    PRIMARY KEY CHECK (length(channel_id) = 32),
    payer              bytea    NOT NULL CHECK (length(payer) = 21),
    payee              bytea    NOT NULL CHECK (length(payee) = 21),
    token_id           text     NOT NULL,
    deposit            bigint   NOT NULL CHECK (deposit > 0),
    accepted           bigint   NOT NULL DEFAULT 0 CHECK (accepted >= 0 AND accepted <= deposit),
    accepted_signature bytea    CHECK (accepted_signature IS NULL OR length(accepted_signature) = 65),
    accepted_batch_seq bigint,  -- the receipt batch that committed `accepted`
    accepted_leaf      integer,
    state              smallint NOT NULL CHECK (state BETWEEN 1 AND 4),
    opened_at          timestamptz NOT NULL,  -- block time of the funding transfer
    opened_block       bigint   NOT NULL,
    expiry             timestamptz NOT NULL,
    settle_at          timestamptz,
    close_cause        smallint CHECK (close_cause BETWEEN 1 AND 4),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((accepted = 0) = (accepted_signature IS NULL))
) WITH (fillfactor = 70);  -- room on each page, so intake's updates are HOT (no index writes)
CREATE INDEX channels_payer ON channels (payer);
CREATE INDEX channels_payee ON channels (payee);
CREATE INDEX channels_state ON channels (state) WHERE state <> 4;

-- One row per committed receipt batch (DESIGN §3): header fields, its hash and the
-- receipt key's TIP-104 signature over the 88 header bytes. Seqs run 1, 2, 3 ... without
-- gaps; each prev_hash is the batch_hash of seq - 1 (zeros for seq 1).
CREATE TABLE receipt_batches (
    seq          bigint  PRIMARY KEY CHECK (seq >= 1),
    prev_hash    bytea   NOT NULL CHECK (length(prev_hash) = 32),
    leaf_count   integer NOT NULL CHECK (leaf_count >= 1),
    root         bytea   NOT NULL CHECK (length(root) = 32),
    batch_hash   bytea   NOT NULL UNIQUE CHECK (length(batch_hash) = 32),
    signature    bytea   NOT NULL CHECK (length(signature) = 65),
    committed_at timestamptz NOT NULL DEFAULT now()
);

-- Every accepted cumulative amount, with the payer's signature, in the transaction of its
-- receipt batch. No foreign keys: each would cost an index probe and a row lock per row
-- on the hot path; the node is the only writer and `bttctl audit verify` re-checks every
-- link (proof -> batch root, proof -> channel).
CREATE TABLE proofs (
    channel_id  bytea   NOT NULL CHECK (length(channel_id) = 32),
    amount      bigint  NOT NULL CHECK (amount > 0),
    signature   bytea   NOT NULL CHECK (length(signature) = 65),
    received_at timestamptz NOT NULL,
    batch_seq   bigint  NOT NULL,
    leaf_index  integer NOT NULL CHECK (leaf_index >= 0),
    PRIMARY KEY (channel_id, amount)
);
CREATE INDEX proofs_batch ON proofs (batch_seq, leaf_index);

-- Every TRC-10 transfer to the escrow seen in a solidified block, with what it meant:
-- 1 open, 2 topup, 3 held (from a peer escrow), 4 unclaimed (to be refunded; reason set).
CREATE TABLE deposits (
    txid             bytea    PRIMARY KEY CHECK (length(txid) = 32),
    block_number     bigint   NOT NULL,
    block_time       timestamptz NOT NULL,
    sender           bytea    NOT NULL CHECK (length(sender) = 21),
    token_id         text     NOT NULL,
    amount           bigint   NOT NULL CHECK (amount >= 0),
    memo             bytea    NOT NULL,
    outcome          smallint NOT NULL CHECK (outcome BETWEEN 1 AND 4),
    unclaimed_reason smallint CHECK ((outcome = 4) = (unclaimed_reason IS NOT NULL)),
    channel_id       bytea    CHECK ((outcome IN (1, 2)) = (channel_id IS NOT NULL)),
    recorded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deposits_channel ON deposits (channel_id) WHERE channel_id IS NOT NULL;
CREATE INDEX deposits_unclaimed ON deposits (block_number) WHERE outcome = 4;
