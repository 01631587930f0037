-- 0008: every function the node defines names its own search_path (DESIGN §10, issue 20).
-- Without it, a function resolves table names through the caller's search_path, so whoever
-- can create objects in a schema earlier on that path (or a temporary table, pg_temp being
-- searched first by default) could stand in for receipt_batches or channels inside
-- intake_commit_batch. Pinned to the schema the node's tables were migrated into, with
-- pg_temp last. (audit.utf8_or_null pinned its own in 0004.)
DO $pin$
BEGIN
    EXECUTE format(
        'ALTER FUNCTION %I.intake_commit_batch(bigint, bytea, integer, bytea, bytea, bytea, '
        'bytea[], bigint[], bytea[], bigint[], integer[], bytea[], bigint[], bytea[], integer[]) '
        'SET search_path = %I, pg_temp',
        current_schema(), current_schema());
END
$pin$;
