-- 0005: intake's group commit as one server-side function (issue 10, performance).
--
-- A batch used to take seven round trips (BEGIN, the chain check, the batch row, the proof
-- rows, planner settings, the channel updates, COMMIT), each parsed and planned anew. On a
-- busy two-core machine every round trip also waits for the backend to be scheduled, so a
-- 50-proof commit took 3-8 ms, and every proof waits for the commit before its own. Called
-- alone (autocommit) the function is one atomic statement: one round trip, plans cached
-- for the session, and any error below rolls the whole batch back. Nothing about what is
-- stored changes: the same rows, the same checks as before.
--
-- The planner settings are the function's own (SET clauses): one index probe per channel
-- whatever the statistics say; a hash join, or a nested loop over a materialized scan of
-- the table, would cost every channel for each batch.

CREATE FUNCTION intake_commit_batch(
    p_seq bigint, p_prev_hash bytea, p_leaf_count integer, p_root bytea, p_batch_hash bytea,
    p_signature bytea,
    -- every accepted proof of the batch, by leaf
    p_ids bytea[], p_amounts bigint[], p_sigs bytea[], p_received_ms bigint[], p_leaves int[],
    -- the newest proof of each channel in the batch, sorted by channel id (lock order)
    p_latest_ids bytea[], p_latest_amounts bigint[], p_latest_sigs bytea[], p_latest_leaves int[])
RETURNS void
LANGUAGE plpgsql
SET enable_hashjoin = off
SET enable_mergejoin = off
SET enable_seqscan = off
SET enable_material = off
AS $fn$
DECLARE
    stored_prev bytea;
    updated bigint;
BEGIN
    -- The chain of batch headers has no gaps and no forks (DESIGN §3): refuse a batch
    -- whose predecessor is not the one it names.
    IF p_seq > 1 THEN
        SELECT batch_hash INTO stored_prev FROM receipt_batches WHERE seq = p_seq - 1;
        IF stored_prev IS NULL THEN
            RAISE EXCEPTION 'batch %: batch % is missing', p_seq, p_seq - 1;
        END IF;
    ELSE
        stored_prev := decode(repeat('00', 32), 'hex');  -- the first batch names zeros
    END IF;
    IF stored_prev <> p_prev_hash THEN
        RAISE EXCEPTION 'batch %: previous hash does not chain', p_seq;
    END IF;
    INSERT INTO receipt_batches (seq, prev_hash, leaf_count, root, batch_hash, signature)
    VALUES (p_seq, p_prev_hash, p_leaf_count, p_root, p_batch_hash, p_signature);
    INSERT INTO proofs (channel_id, amount, signature, received_at, batch_seq, leaf_index)
    SELECT id, amount, sig, to_timestamp(ms / 1000.0), p_seq, leaf
    FROM unnest(p_ids, p_amounts, p_sigs, p_received_ms, p_leaves) AS u(id, amount, sig, ms, leaf);
    -- Never lowers a stored amount: a mismatch in the row count is the node's bug, and the
    -- whole batch is refused rather than committed half-right.
    UPDATE channels c
    SET accepted = u.amount, accepted_signature = u.sig, accepted_batch_seq = p_seq,
        accepted_leaf = u.leaf, updated_at = now()
    FROM unnest(p_latest_ids, p_latest_amounts, p_latest_sigs, p_latest_leaves)
        AS u(id, amount, sig, leaf)
    WHERE c.channel_id = u.id AND c.accepted < u.amount AND c.state + 0 IN (1, 2);
    GET DIAGNOSTICS updated = ROW_COUNT;
    IF updated <> coalesce(cardinality(p_latest_ids), 0) THEN
        RAISE EXCEPTION 'batch %: % of % channels updated (unknown, closed or not increasing)',
            p_seq, updated, coalesce(cardinality(p_latest_ids), 0);
    END IF;
END;
$fn$;

-- The node's database user owns and calls it; nobody else (an auditor has no business
-- writing, and would lack the table rights anyway).
REVOKE EXECUTE ON FUNCTION intake_commit_batch(bigint, bytea, integer, bytea, bytea, bytea,
    bytea[], bigint[], bytea[], bigint[], int[], bytea[], bigint[], bytea[], int[]) FROM PUBLIC;
