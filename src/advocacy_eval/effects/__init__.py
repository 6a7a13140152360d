"""Onboarding effect estimators: staggered difference-in-differences and its diagnostics.

Numbers only: no wording, no formatting. See :mod:`advocacy_eval.effects.onboarding`.
"""

from .onboarding import (
    CONTROLS,
    AnticipationCheck,
    BaconResult,
    HonestBounds,
    OnboardingEffect,
    absorbing_outcome_warning,
    anticipation_check,
    bacon_decomposition,
    estimation_sample,
    honest_bounds,
    onboarding_effect,
    profiles_attributable,
    twfe_estimate,
)

__all__ = [
    "CONTROLS",
    "AnticipationCheck",
    "BaconResult",
    "HonestBounds",
    "OnboardingEffect",
    "absorbing_outcome_warning",
    "anticipation_check",
    "bacon_decomposition",
    "estimation_sample",
    "honest_bounds",
    "onboarding_effect",
    "profiles_attributable",
    "twfe_estimate",
]
