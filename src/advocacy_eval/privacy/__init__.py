"""Privacy: pseudonymous identifiers, minimum group size and suppression across a release.

- :mod:`~advocacy_eval.privacy.pseudonym`: HMAC-SHA256 pseudonyms with a key kept
  outside the repository and every report.
- :mod:`~advocacy_eval.privacy.suppression`: the minimum group size ``k`` and the
  one rule of primary and secondary suppression (:func:`cells_to_hide`).
"""

from .suppression import (
    ABSOLUTE_MIN_GROUP_SIZE,
    DEFAULT_MIN_GROUP_SIZE,
    cells_to_hide,
    check_min_group_size,
    suppress_small_groups,
)

__all__ = [
    "ABSOLUTE_MIN_GROUP_SIZE",
    "DEFAULT_MIN_GROUP_SIZE",
    "cells_to_hide",
    "check_min_group_size",
    "suppress_small_groups",
]
