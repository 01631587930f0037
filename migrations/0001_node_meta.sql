-- 0001: facts about the node that this database belongs to (escrow address, token id,
-- chain), written once at first start so a node can refuse to run against a database
-- made for another escrow. Forward only: never edit this file once applied; add 0002.
CREATE TABLE node_meta (
    key        text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]*$'),
    value      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
