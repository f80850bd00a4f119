"""Feature networks: frozen, seeded random CNNs."""
