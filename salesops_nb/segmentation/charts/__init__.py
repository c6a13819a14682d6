"""Charts of a segmentation (altair, from aggregated frames only)."""
