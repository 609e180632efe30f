"""`qwenchat batch`: many prompts, sent concurrently from here or through DashScope's Batch service.

inputs (parse and check the input, pure) → plan (request bodies, pure) → a route (`local`:
a pool of workers; `remote`: the Batch service via `service`) → records written by `outfile`.
"""
