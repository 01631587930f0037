-- 0007: the solidified height a settlement batch was planned at (DESIGN §10, issue 20).
-- A payout is signed only after this process has seen a reconciliation hold at a solidified
-- height at or above it: the plan's deposits are then known to be in the escrow. The chain
-- cursor (the last solidified block the watcher applied) is what the plan could see.
-- NULL for batches planned before this migration: any reconciliation that held since the
-- node started covers them.
ALTER TABLE settlement_batches ADD COLUMN planned_height bigint CHECK (planned_height >= -1);
COMMENT ON COLUMN settlement_batches.planned_height IS
    'The chain cursor (last solidified block applied) when the batch was planned; NULL before migration 0007.';
