"""`synth view`: a run directory in the browser (server.py), its tables (run_tables.py) and
one row with what explains it (row_details.py)."""
