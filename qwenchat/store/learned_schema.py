"""Schema version 4: facts the catalogue learned from servers (`store.learned_facts`)."""

LEARNED = """
    CREATE TABLE learned_facts (
        model TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        fact TEXT NOT NULL,
        said TEXT NOT NULL,
        time TEXT NOT NULL,
        PRIMARY KEY (model, endpoint, fact)
    );
"""
