"""Onboarding effect estimators: staggered difference-in-differences and its diagnostics.

Numbers only: no wording, no formatting. See :mod:`advocacy_eval.effects.onboarding`.
"""

from .onboarding import (
    AnticipationCheck,
    BaconResult,
    HonestBounds,
    CONTROLS,
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
    "AnticipationCheck",
    "BaconResult",
    "HonestBounds",
    "CONTROLS",
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
