"""CodeSteer and the paper's baselines behind one interface, registered by name."""

from codesteer.methods import _all  # noqa: F401  (registers every method)
from codesteer.methods._all import read_estimate
from codesteer.methods._base import Method, get_method, methods, register

METHOD_NAMES = [m.name for m in methods()]

__all__ = ["METHOD_NAMES", "Method", "get_method", "methods", "read_estimate", "register"]
