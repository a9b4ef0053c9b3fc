"""Demo data for this app, loaded by `portico demo` on top of the foundation."""

from portico.customers.demo import Foundation


def load(foundation: Foundation) -> None:
    """Nothing yet."""
