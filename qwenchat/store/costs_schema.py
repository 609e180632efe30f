"""Schema version 2: what each turn cost when it was asked, and what batch runs used.

Turn costs are NULL when unknown (a model with no price, or a turn saved before costs were
kept). `billed` = 0 marks the copies `fork` makes, so `qwenchat usage` counts every request once.
"""

COSTS = """
    ALTER TABLE turns ADD COLUMN cached_tokens INTEGER;
    ALTER TABLE turns ADD COLUMN cost REAL;
    ALTER TABLE turns ADD COLUMN currency TEXT;
    ALTER TABLE turns ADD COLUMN cost_estimated INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE turns ADD COLUMN billed INTEGER NOT NULL DEFAULT 1;
    UPDATE turns SET billed = 0 WHERE EXISTS (
        SELECT 1 FROM conversations c JOIN turns o ON o.conversation_id = c.parent_id
        WHERE c.id = turns.conversation_id AND o.time = turns.time AND o.user = turns.user
          AND o.id < turns.id);
    -- batch runs: one row per run and model, costs summed over its requests
    CREATE TABLE batch_usage (
        id INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        name TEXT NOT NULL,  -- the input, or the Batch service's batch id
        engine TEXT NOT NULL,  -- local (real-time prices) or remote (the Batch service's)
        model TEXT NOT NULL,
        region TEXT,
        requests INTEGER NOT NULL,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        cost REAL,
        currency TEXT,
        unpriced INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX batch_usage_by_time ON batch_usage(time);
    -- covers `qwenchat usage`: its reports read this index, not the turns' text
    CREATE INDEX turns_usage ON turns(time, billed, model, region, currency, conversation_id,
        prompt_tokens, completion_tokens, cached_tokens, cost);
    """
