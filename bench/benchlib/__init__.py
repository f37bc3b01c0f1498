# Helpers of bench/run.py: simulator control, process measurement, the cases and the report.
