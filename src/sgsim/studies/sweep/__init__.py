"""Sweeps: many design points of one base scenario, run with common random numbers.

A sweep file names a base scenario, the parameters to vary by their dotted path in the
scenario, and a design (grid, one-at-a-time, Latin hypercube, Sobol or Morris). Each design
point runs all its replications in one task, on local processes or a Dask cluster; results
are saved as each point finishes, so a killed sweep resumes where it stopped.
"""
