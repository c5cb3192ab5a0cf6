"""The kernel every layer may import: typed settings, the error hierarchy, logging, ids and time."""
