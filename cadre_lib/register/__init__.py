"""Register: the data contract, reading files, validation, the unit tree and the sample generator."""
