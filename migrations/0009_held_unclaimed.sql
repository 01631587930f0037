-- 0009: unclaimed transfers held for the operator (DESIGN §10, issue 20 defect 2).
-- An unclaimed transfer of a token other than channels.token_id, or under
-- channels.min_refund, is recorded and held instead of refunded: a stranger's token could
-- fail or overflow a refund and hold payouts, and dust costs more to refund than it returns.
-- It is not owed (reconciliation counts it as surplus); AdminService lists it and
-- RefundUnclaimed releases it to the next settlement window's refunds (released_at).
ALTER TABLE deposits
    ADD COLUMN held boolean NOT NULL DEFAULT false,
    ADD COLUMN released_at timestamptz,
    ADD CONSTRAINT deposits_held_only_unclaimed CHECK (NOT held OR outcome = 4),
    ADD CONSTRAINT deposits_released_not_held CHECK (released_at IS NULL OR NOT held);
COMMENT ON COLUMN deposits.held IS
    'Unclaimed but held for the operator (foreign token or under channels.min_refund); not refunded until RefundUnclaimed releases it.';
COMMENT ON COLUMN deposits.released_at IS
    'When an operator released a held transfer to be refunded (RefundUnclaimed).';
CREATE INDEX deposits_held ON deposits (block_number) WHERE held;
