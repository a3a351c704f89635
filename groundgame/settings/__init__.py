"""Settings: base.py holds what every environment shares; dev, test and production adjust it."""
