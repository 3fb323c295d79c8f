"""The rules of the product: jobs (and later schedules, sweeps, notebook instances)."""
