"""Contract suites shipped for adapter authors: subclass one and override its fixture."""

from orderkit.testing.contracts._carrier import CarrierContract

__all__ = ["CarrierContract"]
