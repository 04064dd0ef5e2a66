"""Tools built on the contract only: gradcheck, trace, draw, History and summary.

They see a model through `nanonet.Layer`'s methods (forward, backward,
parameters), so they work for your own layers exactly as for nanonet's.
"""

from .draw import Drawing, draw
from .gradcheck import GradcheckError, gradcheck
from .history import History, TrainingWarning
from .summary import Summary, summary
from .trace import ChainRule, Check, Trace, trace

__all__ = [
    "ChainRule",
    "Check",
    "Drawing",
    "GradcheckError",
    "History",
    "Summary",
    "Trace",
    "TrainingWarning",
    "draw",
    "gradcheck",
    "summary",
    "trace",
]
