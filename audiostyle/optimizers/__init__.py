"""Optimizers that minimise a closure over one tensor."""
