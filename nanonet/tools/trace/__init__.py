"""trace: watch one forward and one backward pass, number by number.

`trace` runs the pass and returns a `Trace`: the numbers as data, as text
tables and as HTML; each parameter's gradient written out with the chain
rule (a `ChainRule`); and `Trace.check`, which grades a chain-rule product
worked out by hand (a `Check`).
"""

from .chain import ChainRule
from .check import Check
from .engine import trace
from .record import Trace

__all__ = ["ChainRule", "Check", "Trace", "trace"]
