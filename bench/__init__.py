"""`make bench`: load Masthead with wrk and report one table of measurements.

Each scenario module returns rows (bench.report.Row); __main__ prints them as
one table and writes bench/results/latest.json.
"""
