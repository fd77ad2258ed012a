"""Reports: what a researcher submits, how it is stored and how it moves."""
