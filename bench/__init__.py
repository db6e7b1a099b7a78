"""OpsFlow benchmarks: `make bench` runs `bench/run.py`, which prints one table per section.

Each section is a small module with a function returning rows (`steps.measure`, `tasklist.measure`,
`state_size.measure`) and a function turning them into a `report.Table` with its targets.
"""
