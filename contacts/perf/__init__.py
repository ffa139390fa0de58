"""The benchmark: data at scale, the registry of pages and the measurements.

It lives in `contacts` because it needs both apps and only `contacts` may
import `connections`. `seed` builds the data, `pages` declares what is
measured, `runner` measures in-process, `http` under load, `plans` reads the
SQL plans, `report` prints the table and writes `bench/results.json`.
"""
