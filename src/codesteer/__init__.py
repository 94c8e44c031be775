"""codesteer: steer large language models between textual reasoning and executable code.

Sub-packages, from the bottom up: ``symbench``, ``models`` and ``sandbox`` (leaves), ``steer`` (the loop's
records and checkers), ``methods`` (CodeSteer and the baselines), ``eval``/``synth``/``train`` (runners) and
``cli``.
"""

__version__ = "0.1.0"
