"""Segmentations and stratifications: spec, engine, quality, comparison and treatment priorities."""
