"""Studies on top of the model: replications, sweeps, calibration and verification."""
