"""Indicators: the registry of definitions, the engine that computes them, and data-quality checks."""
