-- 0003: what settlement needs (issue 11): signed close requests, each settlement window's
-- plan (the per-channel split stored with it, so a later fee change never rewrites
-- history), payouts with the contributions they net, and the outbox of signed payout
-- transactions (every attempt kept, dead ones included). Forward only.

INSERT INTO enum_tokens (enum_name, number, token) VALUES
    ('close_party', 1, 'payer'), ('close_party', 2, 'payee'),
    ('payout_state', 1, 'planned'), ('payout_state', 2, 'signed'), ('payout_state', 3, 'confirmed'),
    ('payout_role', 1, 'payee_share'), ('payout_role', 2, 'payer_refund'),
    ('payout_role', 3, 'unclaimed_refund'),
    ('attempt_state', 1, 'live'), ('attempt_state', 2, 'dead'), ('attempt_state', 3, 'confirmed');

-- Every accepted close request with the signature that made it (auditors re-check it).
CREATE TABLE close_requests (
    channel_id  bytea    NOT NULL CHECK (length(channel_id) = 32),
    party       smallint NOT NULL CHECK (party IN (1, 2)),
    signature   bytea    NOT NULL CHECK (length(signature) = 65),
    received_at timestamptz NOT NULL,
    PRIMARY KEY (channel_id, party)
);

-- One settlement window's plan.
CREATE TABLE settlement_batches (
    batch_id   bigint  PRIMARY KEY CHECK (batch_id >= 1),
    fee_bps    integer NOT NULL CHECK (fee_bps BETWEEN 0 AND 10000),
    planned_at timestamptz NOT NULL DEFAULT now()
);

-- Each settled channel's split, as planned: payee_amount + fee = accepted,
-- payee_amount + fee + refund = deposit (the conservation check re-adds these).
CREATE TABLE settlements (
    channel_id   bytea   PRIMARY KEY CHECK (length(channel_id) = 32),
    batch_id     bigint  NOT NULL REFERENCES settlement_batches,
    fee_bps      integer NOT NULL CHECK (fee_bps BETWEEN 0 AND 10000),
    deposit      bigint  NOT NULL CHECK (deposit > 0),
    accepted     bigint  NOT NULL CHECK (accepted >= 0),
    fee          bigint  NOT NULL CHECK (fee >= 0),
    payee_amount bigint  NOT NULL CHECK (payee_amount >= 0),
    refund       bigint  NOT NULL CHECK (refund >= 0)
);

CREATE TABLE payouts (
    payout_id       bigint   PRIMARY KEY CHECK (payout_id >= 1),
    batch_id        bigint   NOT NULL REFERENCES settlement_batches,
    recipient       bytea    NOT NULL CHECK (length(recipient) = 21),
    token_id        text     NOT NULL,
    amount          bigint   NOT NULL CHECK (amount > 0),
    state           smallint NOT NULL CHECK (state BETWEEN 1 AND 3),
    confirmed_txid  bytea    CHECK (confirmed_txid IS NULL OR length(confirmed_txid) = 32),
    confirmed_block bigint,
    CHECK ((state = 3) = (confirmed_txid IS NOT NULL AND confirmed_block IS NOT NULL))
);
CREATE INDEX payouts_open ON payouts (payout_id) WHERE state <> 3;

-- What each payout nets: a channel's payee share or payer refund, or an unclaimed
-- transfer's refund. The unique indexes make a second payment of the same share a
-- database error, whatever the code does.
CREATE TABLE payout_contributions (
    payout_id     bigint   NOT NULL REFERENCES payouts,
    role          smallint NOT NULL CHECK (role BETWEEN 1 AND 3),
    channel_id    bytea    CHECK (channel_id IS NULL OR length(channel_id) = 32),
    transfer_txid bytea    CHECK (transfer_txid IS NULL OR length(transfer_txid) = 32),
    amount        bigint   NOT NULL CHECK (amount > 0),
    CHECK ((role = 3) = (transfer_txid IS NOT NULL AND channel_id IS NULL)),
    CHECK ((role <> 3) = (channel_id IS NOT NULL AND transfer_txid IS NULL))
);
CREATE UNIQUE INDEX payout_contributions_channel_role ON payout_contributions (channel_id, role)
    WHERE channel_id IS NOT NULL;
CREATE UNIQUE INDEX payout_contributions_transfer ON payout_contributions (transfer_txid)
    WHERE transfer_txid IS NOT NULL;
CREATE INDEX payout_contributions_payout ON payout_contributions (payout_id);

-- The outbox (DESIGN §5 "Exactly-once payout"): a payout's transaction is signed and
-- stored here before its first broadcast; after a crash the same bytes are sent again. A
-- new attempt is signed only once the live one is provably dead (reference §5.7); the dead
-- one stays. At most one live attempt per payout, enforced by the database.
CREATE TABLE payout_attempts (
    txid          bytea    PRIMARY KEY CHECK (length(txid) = 32),
    payout_id     bigint   NOT NULL REFERENCES payouts,
    attempt       integer  NOT NULL CHECK (attempt >= 1),
    signed_tx     bytea    NOT NULL,
    expiration_ms bigint   NOT NULL,
    ref_block     bigint   NOT NULL,
    state         smallint NOT NULL CHECK (state BETWEEN 1 AND 3),
    block_number  bigint,
    signed_at     timestamptz NOT NULL DEFAULT now(),
    ended_at      timestamptz,
    UNIQUE (payout_id, attempt)
);
CREATE UNIQUE INDEX payout_attempts_one_live ON payout_attempts (payout_id) WHERE state = 1;

-- The settlement batch that planned an unclaimed transfer's refund: written with the plan,
-- apart from the refund's contribution row, so the conservation check can tell a planned
-- refund whose payout row went missing.
ALTER TABLE deposits ADD COLUMN refund_batch_id bigint REFERENCES settlement_batches;
