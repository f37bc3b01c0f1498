# The EM simulator's implementation; tests/em_simulator/server.py is its command line entry point.
