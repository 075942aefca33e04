"""Benchmarks and their synthetic data generators, apart from the domain apps: `greentech bench NAME`.

`registry` holds the runs (`register`, found by `discover()`, which only the `bench` command calls, so web
workers never import this package); one module per run: `classify`, `market` (with its sections), `match`
(its own run and the `match` section of `market`), `patents`; `synthetic.market` and `synthetic.patents` write
the synthetic corpora (`greentech patents generate` imports the latter when it runs).
"""
