"""Synthetic advocacy programme with known ground truth.

This module simulates a realistic *employee advocacy* programme of a French
regional bank, in the four canonical tables of :mod:`advocacy_eval.schema`
(``waves``, ``employees``, ``posts``, ``activity``), together with the
**true** (population-level, expected) values of the headline metrics. It is
used

* to build the committed sample data ``data/sample/`` (:func:`write_sample`),
* by simulation tests that check that estimators recover the truth with
  calibrated intervals (:func:`generate_programme`, one default programme in
  well under 0.5 s: fully vectorised, loops only over waves and months; the
  first programme of a parameter set also runs the cached Monte Carlo of the
  per-post and claim truths, about 1-2 s).

Generation is deterministic: one ``numpy.random.default_rng(seed)`` stream
for every column but ``employees.trained_on``, which has its own stream
``default_rng([seed, 101])`` (adding it changed no other value); a fixed
calendar (``start`` never defaults to today) and a fixed sort order, so the
written files are byte-identical for the same parameters.

The calendar can also be given by its last month: :meth:`SampleParameters.ending`
(or the ``end`` argument of :func:`generate_programme` and :func:`write_sample`)
sets ``start = end - n_months + 1``; the ``advocacy-eval sample`` command does so,
with ``--end`` defaulting to :func:`last_full_month` (the last full month before
today, UTC) so that its data is never in the future. Every date the generator
writes (``published_at``, activity months, ``enrolled_on``, ``trained_on``,
``left_on``, ``profile_created_on``, the waves' ``start_date`` / ``end_date``)
lies inside the window, i.e. on or before the last day of its last month.

Data-generating process (defaults in brackets, see :class:`SampleParameters`)
------------------------------------------------------------------------------
*Population.* ``n_employees`` [2000] eligible employees ``E0001``...,
with unequal departments and regions, a latent LinkedIn activity
``u_i ~ Normal(-s^2/2, s)`` (``s = posting_heterogeneity`` [1.0], so that
``E[exp(u_i)] = 1``), a reach effect ``a_i`` (lognormal, mean exactly 1,
``author_reach_log_sd`` [0.5]) and a corporate-content propensity
``pi_i ~ Beta`` with mean ``employee_corporate_share`` [0.20]. The three are
independent of each other and of the audience.

*Profiles.* A share ``no_profile_share`` [0.28] has no LinkedIn profile on
``start``; the others have a ``profile_created_on`` before ``start``.
Without the programme, a profile is created at a constant daily hazard
(``background_profile_rate`` [1 %/month]). A volunteer still without profile
on enrolment creates one, with probability ``onboarding_profile_prob`` [0.8],
on a day drawn uniformly in the ``onboarding_profile_days`` [90] days after
enrolment (whichever of the two creation times comes first). A profile created
on or after ``left_on`` (or after the window) is not recorded.

*Waves and self-selection.* Wave ``w`` opens on the first day of month
``wave_start_months[w]`` [6, 11, 16: July 2024, December 2024, May 2025] for
``enrolment_window_days`` [28] days. Exactly
``round(wave_volunteer_shares[w] * n_employees)`` [150, 250, 300] volunteers
are drawn without replacement among employees not yet enrolled and still
employed at the end of the window, with weights
``exp(selection_strength * u_i)`` [1.0], times ``no_profile_volunteer_odds``
[0.5] for employees without profile: volunteers are the already active ones.
``enrolled_on`` is the window start plus ``floor(Beta(1, enrolment_skew) *
window)`` days (front-loaded).

*Attrition.* Exponential time to leaving with annual probability
``annual_attrition`` [0.07]; ``left_on`` is recorded when inside the window.
An employee is active on days ``< left_on``; activity rows stop with the month
holding ``left_on``.

*Posting.* In month ``t`` employee ``i`` posts ``Poisson(lambda_it)`` times,
``lambda_it = base_post_rate * exp(u_i) * (f_pre + m(k) * f_post)`` where
``f_pre`` / ``f_post`` are the shares of the month's days with a profile,
still employed, and before / on-or-after ``enrolled_on``, and ``m(k)`` is the
onboarding multiplier at event time ``k`` (months since the enrolment month):
``constant``: ``m = onboarding_multiplier`` [3]; ``ramp`` (default):
``1 + (M - 1) * min(1, (k + 1) / ramp_months)`` [3 months];
``fade``: ``1 + (M - 1) * exp(-k / fade_months)``. Each post is published on a
uniform day of its segment, between 07:00 and 19:00. With anticipation
(``anticipation_months = A > 0``; off by default, and then nothing changes)
a volunteer's rate before enrolment is also multiplied by
``anticipation_multiplier`` [1.5] in the ``A`` months before the enrolment
month and on the days of the enrolment month before ``enrolled_on``.

*Audience.* Connections + followers: lognormal with median
``audience_median`` [400] and log-sd ``audience_log_sd`` [1.0] for existing
profiles, ``new_profile_audience_median`` [30] for new ones; each month it
grows by ``Poisson((follower_growth_rate * A + follower_growth_base) *
(f_pre + g(k) * f_post))`` with ``g`` the same dynamic profile applied to
``onboarding_follower_multiplier`` [2]. A post's ``audience_size`` is the
author's audience at the start of the month (at creation for a new profile).

*Reach.* ``members_reached ~ Poisson(employee_reach_rate * a_i * e_p *
audience_size)`` capped at ``audience_size``, with ``e_p ~ Gamma(shape =
employee_dispersion, mean 1)`` [2]; impressions add
``Poisson(members * (r_p - 1))`` extra views, ``r_p ~ U(1.3, 1.6)``;
reactions, comments, reposts, clicks and follows are binomial draws on the
impressions (post-level Gamma(2) engagement factor). Content is corporate
with probability ``pi_i``; posts published after enrolment are ``suggested``
with probability 0.7 (corporate) / 0.15 (non corporate), otherwise ``own``.

*Company page* (``author_id = "company-page"``): ``Poisson(page_posts_per_month)``
[12] posts a month, ``page_followers`` [25,000] followers growing by
``page_follower_growth`` [0.6 %/month], ``members_reached ~ Poisson(
page_reach_rate * e_p * followers)`` with ``e_p ~ Gamma(page_dispersion
[4], mean 1)``, corporate with probability ``page_corporate_share`` [0.6].

*Programme sessions* (``trained_on``, own stream). A volunteer attended an
information or training session with probability ``volunteer_training_prob``
[0.85], on a uniform day of the ``0..training_lead_days`` [42] days before
``enrolled_on``; a never-enrolled employee still employed on the programme
start (the first wave's start date) attends one with probability
``non_volunteer_training_prob`` [0.25], on a uniform day of the days employed
from the programme start to the end of the window.

*Exported tables.* ``posts`` holds every company post and only the employee
posts published on or after their author's ``enrolled_on`` (what an advocacy
platform exports). ``activity`` aggregates *all* latent posts of every
employee by calendar month while employed: ``members_reached`` is the **sum
of the posts' unique members** (an upper bound of the month's unique members,
accepted here for simplicity), ``engagements = reactions + comments + reposts
+ clicks``, ``followers`` the audience at the end of the month (0 without
profile) and ``has_profile`` the profile status at the end of the month. For
an enrolled employee, activity equals the sums of ``posts`` in every month
after the enrolment month; in the enrolment month, activity also counts the
posts published before ``enrolled_on``.

Ground truth (:attr:`SampleProgramme.truth`)
--------------------------------------------
``page_reach_rate``, ``employee_reach_rate``, ``amplification_ratio``
    Estimands of the ratio-of-sums reach rate ``sum(members_reached) /
    sum(audience_size)`` over company / employee posts, and their ratio.
    ``E[members_reached | audience] = rate * audience`` because ``a_i`` and
    ``e_p`` have mean 1 and are independent of the audience; the cap at the
    audience is negligible (realised share of reach lost to the cap in
    ``diagnostics``: no post is capped and the expected loss is below 1e-8
    of the reach with the defaults).
``reach_per_post_ratio``, ``engagement_per_post_ratio``, ``engagement_rate_ratio``, ``post_means``
    Population values (the same for every seed) of the ratio of means per
    post, employee posts after enrolment / page posts, of members reached and
    of engagements (reactions + comments + reposts + clicks), and of the
    ratio-of-sums engagement rate; ``post_means`` holds each side's expected
    means per post. ``E[members] = rate * E[audience]``, ``E[impressions] =
    1.45 * E[members]``, ``E[engagements] = c * E[impressions]`` with ``c`` the
    mean engagement probability (closed form, :func:`_mean_capped_rate`); the
    page's expected audience per post is closed form, the employees' comes
    from a Rao-Blackwellised Monte Carlo of this generator's code path with a
    fixed seed (:func:`_employee_audience_per_post`, cached; its precision in
    ``diagnostics.per_post_monte_carlo``).
``corporate_share_employees``, ``corporate_share_page``
    Expected share of corporate posts (post-weighted) among employee posts
    and page posts (``pi_i`` is independent of posting frequency).
``participation``
    ``after_enrolment[w]``: mean of ``1 - exp(-lambda_it)`` over the cells
    (volunteer of wave ``w``, calendar month strictly after the enrolment
    month, activity row with ``has_profile``), i.e. the probability of posting
    at least once in such a month; ``before_enrolment[w]``: same for months
    strictly before the enrolment month; ``overall`` pools the waves;
    ``never_enrolled``: same for all cells of employees who never enrolled;
    ``enrolled_person_months[w]``: probability that an enrolled person-month
    (every activity row of a volunteer from the enrolment month on, with or
    without profile) holds at least one *exported* post, i.e. the estimand of
    "active person-months / enrolled person-months" computed from ``posts``.
``posting``
    Mean latent monthly rate ``lambda_it`` over the same cells (self-selection:
    volunteers' rate before enrolment exceeds the never-enrolled rate).
``profiles``
    ``without_profile_at_start``; per wave the number of volunteers without a
    profile on enrolment, ``expected_created_by_onboarding`` (causal: sum over
    them of P(recorded profile | onboarded) - P(recorded profile | not
    onboarded)), ``expected_created_without_onboarding`` and the realised
    number created on or after enrolment.
``onboarding_effect``
    ATT of onboarding on monthly ``posts`` (and on followers gained), per wave
    and event time ``k`` (months since the enrolment month, ``"0"``...):
    mean over the cells (volunteer of the wave, month enrolment + k, activity
    row with ``has_profile``) of ``lambda(treated) - lambda(untreated)`` from
    the realised latent rates and exposures (direct effect, holding profile
    status and audience fixed), with the number of cells ``n``; ``by_wave``
    averages all post-enrolment cells of a wave, ``overall`` all waves. With
    anticipation, ``posts.anticipation`` holds the effects in the months
    before the enrolment month (``by_wave_event_time[w]["-1"]``...).
``waves``
    Volunteers, window dates and enrolment month of each wave.
``staff_reached_share``
    Realised share of the eligible staff touched from the programme start
    (first wave's start date) to the data's end (``overall``) and to each
    wave's end date (``by_wave``), with the definition of
    :func:`advocacy_eval.metrics.staff_reached` (which reproduces it on the
    tables); ``counts`` holds the counts behind each share and ``expected`` the
    expectation over the session draws given every other column.
``claims``
    The estimands of the claim metrics exactly as
    :mod:`advocacy_eval.analyses.measures` measures them, as population values
    (the same for every seed): ``programme[metric]`` and
    ``by_wave[w][metric]`` for ``amplification``, ``reach_per_post_ratio``,
    ``engagement_per_post_ratio``, ``engagement_rate_ratio``,
    ``corporate_share``, ``monthly_participation`` and ``effect_posts``
    (:data:`CLAIM_TRUTH_METRICS`). Volunteers' posts count from their own
    enrolment and the page's from the population's first enrolment date (the
    wave's start; the first wave's for the programme), so the per-post ratios
    use the page's expected audience over that window (closed form,
    ``audience_per_post``) rather than over every month as the top-level
    ``reach_per_post_ratio`` does; ``monthly_participation`` (enrolled
    person-months with an exported post) and ``effect_posts`` (total effect of
    enrolling on monthly posts over the volunteers the Callaway & Sant'Anna
    estimator uses: never left, months from the enrolment month on, profile
    creation by onboarding included) are ratios of expected sums over whole
    programmes from the same Monte Carlo as the per-post truths
    (:func:`_population_monte_carlo`; precision in ``monte_carlo``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from advocacy_eval.schema import COLUMNS

__all__ = [
    "CLAIM_TRUTH_METRICS",
    "EFFECT_DYNAMICS",
    "PAGE_ID",
    "SAMPLE_COLUMNS",
    "SAMPLE_FILES",
    "SampleParameters",
    "SampleProgramme",
    "generate_programme",
    "last_full_month",
    "resolve_end",
    "start_for_end",
    "write_sample",
]

EFFECT_DYNAMICS: tuple[str, ...] = ("constant", "ramp", "fade")
"""Allowed values of :attr:`SampleParameters.effect_dynamics`."""

PAGE_ID = "company-page"
"""``author_id`` of the company page's posts."""

SAMPLE_FILES: tuple[str, ...] = (
    "waves.csv",
    "employees.csv",
    "posts.csv",
    "activity.csv",
    "truth.json",
)
"""Files written by :func:`write_sample`."""

_NOT_GENERATED: dict[str, tuple[str, ...]] = {"waves": ("name_en",)}
"""Optional canonical columns the generator leaves out (reports then use the wave's ``name``)."""

SAMPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    table: tuple(c.name for c in cols if c.name not in _NOT_GENERATED.get(table, ()))
    for table, cols in COLUMNS.items()
}
"""Columns of each generated table, in canonical order: every canonical column but :data:`_NOT_GENERATED`."""

_ANTICIPATION_FIELDS: tuple[str, ...] = ("anticipation_months", "anticipation_multiplier")
"""Parameters of the anticipation option, written to ``truth.json`` only when it is on."""

_DAYS_PER_MONTH = 365.25 / 12.0
_NEVER = np.int64(10**9)  # sentinel day number: "never happens"
_DAY_SECONDS = 86_400


@dataclass(frozen=True)
class SampleParameters:
    """Parameters of the synthetic programme (defaults: a French regional bank).

    Sequences may be given as lists; they are stored as tuples.

    Attributes
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the only source of randomness.
    n_employees : int
        Number of eligible employees (the roster).
    n_months : int
        Length of the observation window in calendar months.
    start : str
        First day of the window, ``YYYY-MM-DD``; must be a first of month.
        Fixed (never today's date) so regeneration is bit-for-bit. To give the
        window by its last month instead, use :meth:`ending`; the last month is
        :attr:`end`.
    departments, department_weights : tuple
        Department names and their (unnormalised) sizes.
    regions, region_weights : tuple
        Region names and their (unnormalised) sizes.
    wave_start_months : tuple of int
        Month offsets (0 = ``start``'s month) on whose first day each wave
        opens; increasing. Defaults to July 2024, December 2024, May 2025.
    wave_names : tuple of str
        Readable wave names (one per wave).
    wave_names_fr : tuple of str
        Their names in French reports (the waves table's ``name_fr``); empty: none.
    wave_volunteer_shares : tuple of float
        Volunteers of each wave as a share of ``n_employees`` (exact counts
        ``round(share * n_employees)``, capped by the eligible employees).
    enrolment_window_days : int
        Length of each wave's enrolment window (``end_date = start_date +
        days - 1``).
    enrolment_skew : float
        ``b`` of the ``Beta(1, b)`` distribution of the enrolment day within
        the window (1 = uniform, larger = more enrolments at kick-off).
    selection_strength : float
        Self-selection: volunteering weight ``exp(selection_strength * u_i)``
        where ``u_i`` is the latent posting activity (0 = no self-selection).
    no_profile_volunteer_odds : float
        Multiplier of the volunteering weight of employees without profile.
    posting_heterogeneity : float
        Standard deviation ``s`` of ``u_i ~ Normal(-s^2/2, s)`` (mean of
        ``exp(u_i)`` is 1).
    base_post_rate : float
        Mean monthly posts of an employee with a profile, without the
        programme (population mean of ``base_post_rate * exp(u_i)``).
    onboarding_multiplier : float
        Multiplier ``M`` of the posting rate after enrolment (full effect).
    effect_dynamics : str
        Dynamic profile of the effects: ``"constant"``, ``"ramp"`` (linear
        rise to the full effect over ``ramp_months``) or ``"fade"``
        (exponential decay of the excess with time constant ``fade_months``).
    ramp_months : int
        Months to reach the full effect with ``"ramp"`` (event time ``k``
        gets ``min(1, (k + 1) / ramp_months)`` of the excess).
    fade_months : float
        Time constant of ``"fade"``: excess ``(M - 1) * exp(-k / fade_months)``.
    no_profile_share : float
        Share of employees without a LinkedIn profile on ``start``.
    profile_history_start : str
        Earliest creation date of the profiles existing on ``start``
        (uniform between it and the day before ``start``).
    background_profile_rate : float
        Monthly probability of creating a profile without the programme.
    onboarding_profile_prob : float
        Probability that a volunteer without profile creates one thanks to
        onboarding.
    onboarding_profile_days : int
        Onboarding profile creation is uniform over this many days from
        ``enrolled_on``.
    audience_median, audience_log_sd : float
        Lognormal audience (connections + followers) of existing profiles.
    new_profile_audience_median, new_profile_audience_log_sd : float
        Lognormal initial audience of profiles created during the window.
    follower_growth_rate : float
        Expected monthly audience growth as a share of the audience.
    follower_growth_base : float
        Expected monthly audience growth independent of its size (people).
    onboarding_follower_multiplier : float
        Multiplier of the monthly audience growth after enrolment (full
        effect; same dynamic profile as posts).
    employee_reach_rate : float
        Expected members reached per audience member of an employee post.
    author_reach_log_sd : float
        Log-sd of the author reach effect (lognormal with mean exactly 1).
    employee_dispersion : float
        Gamma shape of the post-level reach factor (mean 1) of employee posts;
        smaller = more over-dispersed.
    impressions_per_member : tuple of float
        ``(low, high)`` of the uniform impressions-per-member ratio.
    employee_corporate_share : float
        Mean of the authors' Beta corporate-content propensity.
    corporate_share_concentration : float
        ``alpha + beta`` of that Beta (smaller = authors differ more).
    suggested_prob_corporate, suggested_prob_non_corporate : float
        Probability that a post published after enrolment comes from the
        programme's content library, by content type.
    corporate_themes, non_corporate_themes : tuple of str
        Editorial themes (uniform) of corporate / non corporate content.
    employee_engagement_rates, page_engagement_rates : tuple of float
        Per-impression probabilities of reactions, comments, reposts, clicks
        and follows (``ENGAGEMENT_TERMS`` order).
    engagement_dispersion : float
        Gamma shape (mean 1) of the post-level engagement factor.
    page_posts_per_month : float
        Expected company page posts per month (Poisson).
    page_followers : int
        Company page followers on ``start``.
    page_follower_growth : float
        Expected monthly growth rate of the page followers.
    page_reach_rate : float
        Expected members reached per follower of a page post.
    page_dispersion : float
        Gamma shape of the page's post-level reach factor (mean 1); e.g. 0.5
        gives a strongly over-dispersed page.
    page_corporate_share : float
        Probability that a page post is corporate.
    annual_attrition : float
        Probability of leaving within a year (constant hazard).
    volunteer_training_prob : float
        Probability that a volunteer attended a programme session
        (``trained_on``) before enrolling.
    training_lead_days : int
        A volunteer's session is on a uniform day of the ``0..training_lead_days``
        days before ``enrolled_on`` (42: 0-6 weeks).
    non_volunteer_training_prob : float
        Probability that a never-enrolled employee still employed on the
        programme start (the first wave's ``start_date``) attends one session,
        on a uniform day of the days employed from the programme start to
        the end of the window.
    anticipation_months : int
        Months before the enrolment month in which volunteers already react
        (briefed or trained ahead of their wave): 0 (default) = none, and then
        nothing of the output changes. With ``A > 0`` a volunteer's posting
        rate is multiplied by ``anticipation_multiplier`` in the ``A``
        calendar months before the enrolment month and on the days of the
        enrolment month before ``enrolled_on``. Those posts are in
        ``activity`` only (the platform exports posts from enrolment on).
    anticipation_multiplier : float
        The lift of the posting rate in the anticipation months (1.5 = +50%).
        Recorded in ``truth.json`` only when ``anticipation_months > 0``.
    """

    seed: int = 20240101
    n_employees: int = 2000
    n_months: int = 24
    start: str = "2024-01-01"
    departments: tuple[str, ...] = (
        "Retail banking",
        "Corporate banking",
        "Wealth management",
        "Risk & compliance",
        "IT",
        "Operations",
        "HR",
        "Marketing & communication",
    )
    department_weights: tuple[float, ...] = (0.38, 0.12, 0.08, 0.09, 0.12, 0.13, 0.04, 0.04)
    regions: tuple[str, ...] = (
        "Île-de-France",
        "Auvergne-Rhône-Alpes",
        "Nouvelle-Aquitaine",
        "Occitanie",
        "Hauts-de-France",
        "Grand Est",
    )
    region_weights: tuple[float, ...] = (0.30, 0.20, 0.15, 0.13, 0.12, 0.10)
    wave_start_months: tuple[int, ...] = (6, 11, 16)
    wave_names: tuple[str, ...] = (
        "Wave 1 — pilot",
        "Wave 2 — extension",
        "Wave 3 — general roll-out",
    )
    wave_names_fr: tuple[str, ...] = (
        "Vague 1 — pilote",
        "Vague 2 — extension",
        "Vague 3 — déploiement général",
    )
    wave_volunteer_shares: tuple[float, ...] = (0.075, 0.125, 0.15)
    enrolment_window_days: int = 28
    enrolment_skew: float = 3.0
    selection_strength: float = 1.0
    no_profile_volunteer_odds: float = 0.5
    posting_heterogeneity: float = 1.0
    base_post_rate: float = 0.3
    onboarding_multiplier: float = 3.0
    effect_dynamics: str = "ramp"
    ramp_months: int = 3
    fade_months: float = 6.0
    no_profile_share: float = 0.28
    profile_history_start: str = "2008-01-01"
    background_profile_rate: float = 0.01
    onboarding_profile_prob: float = 0.8
    onboarding_profile_days: int = 90
    audience_median: float = 400.0
    audience_log_sd: float = 1.0
    new_profile_audience_median: float = 30.0
    new_profile_audience_log_sd: float = 0.7
    follower_growth_rate: float = 0.01
    follower_growth_base: float = 2.0
    onboarding_follower_multiplier: float = 2.0
    employee_reach_rate: float = 0.035
    author_reach_log_sd: float = 0.5
    employee_dispersion: float = 2.0
    impressions_per_member: tuple[float, float] = (1.3, 1.6)
    employee_corporate_share: float = 0.20
    corporate_share_concentration: float = 5.0
    suggested_prob_corporate: float = 0.7
    suggested_prob_non_corporate: float = 0.15
    corporate_themes: tuple[str, ...] = ("expertise", "offers", "projects", "values")
    non_corporate_themes: tuple[str, ...] = (
        "industry news",
        "careers",
        "community",
        "personal milestones",
    )
    employee_engagement_rates: tuple[float, ...] = (0.03, 0.004, 0.002, 0.012, 0.0015)
    page_engagement_rates: tuple[float, ...] = (0.012, 0.0008, 0.0008, 0.008, 0.0006)
    engagement_dispersion: float = 2.0
    page_posts_per_month: float = 12.0
    page_followers: int = 25_000
    page_follower_growth: float = 0.006
    page_reach_rate: float = 0.009
    page_dispersion: float = 4.0
    page_corporate_share: float = 0.6
    annual_attrition: float = 0.07
    volunteer_training_prob: float = 0.85
    training_lead_days: int = 42
    non_volunteer_training_prob: float = 0.25
    anticipation_months: int = 0
    anticipation_multiplier: float = 1.5

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):
                object.__setattr__(self, f.name, tuple(value))
        self._validate()

    def _validate(self) -> None:
        def fail(msg: str) -> None:
            raise ValueError(f"SampleParameters: {msg}")

        if self.n_employees < 1:
            fail("n_employees must be >= 1")
        if self.n_months < 1:
            fail("n_months must be >= 1")
        try:
            start = np.datetime64(self.start, "D")
        except ValueError:
            fail(f"start must be YYYY-MM-DD, got {self.start!r}")
        if start != np.datetime64(self.start[:7], "M").astype("datetime64[D]"):
            fail("start must be the first day of a month")
        if np.datetime64(self.profile_history_start, "D") >= start:
            fail("profile_history_start must be before start")
        if len(self.departments) != len(self.department_weights) or not self.departments:
            fail("departments and department_weights must have the same non-zero length")
        if len(self.regions) != len(self.region_weights) or not self.regions:
            fail("regions and region_weights must have the same non-zero length")
        if min(self.department_weights) < 0 or min(self.region_weights) < 0:
            fail("weights must be >= 0")
        n_waves = len(self.wave_start_months)
        if (
            n_waves < 1
            or len(self.wave_names) != n_waves
            or len(self.wave_volunteer_shares) != n_waves
        ):
            fail(
                "wave_start_months, wave_names and wave_volunteer_shares must have the same non-zero length"
            )
        if self.wave_names_fr and len(self.wave_names_fr) != n_waves:
            fail("wave_names_fr must be empty or have one name per wave")
        if (
            list(self.wave_start_months) != sorted(set(self.wave_start_months))
            or self.wave_start_months[0] < 0
        ):
            fail("wave_start_months must be strictly increasing and >= 0")
        if not 1 <= self.enrolment_window_days <= 366:
            fail("enrolment_window_days must be in [1, 366]")
        last_end = (np.datetime64(self.start[:7], "M") + int(self.wave_start_months[-1])).astype(
            "datetime64[D]"
        ) + (self.enrolment_window_days - 1)
        window_end = (np.datetime64(self.start[:7], "M") + self.n_months).astype("datetime64[D]")
        if last_end >= window_end:
            needed = (
                int(
                    (last_end.astype("datetime64[M]") - np.datetime64(self.start[:7], "M")).astype(
                        int
                    )
                )
                + 1
            )
            fail(
                f"every wave's enrolment window must end inside the observation window: with "
                f"wave_start_months {list(self.wave_start_months)} the last window ends in month {needed} "
                f"of the data, so n_months must be >= {needed} (got {self.n_months})"
            )
        if any(not 0 <= s <= 1 for s in self.wave_volunteer_shares):
            fail("wave_volunteer_shares must be in [0, 1]")
        if self.effect_dynamics not in EFFECT_DYNAMICS:
            fail(f"effect_dynamics must be one of {EFFECT_DYNAMICS}, got {self.effect_dynamics!r}")
        if self.ramp_months < 1 or self.fade_months <= 0:
            fail("ramp_months must be >= 1 and fade_months > 0")
        for name in (
            "no_profile_share",
            "background_profile_rate",
            "onboarding_profile_prob",
            "employee_corporate_share",
            "suggested_prob_corporate",
            "suggested_prob_non_corporate",
            "page_corporate_share",
            "volunteer_training_prob",
            "non_volunteer_training_prob",
        ):
            if not 0 <= getattr(self, name) <= 1:
                fail(f"{name} must be in [0, 1]")
        if not 0 <= self.annual_attrition < 1 or self.background_profile_rate >= 1:
            fail("annual_attrition and background_profile_rate must be < 1")
        for name in (
            "enrolment_skew",
            "no_profile_volunteer_odds",
            "base_post_rate",
            "onboarding_multiplier",
            "audience_median",
            "new_profile_audience_median",
            "onboarding_follower_multiplier",
            "employee_reach_rate",
            "employee_dispersion",
            "corporate_share_concentration",
            "engagement_dispersion",
            "page_posts_per_month",
            "page_followers",
            "page_reach_rate",
            "page_dispersion",
            "onboarding_profile_days",
        ):
            if not getattr(self, name) > 0:
                fail(f"{name} must be > 0")
        for name in (
            "posting_heterogeneity",
            "audience_log_sd",
            "new_profile_audience_log_sd",
            "author_reach_log_sd",
            "follower_growth_rate",
            "follower_growth_base",
            "page_follower_growth",
        ):
            if getattr(self, name) < 0:
                fail(f"{name} must be >= 0")
        if not 0 < self.employee_corporate_share < 1:
            fail("employee_corporate_share must be strictly between 0 and 1")
        lo, hi = self.impressions_per_member
        if not 1 <= lo <= hi:
            fail("impressions_per_member must satisfy 1 <= low <= high")
        for name in ("employee_engagement_rates", "page_engagement_rates"):
            rates = getattr(self, name)
            if len(rates) != 5 or any(not 0 <= r <= 1 for r in rates):
                fail(f"{name} must hold 5 probabilities")
        if not self.corporate_themes or not self.non_corporate_themes:
            fail("theme lists must not be empty")
        if self.training_lead_days < 0:
            fail("training_lead_days must be >= 0")
        if (
            isinstance(self.anticipation_months, bool)
            or int(self.anticipation_months) != self.anticipation_months
            or self.anticipation_months < 0
        ):
            fail("anticipation_months must be an integer >= 0")
        if not self.anticipation_multiplier > 0:
            fail("anticipation_multiplier must be > 0")

    @property
    def end(self) -> str:
        """Last month of the window, ``YYYY-MM`` (inclusive): ``start``'s month plus ``n_months - 1``."""
        return str(np.datetime64(self.start[:7], "M") + (self.n_months - 1))

    @classmethod
    def ending(cls, end: str, **fields: Any) -> SampleParameters:
        """Parameters whose window ends with the month ``end`` (inclusive).

        ``start`` is derived as the first day of ``end - n_months + 1``
        (:func:`start_for_end`); ``wave_start_months`` stay offsets from it.

        Parameters
        ----------
        end : str
            Last month of data, ``YYYY-MM``.
        **fields
            Other fields of :class:`SampleParameters` (not ``start``), e.g.
            ``n_months=36`` or ``seed=7``.

        Returns
        -------
        SampleParameters

        Raises
        ------
        TypeError
            If ``start`` is also given.
        ValueError
            If ``end`` is not ``YYYY-MM`` or the parameters are inconsistent.

        Examples
        --------
        >>> p = SampleParameters.ending("2025-12")
        >>> p.start, p.end
        ('2024-01-01', '2025-12')
        >>> SampleParameters.ending("2026-10", n_months=36).start
        '2023-11-01'
        """
        if "start" in fields:
            raise TypeError("give either end or start, not both")
        n_months = fields.get("n_months", cls.n_months)
        return cls(start=start_for_end(end, n_months), **fields)

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as a JSON-serialisable dict (tuples as lists).

        The anticipation parameters are left out while anticipation is off
        (``anticipation_months == 0``, the default), so that the committed
        sample's ``truth.json`` stays byte-identical; ``SampleParameters(**d)``
        gives the same parameters back either way.
        """
        off = self.anticipation_months == 0
        return {
            f.name: _jsonable(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if not (off and f.name in _ANTICIPATION_FIELDS)
        }


@dataclass
class SampleProgramme:
    """A generated programme: canonical tables plus its ground truth.

    Attributes
    ----------
    waves, employees, posts, activity : pandas.DataFrame
        Canonical tables with exactly the columns of
        :data:`advocacy_eval.schema.COLUMNS`, in that order.
    parameters : SampleParameters
        Parameters that generated the tables.
    truth : dict
        JSON-serialisable nested dict of the true values of the headline
        metrics (see the module docstring and ``docs/sample.md``).
    """

    waves: pd.DataFrame
    employees: pd.DataFrame
    posts: pd.DataFrame
    activity: pd.DataFrame
    parameters: SampleParameters
    truth: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the four tables by canonical name."""
        return {
            "waves": self.waves,
            "employees": self.employees,
            "posts": self.posts,
            "activity": self.activity,
        }


# ----------------------------------------------------------------------------- calendar

_MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _parse_month(text: str, what: str = "end") -> np.datetime64:
    """``YYYY-MM`` as a ``numpy.datetime64[M]``; ``ValueError`` with one clear line otherwise."""
    if not isinstance(text, str) or not _MONTH_RE.fullmatch(text):
        raise ValueError(f"{what} must be a month YYYY-MM (e.g. 2025-12), got {text!r}")
    return np.datetime64(text, "M")


def start_for_end(end: str, n_months: int) -> str:
    """First day of a window of ``n_months`` calendar months whose last month is ``end``.

    Parameters
    ----------
    end : str
        Last month of the window (inclusive), ``YYYY-MM``.
    n_months : int
        Length of the window in months, ``>= 1``.

    Returns
    -------
    str
        ``YYYY-MM-DD``, the first day of ``end - n_months + 1``.

    Raises
    ------
    ValueError
        If ``end`` is not ``YYYY-MM`` or ``n_months < 1``.

    Examples
    --------
    >>> start_for_end("2025-12", 24)
    '2024-01-01'
    """
    last = _parse_month(end)
    if isinstance(n_months, bool) or not isinstance(n_months, (int, np.integer)) or n_months < 1:
        raise ValueError(f"n_months must be an integer >= 1, got {n_months!r}")
    return str((last - (int(n_months) - 1)).astype("datetime64[D]"))


def last_full_month(today: dt.date | None = None) -> str:
    """The last full calendar month before ``today``, ``YYYY-MM``.

    Parameters
    ----------
    today : datetime.date, optional
        Default: today's date in UTC (the date :func:`advocacy_eval.io.load_programme`
        compares with to find dates in the future).

    Returns
    -------
    str
        The month before ``today``'s month.

    Examples
    --------
    >>> import datetime
    >>> last_full_month(datetime.date(2026, 1, 31))
    '2025-12'
    """
    today = dt.datetime.now(dt.UTC).date() if today is None else today
    return str(np.datetime64(f"{today.year:04d}-{today.month:02d}", "M") - 1)


def resolve_end(end: str | None, today: dt.date | None = None) -> str:
    """The last month of a sample written on ``today``: ``end``, checked, or :func:`last_full_month`.

    A sample whose last month is not over yet (or is in the future) would hold
    dates after ``today``, which :func:`advocacy_eval.io.load_programme`
    rejects; this is the check ``advocacy-eval sample --end`` runs.

    Parameters
    ----------
    end : str or None
        ``YYYY-MM``, or None for :func:`last_full_month`.
    today : datetime.date, optional
        Default: today's date in UTC.

    Returns
    -------
    str
        ``YYYY-MM``, a month before ``today``'s.

    Raises
    ------
    ValueError
        One line, starting with ``end``: not ``YYYY-MM``, or not a full month
        before ``today``.

    Examples
    --------
    >>> import datetime
    >>> resolve_end(None, datetime.date(2026, 11, 30))
    '2026-10'
    >>> resolve_end("2025-12", datetime.date(2026, 11, 30))
    '2025-12'
    """
    latest = last_full_month(today)
    if end is None:
        return latest
    if not isinstance(end, str) or not _MONTH_RE.fullmatch(end):
        raise ValueError(f"end must be a month YYYY-MM (e.g. {latest}), got {end!r}")
    if end > latest:
        why = (
            "is the current month (not over yet)"
            if end == str(np.datetime64(latest, "M") + 1)
            else "is in the future"
        )
        raise ValueError(
            f"end {end} {why}; the latest possible end is {latest} (the last full month, UTC)"
        )
    return end


# ----------------------------------------------------------------------------- helpers


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        return float(f"{x:.12g}") if np.isfinite(x) else None
    return value


def _resolve(
    params: SampleParameters | None, overrides: dict[str, Any], end: str | None = None
) -> SampleParameters:
    params = SampleParameters() if params is None else params
    if not isinstance(params, SampleParameters):
        raise TypeError(f"params must be SampleParameters or None, got {type(params).__name__}")
    if overrides:
        known = {f.name for f in dataclasses.fields(SampleParameters)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise TypeError(f"unknown sample parameter(s): {', '.join(unknown)}")
    if end is not None:
        if "start" in overrides:
            raise TypeError("give either end or start, not both")
        overrides = {
            **overrides,
            "start": start_for_end(end, overrides.get("n_months", params.n_months)),
        }
    if overrides:
        params = dataclasses.replace(params, **overrides)
    return params


def _multiplier(p: SampleParameters, full: float, k: np.ndarray) -> np.ndarray:
    """Onboarding multiplier at event time ``k`` (1 where ``k < 0``)."""
    kk = np.maximum(k, 0).astype(float)
    if p.effect_dynamics == "constant":
        frac = np.ones_like(kk)
    elif p.effect_dynamics == "ramp":
        frac = np.minimum(1.0, (kk + 1.0) / p.ramp_months)
    else:  # fade
        frac = np.exp(-kk / p.fade_months)
    return np.where(k >= 0, 1.0 + (full - 1.0) * frac, 1.0)


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))


def _days_to_ns(days: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    out = days.astype("datetime64[D]").astype("datetime64[ns]")
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def _lognormal_counts(rng: np.random.Generator, median: float, log_sd: float, n: int) -> np.ndarray:
    return np.maximum(1, np.rint(median * np.exp(log_sd * rng.standard_normal(n)))).astype(np.int64)


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else float("nan")


@functools.lru_cache(maxsize=32)
def _mean_lognormal_count(median: float, log_sd: float) -> float:
    """Exact mean of ``max(1, rint(median * exp(log_sd * Z)))``, ``Z ~ Normal(0, 1)``.

    The audience draws of :func:`_lognormal_counts`. Uses ``E[max(1, Y)] = 1 +
    sum_{k >= 2} P(X >= k - 1/2)`` for ``Y = rint(X)``, summed to 8.5 log-sds
    above the median, plus the lognormal partial expectation of the tail.
    """
    from scipy import special

    if log_sd == 0:
        return float(max(1.0, np.rint(median)))
    mu, s = np.log(median), log_sd
    k_max = int(np.ceil(median * np.exp(8.5 * s))) + 2
    k = np.arange(2, k_max + 1, dtype=float)
    total = 1.0 + float(special.ndtr((mu - np.log(k - 0.5)) / s).sum())
    c = np.log(k_max + 0.5)
    tail = np.exp(mu + s * s / 2) * special.ndtr((mu + s * s - c) / s) - (
        k_max + 0.5
    ) * special.ndtr((mu - c) / s)
    return total + max(float(tail), 0.0)


def _mean_capped_rate(rate: float, shape: float) -> float:
    """``E[min(1, rate * g)]`` for ``g ~ Gamma(shape, mean 1)``: the mean engagement probability.

    ``E[g; g < 1/rate] + P(g >= 1/rate) / rate`` in closed form with the
    regularised incomplete gamma functions (``E[g 1{g < c}] = P(Gamma(shape + 1,
    1/shape) < c)``).
    """
    from scipy import special

    if rate <= 0:
        return 0.0
    c = shape / rate
    return float(rate * special.gammainc(shape + 1.0, c) + special.gammaincc(shape, c))


_RATIO_MC_PEOPLE = 200_000
"""Employees simulated in all (``n_employees`` x replications) by the Monte Carlo of the per-post truths."""

_RATIO_MC_REPLICATIONS = (10, 200)
"""Fewest and most programmes simulated by that Monte Carlo (100 with the default 2,000 employees).

The floor was 40 until the 200,000-employee benchmark showed its cost: 40
programmes of 200,000 employees (8 M simulated people, 40 times the default's
200,000) took 109 s of a 138 s generation. With ten, every programme of
1,000 employees or more still has at least :data:`_RATIO_MC_PEOPLE`
employees simulated in all (below that, the ceiling of 200 programmes
applies, as before), so its Monte-Carlo error is about the defaults' or
smaller (relative standard error 0.26 % of the employees' audience per post
with the defaults, 0.087 % with ten programmes of 200,000), and ten
replications are enough for its estimate (:func:`_ratio_of_means`)."""


def _mc_replications(n_employees: int) -> int:
    """Programmes simulated by the Monte Carlo of the per-post truths for ``n_employees`` employees.

    ``round(_RATIO_MC_PEOPLE / n_employees)`` clipped to :data:`_RATIO_MC_REPLICATIONS`.

    Examples
    --------
    >>> _mc_replications(2_000), _mc_replications(20_000), _mc_replications(200_000)
    (100, 10, 10)
    """
    return int(np.clip(round(_RATIO_MC_PEOPLE / n_employees), *_RATIO_MC_REPLICATIONS))


_RATIO_MC_ENTROPY = (20240101, 2)
"""Fixed seed of that Monte Carlo (``default_rng([*entropy, r])``, never a plain integer seed)."""

_NOT_POPULATION_FIELDS: tuple[str, ...] = (
    "seed",
    "departments",
    "department_weights",
    "regions",
    "region_weights",
    "employee_reach_rate",
    "author_reach_log_sd",
    "employee_dispersion",
    "impressions_per_member",
    "employee_corporate_share",
    "corporate_share_concentration",
    "suggested_prob_corporate",
    "suggested_prob_non_corporate",
    "corporate_themes",
    "non_corporate_themes",
    "employee_engagement_rates",
    "page_engagement_rates",
    "engagement_dispersion",
    "page_posts_per_month",
    "page_followers",
    "page_follower_growth",
    "page_reach_rate",
    "page_dispersion",
    "page_corporate_share",
    "volunteer_training_prob",
    "training_lead_days",
    "non_volunteer_training_prob",
)
"""Parameters that do not change who posts when with which expected audience (reset in the cache key)."""


def _population_key(p: SampleParameters) -> SampleParameters:
    """``p`` with every parameter outside the employee population reset to its default."""
    defaults = SampleParameters()
    return dataclasses.replace(
        p, **{name: getattr(defaults, name) for name in _NOT_POPULATION_FIELDS}
    )


_POPULATION_SUMS: tuple[str, ...] = (
    "audience_num",
    "audience_den",
    "participation_num",
    "participation_den",
    "effect_num",
    "effect_den",
)
"""Sums kept per population and replication by :func:`_population_monte_carlo` (ratios ``*_num / *_den``)."""


def _population_sums(draw: dict[str, np.ndarray], n_waves: int) -> np.ndarray:
    """The sums of :data:`_POPULATION_SUMS` of one simulated population, for each wave and the programme.

    Rows: waves ``0 .. n_waves - 1``, then the programme (every volunteer).
    Each pair is the numerator and denominator of one claim estimand, with the
    cells of :mod:`advocacy_eval.analyses.measures`:

    - ``audience``: ``sum lam_it A_it`` and ``sum lam_it`` over the volunteers'
      employee x month cells (``lam_exported``: exported posts are exactly
      those on or after ``enrolled_on``), i.e. the expected audience of a
      volunteer post;
    - ``participation``: ``sum P(at least one exported post)`` and the number
      of enrolled person-months, a person-month counting from the enrolment
      month while not ``left_on < month start`` (``metrics.enrolled_months``;
      a month starting on ``left_on`` counts, with probability 0);
    - ``effect``: ``sum (lam_total - lam_untreated)`` and the number of cells
      over the volunteers' months from the enrolment month on, for the
      volunteers the effect estimator uses (observed in every month: never
      left during the window; enrolled after the first month), i.e. the
      expected effect of enrolling on monthly posts, profile creation by
      onboarding included.
    """
    lam, aud = draw["lam_exported"], draw["audience"]
    wave_of, left_day, ms = draw["wave_of"], draw["left_day"], draw["month_starts"]
    n_months = lam.shape[1]
    k = np.arange(n_months)[None, :] - draw["enrol_month"][:, None]
    after = k >= 0
    person_month = after & (left_day[:, None] >= ms[None, :n_months])
    used = (left_day >= ms[n_months]) & (draw["enrol_month"] > 0)
    effect_cell = after & used[:, None]
    p_active = 1.0 - np.exp(-lam)
    effect = draw["lam_total"] - draw["lam_untreated"]
    out = np.empty((n_waves + 1, len(_POPULATION_SUMS)))
    for w in range(n_waves + 1):
        members = wave_of == w if w < n_waves else wave_of >= 0
        if w < n_waves:
            out[w, 0], out[w, 1] = (
                float((lam[members] * aud[members]).sum()),
                float(lam[members].sum()),
            )
        else:  # every exported post is a volunteer's: the sums of the original per-post Monte Carlo, bit for bit
            out[w, 0], out[w, 1] = float((lam * aud).sum()), float(lam.sum())
        cells = members[:, None] & person_month
        out[w, 2], out[w, 3] = float(p_active[cells].sum()), float(cells.sum())
        cells = members[:, None] & effect_cell
        out[w, 4], out[w, 5] = float(effect[cells].sum()), float(cells.sum())
    return out


@functools.lru_cache(maxsize=64)
def _population_monte_carlo(key: SampleParameters) -> np.ndarray:
    """Population sums of every replication of the Monte Carlo of the generator (cached).

    The population -- activity, profiles, attrition, self-selected
    volunteers, enrolment days -- is drawn by :func:`_generate`, the
    generator's own code path, :func:`_mc_replications` times (at least
    :data:`_RATIO_MC_PEOPLE` employees in all from 1,000 employees on), with the fixed seed
    :data:`_RATIO_MC_ENTROPY`; each replication is Rao-Blackwellised (the
    Poisson post counts, the lognormal audience draws and the follower-growth
    draws are integrated out exactly, see :func:`_population_sums`). Cached by
    population parameters (the seed is not one of them).

    Returns
    -------
    numpy.ndarray
        Shape ``(replications, n_waves + 1, len(_POPULATION_SUMS))``.
    """
    reps = _mc_replications(key.n_employees)
    n_waves = len(key.wave_start_months)
    sums = np.empty((reps, n_waves + 1, len(_POPULATION_SUMS)))
    for r in range(reps):
        draw = _generate(key, np.random.default_rng([*_RATIO_MC_ENTROPY, r]), population_only=True)
        sums[r] = _population_sums(draw, n_waves)
    return sums


def _ratio_of_means(num: np.ndarray, den: np.ndarray) -> tuple[float, float]:
    """``sum(num) / sum(den)`` over replications and its Monte Carlo standard error relative to it."""
    if den.sum() <= 0:
        return float("nan"), float("nan")
    mean = num.sum() / den.sum()
    se = np.sqrt(np.var(num - mean * den, ddof=1) / num.size) / den.mean()
    return float(mean), float(se / mean) if mean != 0 else float("nan")


def _employee_audience_per_post(key: SampleParameters) -> tuple[float, float, int]:
    """Expected audience of an exported employee post, by Monte Carlo of the generator.

    ``E[sum_it lam_it A_it] / E[sum_it lam_it]`` over whole programmes, where
    ``lam_it`` is the expected number of exported posts of employee i in month
    t and ``A_it`` the expected audience of those posts given the population
    (the programme's ``audience`` sums of :func:`_population_monte_carlo`).

    Returns
    -------
    mean : float
        Expected audience per exported employee post.
    relative_se : float
        Monte Carlo standard error of ``mean``, relative to it.
    replications : int
        Programmes simulated.
    """
    sums = _population_monte_carlo(key)[:, -1, :]
    mean, rel_se = _ratio_of_means(sums[:, 0], sums[:, 1])
    return mean, rel_se, sums.shape[0]


# ----------------------------------------------------------------------------- generator


def generate_programme(
    params: SampleParameters | None = None, *, end: str | None = None, **overrides: Any
) -> SampleProgramme:
    """Generate a synthetic advocacy programme with known ground truth.

    Parameters
    ----------
    params : SampleParameters, optional
        Parameters; defaults to ``SampleParameters()``.
    end : str, optional
        Last month of data, ``YYYY-MM``: replaces ``start`` by
        ``end - n_months + 1`` (:func:`start_for_end`). Default: keep ``start``.
    **overrides
        Fields of :class:`SampleParameters` replacing those of ``params``,
        e.g. ``seed=7`` or ``effect_dynamics="constant"``.

    Returns
    -------
    SampleProgramme
        The four canonical tables, the parameters and the ground truth.

    Raises
    ------
    TypeError
        If an override is not a parameter name, or both ``end`` and a
        ``start`` override are given.
    ValueError
        If the parameters are inconsistent.

    Examples
    --------
    >>> prog = generate_programme(seed=1, n_employees=300)
    >>> list(prog.waves["wave_id"])
    ['W1', 'W2', 'W3']
    """
    return _generate(_resolve(params, overrides, end))


@overload
def _generate(
    p: SampleParameters,
    rng: np.random.Generator | None = None,
    population_only: Literal[False] = False,
) -> SampleProgramme: ...


@overload
def _generate(
    p: SampleParameters, rng: np.random.Generator | None, population_only: Literal[True]
) -> dict[str, np.ndarray]: ...


def _generate(
    p: SampleParameters, rng: np.random.Generator | None = None, population_only: bool = False
) -> SampleProgramme | dict[str, np.ndarray]:
    """Run the generator (the one code path of :func:`generate_programme`).

    Parameters
    ----------
    p : SampleParameters
        Resolved parameters.
    rng : numpy.random.Generator, optional
        Main random stream; default ``numpy.random.default_rng(p.seed)``.
    population_only : bool
        Stop after the monthly simulation of the employees and return the
        population's expectations (used by the Monte Carlo of
        :func:`_population_monte_carlo`), a dict of arrays: employee x month
        ``lam_exported`` (expected exported posts), ``audience`` (expected
        audience of those posts given the population), ``lam_total`` (expected
        posts, before and after enrolment) and ``lam_untreated`` (the same
        without the programme: no onboarding multiplier and the profile
        created at its background time); per employee ``wave_of`` (-1: never
        enrolled), ``enrol_month`` (``n_months + 1`` if never) and
        ``left_day`` (a large sentinel if never); ``month_starts``
        (``n_months + 1`` day numbers). No random draw is added, so the
        stream, and every table of a full run, is unchanged.

    Returns
    -------
    SampleProgramme or dict of numpy.ndarray
    """
    rng = np.random.default_rng(p.seed) if rng is None else rng
    n, T = p.n_employees, p.n_months
    n_waves = len(p.wave_start_months)

    # -- calendar (integer day numbers since 1970-01-01) -----------------------------------
    month0 = np.datetime64(p.start[:7], "M")
    ms = (month0 + np.arange(T + 1)).astype("datetime64[D]").astype(np.int64)
    dim = np.diff(ms).astype(float)
    start_day, end_day = ms[0], ms[T]  # end_day exclusive

    # -- employees ----------------------------------------------------------------------------
    dept_w = np.asarray(p.department_weights, float)
    reg_w = np.asarray(p.region_weights, float)
    dept = rng.choice(len(p.departments), size=n, p=dept_w / dept_w.sum())
    region = rng.choice(len(p.regions), size=n, p=reg_w / reg_w.sum())
    s = p.posting_heterogeneity
    u = rng.normal(-0.5 * s * s, s, n)
    rate_i = p.base_post_rate * np.exp(u)
    r_sd = p.author_reach_log_sd
    reach_i = np.exp(rng.normal(-0.5 * r_sd * r_sd, r_sd, n))
    kappa = p.corporate_share_concentration
    pi_corp = rng.beta(
        p.employee_corporate_share * kappa, (1 - p.employee_corporate_share) * kappa, n
    )

    profile_at_start = rng.random(n) >= p.no_profile_share
    hist0 = np.datetime64(p.profile_history_start, "D").astype(np.int64)
    hist_day = hist0 + np.floor(rng.random(n) * (start_day - hist0)).astype(np.int64)
    bg_daily = -np.log1p(-p.background_profile_rate) / _DAYS_PER_MONTH
    wait = rng.exponential(1.0, n) / bg_daily if bg_daily > 0 else np.full(n, np.inf)
    d0 = start_day + np.floor(np.minimum(wait, 1e8)).astype(np.int64)  # background creation day
    prof_day = np.where(profile_at_start, hist_day, d0)

    leave_daily = -np.log1p(-p.annual_attrition) / 365.25
    wait = rng.exponential(1.0, n) / leave_daily if leave_daily > 0 else np.full(n, np.inf)
    left_day = start_day + 1 + np.floor(np.minimum(wait, 1e8)).astype(np.int64)
    has_left = left_day < end_day
    left_day = np.where(has_left, left_day, _NEVER)

    audience0 = _lognormal_counts(rng, p.audience_median, p.audience_log_sd, n)
    audience_new = _lognormal_counts(
        rng, p.new_profile_audience_median, p.new_profile_audience_log_sd, n
    )

    # -- waves: self-selected volunteers --------------------------------------------------
    wave_of = np.full(n, -1, dtype=np.int64)
    enrol_day = np.full(n, _NEVER, dtype=np.int64)
    wave_start = ms[list(p.wave_start_months)]
    wave_end = wave_start + p.enrolment_window_days - 1
    profile_truth: dict[str, Any] = {}
    window_cut = np.minimum(left_day, end_day)  # profiles are recorded only before this day
    for w in range(n_waves):
        wid = f"W{w + 1}"
        eligible = (wave_of < 0) & (left_day > wave_end[w])
        no_prof = ~profile_at_start & (d0 >= wave_start[w])
        log_weight = p.selection_strength * u + np.where(
            no_prof, np.log(p.no_profile_volunteer_odds), 0.0
        )
        keys = np.where(eligible, log_weight + rng.gumbel(size=n), -np.inf)
        n_chosen = int(min(round(p.wave_volunteer_shares[w] * n), eligible.sum()))
        chosen = np.sort(np.argsort(-keys, kind="stable")[:n_chosen])
        wave_of[chosen] = w
        enrol_day[chosen] = wave_start[w] + np.floor(
            rng.beta(1.0, p.enrolment_skew, n_chosen) * p.enrolment_window_days
        ).astype(np.int64)
        # onboarding creates missing profiles
        a = enrol_day[chosen]
        without = ~profile_at_start[chosen] & (d0[chosen] >= a)
        take = rng.random(n_chosen) < p.onboarding_profile_prob
        d1 = a + np.floor(rng.random(n_chosen) * p.onboarding_profile_days).astype(np.int64)
        new_day = np.where(without & take, np.minimum(d0[chosen], d1), prof_day[chosen])
        prof_day[chosen] = new_day
        # causal truth: P(recorded | onboarded) - P(recorded | not onboarded)
        c = window_cut[chosen]
        span = np.maximum(c - a, 0).astype(float)
        p0 = 1.0 - np.exp(-bg_daily * span)
        f_onb = np.minimum(1.0, span / p.onboarding_profile_days)
        effect = (1.0 - p0) * p.onboarding_profile_prob * f_onb
        profile_truth[wid] = {
            "volunteers_without_profile_at_enrolment": int(without.sum()),
            "expected_created_by_onboarding": float(effect[without].sum()),
            "expected_created_without_onboarding": float(p0[without].sum()),
            "realised_created_after_enrolment": int(
                (without & (new_day >= a) & (new_day < c)).sum()
            ),
        }
    enrolled = wave_of >= 0
    enrol_month = np.where(enrolled, np.searchsorted(ms, enrol_day, side="right") - 1, T + 1)
    profile_recorded = prof_day < window_cut

    # -- monthly simulation (loop over months only) -----------------------------------------
    aud = np.where(profile_at_start, audience0, 0).astype(np.int64)
    # expected audience given the population (profile, enrolment and leaving days): same recursion, no draws
    aud_mean = np.where(
        profile_at_start, _mean_lognormal_count(p.audience_median, p.audience_log_sd), 0.0
    )
    aud_mean_new = _mean_lognormal_count(
        p.new_profile_audience_median, p.new_profile_audience_log_sd
    )
    aud_mean_start = np.zeros((n, T))
    aud_start = np.zeros((n, T), np.int64)
    followers_end = np.zeros((n, T), np.int64)
    has_prof_end = np.zeros((n, T), bool)
    row = np.zeros((n, T), bool)
    lam_total = np.zeros((n, T))
    lam_exported = np.zeros((n, T))
    te_posts = np.zeros((n, T))
    te_followers = np.zeros((n, T))
    seg_emp: list[np.ndarray] = []
    seg_lo: list[np.ndarray] = []
    seg_len: list[np.ndarray] = []
    seg_month: list[np.ndarray] = []
    seg_treated: list[np.ndarray] = []
    idx = np.arange(n)
    for t in range(T):
        lo_m, hi_m = ms[t], ms[t + 1]
        row[:, t] = left_day > lo_m
        created = (prof_day >= lo_m) & (prof_day < hi_m) & (prof_day < left_day)
        aud[created] = audience_new[created]
        aud_start[:, t] = aud
        aud_mean[created] = aud_mean_new
        aud_mean_start[:, t] = aud_mean
        lo = np.maximum(lo_m, prof_day)
        hi = np.minimum(hi_m, left_day)
        pre_len = np.maximum(0, np.minimum(hi, enrol_day) - lo)
        post_lo = np.maximum(lo, enrol_day)
        post_len = np.maximum(0, hi - post_lo)
        f_pre, f_post = pre_len / dim[t], post_len / dim[t]
        k = t - enrol_month
        m_post = _multiplier(p, p.onboarding_multiplier, k)
        m_fol = _multiplier(p, p.onboarding_follower_multiplier, k)
        lam_pre = rate_i * f_pre
        lam_post = rate_i * m_post * f_post
        te_posts[:, t] = rate_i * f_post * (m_post - 1.0)
        if (
            p.anticipation_months > 0
        ):  # volunteers react before enrolling (off by default: no change at all)
            ahead = enrolled & (k >= -p.anticipation_months) & (k <= 0)
            lift = np.where(ahead, p.anticipation_multiplier, 1.0)
            te_posts[:, t] += lam_pre * (lift - 1.0)
            lam_pre = lam_pre * lift
        lam_total[:, t] = lam_pre + lam_post
        lam_exported[:, t] = lam_post
        growth = p.follower_growth_rate * aud + p.follower_growth_base
        te_followers[:, t] = growth * f_post * (m_fol - 1.0)
        n_pre = rng.poisson(lam_pre)
        n_post = rng.poisson(lam_post)
        gain = rng.poisson(growth * (f_pre + f_post * m_fol))
        aud = aud + np.where(aud > 0, gain, 0)
        growth_mean = p.follower_growth_rate * aud_mean + p.follower_growth_base
        aud_mean = aud_mean + np.where(aud_mean > 0, growth_mean * (f_pre + f_post * m_fol), 0.0)
        followers_end[:, t] = aud
        has_prof_end[:, t] = prof_day < np.minimum(hi_m, left_day)
        for counts, seg_start, length, is_treated in (
            (n_pre, lo, pre_len, False),
            (n_post, post_lo, post_len, True),
        ):
            who = np.repeat(idx, counts)
            seg_emp.append(who)
            seg_lo.append(seg_start[who])
            seg_len.append(length[who])
            seg_month.append(np.full(who.size, t, np.int64))
            seg_treated.append(np.full(who.size, is_treated))
    emp = np.concatenate(seg_emp)
    month = np.concatenate(seg_month)
    treated = np.concatenate(seg_treated)
    day = np.concatenate(seg_lo) + np.floor(rng.random(emp.size) * np.concatenate(seg_len)).astype(
        np.int64
    )
    n_lat = emp.size
    if population_only:
        # without the programme: the multiplier is 1 and the profile appears at its background time
        prof0_day = np.where(profile_at_start, hist_day, d0)
        days0 = np.minimum(ms[None, 1:], left_day[:, None]) - np.maximum(
            ms[None, :T], prof0_day[:, None]
        )
        return {
            "lam_exported": lam_exported,
            "audience": aud_mean_start,
            "lam_total": lam_total,
            "lam_untreated": rate_i[:, None] * np.maximum(days0, 0) / dim[None, :],
            "wave_of": wave_of,
            "enrol_month": enrol_month,
            "left_day": left_day,
            "month_starts": ms,
        }

    # -- employee posts (all latent posts) ------------------------------------------------
    seconds = (
        day * _DAY_SECONDS + 7 * 3600 + np.floor(rng.random(n_lat) * 12 * 3600).astype(np.int64)
    )
    corporate = rng.random(n_lat) < pi_corp[emp]
    theme_u = rng.random(n_lat)
    sugg_p = np.where(corporate, p.suggested_prob_corporate, p.suggested_prob_non_corporate)
    suggested = treated & (rng.random(n_lat) < sugg_p)
    audience = aud_start[emp, month]
    e_post = rng.gamma(p.employee_dispersion, 1.0 / p.employee_dispersion, n_lat)
    mu = p.employee_reach_rate * reach_i[emp] * e_post * audience
    members_raw = rng.poisson(mu)
    members = np.minimum(members_raw, audience)
    ipm = rng.uniform(p.impressions_per_member[0], p.impressions_per_member[1], n_lat)
    impressions = members + rng.poisson(members * (ipm - 1.0))
    eng = _engagements(rng, impressions, p.employee_engagement_rates, p.engagement_dispersion)
    employee_capping = {
        "posts_capped": int((members_raw > audience).sum()),
        "reach_lost_share": float((members_raw - members).sum() / max(members_raw.sum(), 1)),
        "expected_reach_lost_share": _expected_cap_loss(mu, audience),
    }

    # -- company page -----------------------------------------------------------------------
    page_n = rng.poisson(p.page_posts_per_month, T)
    page_fol = np.empty(T, np.int64)
    fol = np.int64(p.page_followers)
    for t in range(T):
        page_fol[t] = fol
        fol = fol + rng.poisson(fol * p.page_follower_growth)
    page_month = np.repeat(np.arange(T), page_n)
    n_page = page_month.size
    page_day = ms[page_month] + np.floor(rng.random(n_page) * dim[page_month]).astype(np.int64)
    page_seconds = (
        page_day * _DAY_SECONDS
        + 8 * 3600
        + np.floor(rng.random(n_page) * 10 * 3600).astype(np.int64)
    )
    page_corp = rng.random(n_page) < p.page_corporate_share
    page_theme_u = rng.random(n_page)
    page_aud = page_fol[page_month]
    page_mu = (
        p.page_reach_rate * rng.gamma(p.page_dispersion, 1.0 / p.page_dispersion, n_page) * page_aud
    )
    page_raw = rng.poisson(page_mu)
    page_members = np.minimum(page_raw, page_aud)
    page_ipm = rng.uniform(p.impressions_per_member[0], p.impressions_per_member[1], n_page)
    page_impr = page_members + rng.poisson(page_members * (page_ipm - 1.0))
    page_eng = _engagements(rng, page_impr, p.page_engagement_rates, p.engagement_dispersion)
    page_capping = {
        "posts_capped": int((page_raw > page_aud).sum()),
        "reach_lost_share": float((page_raw - page_members).sum() / max(page_raw.sum(), 1)),
        "expected_reach_lost_share": _expected_cap_loss(page_mu, page_aud),
    }

    # -- programme sessions (trained_on): a separate stream, so every other column stays as it was --------
    train_rng = np.random.default_rng([p.seed, 101])
    u_attend, u_day = train_rng.random((2, n))
    programme_start = wave_start.min()
    vol_trained = enrolled & (u_attend < p.volunteer_training_prob)
    vol_day = enrol_day - np.floor(u_day * (p.training_lead_days + 1)).astype(np.int64)
    employed_until = np.minimum(left_day, end_day)  # exclusive
    can_attend = ~enrolled & (employed_until > programme_start)
    ctl_trained = can_attend & (u_attend < p.non_volunteer_training_prob)
    ctl_day = programme_start + np.floor(u_day * (employed_until - programme_start)).astype(
        np.int64
    )
    has_trained = vol_trained | ctl_trained
    train_day = np.where(vol_trained, vol_day, np.where(ctl_trained, ctl_day, 0))

    # -- tables ---------------------------------------------------------------------------------
    width = max(4, len(str(n)))
    emp_ids = _ids("E", n, width)
    wave_ids = np.array([f"W{w + 1}" for w in range(n_waves)])
    waves_df = pd.DataFrame(
        {
            "wave_id": wave_ids,
            "name": np.array(p.wave_names, dtype=str),
            "name_fr": np.array(
                p.wave_names_fr if p.wave_names_fr else [""] * len(p.wave_names), dtype=str
            ),
            "start_date": _days_to_ns(wave_start),
            "end_date": _days_to_ns(wave_end),
        }
    )
    employees_df = pd.DataFrame(
        {
            "employee_id": emp_ids,
            "wave_id": np.where(enrolled, wave_ids[np.maximum(wave_of, 0)], None),  # type: ignore[call-overload]  # None: no wave
            "enrolled_on": _days_to_ns(np.where(enrolled, enrol_day, 0), ~enrolled),
            "department": np.asarray(p.departments, dtype=str)[dept],
            "region": np.asarray(p.regions, dtype=str)[region],
            "profile_created_on": _days_to_ns(
                np.where(profile_recorded, prof_day, 0), ~profile_recorded
            ),
            "left_on": _days_to_ns(np.where(has_left, left_day, 0), ~has_left),
            "trained_on": _days_to_ns(train_day, ~has_trained),
        }
    )

    keep = treated  # employee posts exported by the platform: on or after enrolled_on
    corp_themes = np.asarray(p.corporate_themes, dtype=str)
    other_themes = np.asarray(p.non_corporate_themes, dtype=str)

    def themes(is_corp: np.ndarray, uu: np.ndarray) -> np.ndarray:
        ci = np.minimum((uu * len(corp_themes)).astype(np.int64), len(corp_themes) - 1)
        oi = np.minimum((uu * len(other_themes)).astype(np.int64), len(other_themes) - 1)
        return np.where(is_corp, corp_themes[ci], other_themes[oi])

    n_emp_posts = int(keep.sum())
    all_seconds = np.concatenate([page_seconds, seconds[keep]])
    order = np.lexsort((np.arange(all_seconds.size), all_seconds))

    def cat(page_part: np.ndarray, emp_part: np.ndarray) -> np.ndarray:
        return np.concatenate([page_part, emp_part[keep]])[order]

    is_corp_all = cat(page_corp, corporate)
    posts_df = pd.DataFrame(
        {
            "post_id": _ids("P", all_seconds.size, max(6, len(str(all_seconds.size)))),
            "author_type": np.concatenate(
                [np.full(n_page, "company"), np.full(n_emp_posts, "employee")]
            )[order],
            "author_id": np.concatenate([np.full(n_page, PAGE_ID), emp_ids[emp[keep]]])[order],
            "published_at": all_seconds[order].astype("datetime64[s]").astype("datetime64[ns]"),
            "network": np.full(all_seconds.size, "linkedin"),
            "content_type": np.where(is_corp_all, "corporate", "non_corporate"),
            "theme": themes(is_corp_all, cat(page_theme_u, theme_u)),
            "origin": np.where(cat(np.zeros(n_page, bool), suggested), "suggested", "own"),
            "audience_size": cat(page_aud, audience),
            "impressions": cat(page_impr, impressions),
            "members_reached": cat(page_members, members),
        }
    )
    for j, term in enumerate(("reactions", "comments", "reposts", "clicks", "follows")):
        posts_df[term] = cat(page_eng[:, j], eng[:, j])

    cell = emp * T + month
    size = n * T
    agg_posts = np.bincount(cell, minlength=size)
    agg_impr = np.bincount(cell, weights=impressions, minlength=size)
    agg_members = np.bincount(cell, weights=members, minlength=size)
    agg_eng = np.bincount(cell, weights=eng[:, :4].sum(axis=1), minlength=size)
    flat_row = row.ravel()
    month_ns = _days_to_ns(ms[:T])
    activity_df = pd.DataFrame(
        {
            "employee_id": np.repeat(emp_ids, T)[flat_row],
            "month": np.tile(month_ns, n)[flat_row],
            "posts": agg_posts[flat_row].astype(np.int64),
            "impressions": np.rint(agg_impr[flat_row]).astype(np.int64),
            "members_reached": np.rint(agg_members[flat_row]).astype(np.int64),
            "engagements": np.rint(agg_eng[flat_row]).astype(np.int64),
            "followers": followers_end.ravel()[flat_row],
            "has_profile": has_prof_end.ravel()[flat_row],
        }
    )
    for name, df in (
        ("waves", waves_df),
        ("employees", employees_df),
        ("posts", posts_df),
        ("activity", activity_df),
    ):
        assert list(df.columns) == list(SAMPLE_COLUMNS[name]), (name, list(df.columns))
        # every date lies in the window: a sample ending last month is never "in the future"
        late = _dates_after(df, name, end_day)
        assert not late, (name, late)

    # -- ground truth ---------------------------------------------------------------------------
    truth = _truth(
        p,
        wave_ids=wave_ids,
        wave_start=wave_start,
        wave_end=wave_end,
        wave_of=wave_of,
        enrol_month=enrol_month,
        month_starts=ms,
        cells_ok=row & has_prof_end,
        lam_total=lam_total,
        lam_exported=lam_exported,
        row=row,
        te_posts=te_posts,
        te_followers=te_followers,
        profile_at_start=profile_at_start,
        profile_truth=profile_truth,
        reached=_staff_reached_truth(
            p,
            wave_ids=wave_ids,
            wave_end=wave_end,
            end_day=end_day,
            programme_start=programme_start,
            left_day=left_day,
            enrolled=enrolled,
            enrol_day=enrol_day,
            profile_recorded=profile_recorded,
            prof_day=prof_day,
            has_trained=has_trained,
            train_day=train_day,
            can_attend=can_attend,
            employed_until=employed_until,
        ),
        per_post=_per_post_truth(
            p, (lam_exported * aud_mean_start).sum() / max(lam_exported.sum(), 1e-300)
        ),
        diagnostics={
            "latent_employee_posts": int(n_lat),
            "exported_employee_posts": n_emp_posts,
            "company_posts": int(n_page),
            "employee_capping": employee_capping,
            "page_capping": page_capping,
        },
    )
    return SampleProgramme(
        waves=waves_df,
        employees=employees_df,
        posts=posts_df,
        activity=activity_df,
        parameters=p,
        truth=truth,
    )


def _dates_after(df: pd.DataFrame, table: str, end_day: np.int64) -> list[str]:
    """Date, month and datetime columns of ``df`` holding a value on or after day number ``end_day``."""
    limit = np.datetime64(int(end_day), "D").astype("datetime64[ns]")
    kinds = ("date", "month", "datetime")
    return [
        c.name
        for c in COLUMNS[table]
        if c.kind in kinds and c.name in df.columns and (df[c.name].to_numpy() >= limit).any()
    ]


def _engagements(
    rng: np.random.Generator, impressions: np.ndarray, rates: tuple[float, ...], shape: float
) -> np.ndarray:
    """Reactions, comments, reposts, clicks, follows: binomial on impressions."""
    factor = rng.gamma(shape, 1.0 / shape, impressions.size)
    prob = np.minimum(1.0, np.asarray(rates)[None, :] * factor[:, None])
    return rng.binomial(impressions[:, None], prob).astype(np.int64)


def _expected_cap_loss(mu: np.ndarray, cap: np.ndarray) -> float:
    """Expected share of reach lost to the cap: ``E[sum (M - cap)+] / E[sum M]``.

    ``M ~ Poisson(mu)`` at the realised means; ``E[(M - c)+] = mu P(M >= c) -
    c P(M > c)``, evaluated only where the cap is within reach of the mean.
    """
    from scipy import special

    total = float(mu.sum())
    if total <= 0:
        return 0.0
    risky = cap < mu + 40.0 * np.sqrt(mu) + 40.0
    if not risky.any():
        return 0.0
    m, c = mu[risky], cap[risky].astype(float)
    loss = m * special.pdtrc(c - 1.0, m) - c * special.pdtrc(c, m)
    return float(np.maximum(loss, 0.0).sum() / total)


def _per_post_truth(p: SampleParameters, audience_given_population: float) -> dict[str, Any]:
    """Expected means per post of employee posts after enrolment and of page posts, and their ratios.

    Per post, ``E[members] = reach_rate * E[audience]`` (author and post reach
    factors have mean 1 and are independent of the audience; the cap at the
    audience is negligible, see ``diagnostics``), ``E[impressions] =
    E[members] * (low + high) / 2`` and ``E[engagements] = E[impressions] *
    sum_j E[min(1, r_j g)]`` over reactions, comments, reposts and clicks
    (:func:`_mean_capped_rate`). Page: ``E[audience] = page_followers *
    mean_t (1 + page_follower_growth)^t`` over the ``n_months`` months (equal
    expected posts every month). Employees: ``E[audience]`` of an exported post
    by the Monte Carlo of :func:`_employee_audience_per_post`.
    """
    a_emp, rel_se, reps = _employee_audience_per_post(_population_key(p))
    a_page = p.page_followers * float(
        np.mean((1.0 + p.page_follower_growth) ** np.arange(p.n_months))
    )
    per_member = 0.5 * (p.impressions_per_member[0] + p.impressions_per_member[1])

    def means(rate: float, audience: float, eng_rates: tuple[float, ...]) -> dict[str, float]:
        eng_rate = sum(_mean_capped_rate(r, p.engagement_dispersion) for r in eng_rates[:4])
        members = rate * audience
        return {
            "audience_size": audience,
            "members_reached": members,
            "impressions": members * per_member,
            "engagements": members * per_member * eng_rate,
            "engagement_rate": eng_rate,
        }

    emp = means(p.employee_reach_rate, a_emp, p.employee_engagement_rates)
    page = means(p.page_reach_rate, a_page, p.page_engagement_rates)
    return {
        "reach_per_post_ratio": emp["members_reached"] / page["members_reached"],
        "engagement_per_post_ratio": emp["engagements"] / page["engagements"],
        "engagement_rate_ratio": emp["engagement_rate"] / page["engagement_rate"],
        "post_means": {"employee": emp, "page": page},
        "monte_carlo": {
            "replications": reps,
            "seed": list(_RATIO_MC_ENTROPY),
            "employee_audience_relative_se": rel_se,
            "employee_audience_given_this_population": float(audience_given_population),
        },
    }


CLAIM_TRUTH_METRICS: tuple[str, ...] = (
    "amplification",
    "reach_per_post_ratio",
    "engagement_per_post_ratio",
    "engagement_rate_ratio",
    "corporate_share",
    "monthly_participation",
    "effect_posts",
)
"""Claim metrics (:data:`advocacy_eval.claims.METRICS`) whose estimand ``truth["claims"]`` gives per population."""


def _claims_truth(
    p: SampleParameters, wave_ids: np.ndarray, per_post: dict[str, Any]
) -> dict[str, Any]:
    """Population values of the claim metrics, exactly as :mod:`advocacy_eval.analyses.measures` measures them.

    For each population (each wave, and the programme = all waves pooled):
    volunteers' posts from their own enrolment, the page's posts from the
    population's first enrolment date (the wave's start date, the first
    wave's for the programme) to the end of the data. Per post ``E[members |
    A] = reach_rate * A``, ``E[impressions] = 1.45 * E[members]``,
    ``E[engagements] = c * E[impressions]`` (see :func:`_per_post_truth`), so

    - ``amplification = employee_reach_rate / page_reach_rate`` and
      ``engagement_rate_ratio = c_employee / c_page`` (ratios of sums: the same
      for every window);
    - ``reach_per_post_ratio = (employee_reach_rate * E[A_volunteers]) /
      (page_reach_rate * E[A_page])`` with the page's expected audience per post
      over the window's months, ``page_followers * mean_{t=s..T-1} (1 +
      page_follower_growth)^t`` (closed form; equal expected posts every month),
      and the volunteers' by the Monte Carlo of :func:`_population_monte_carlo`
      restricted to the population's volunteers;
    - ``engagement_per_post_ratio = reach_per_post_ratio * engagement_rate_ratio``;
    - ``corporate_share = employee_corporate_share`` (``pi_i`` is independent of
      posting and selection);
    - ``monthly_participation`` and ``effect_posts``: ratios of expected sums
      over whole programmes by the same Monte Carlo (:func:`_population_sums`).
    """
    sums = _population_monte_carlo(_population_key(p))
    emp, page = per_post["post_means"]["employee"], per_post["post_means"]["page"]
    amplification = p.employee_reach_rate / p.page_reach_rate
    rate_ratio = emp["engagement_rate"] / page["engagement_rate"]
    growth = (1.0 + p.page_follower_growth) ** np.arange(p.n_months)
    keys = [*map(str, wave_ids), "programme"]
    starts = [*p.wave_start_months, p.wave_start_months[0]]
    values: dict[str, dict[str, float]] = {}
    audience: dict[str, dict[str, float | str]] = {}
    rel_se: dict[str, dict[str, float]] = {}
    for j, (key, s) in enumerate(zip(keys, starts, strict=True)):
        a_emp, se_a = _ratio_of_means(sums[:, j, 0], sums[:, j, 1])
        part, se_p = _ratio_of_means(sums[:, j, 2], sums[:, j, 3])
        effect, se_e = _ratio_of_means(sums[:, j, 4], sums[:, j, 5])
        a_page = p.page_followers * float(np.mean(growth[s:]))
        reach = (p.employee_reach_rate * a_emp) / (p.page_reach_rate * a_page)
        values[key] = {
            "amplification": amplification,
            "reach_per_post_ratio": reach,
            "engagement_per_post_ratio": reach * rate_ratio,
            "engagement_rate_ratio": rate_ratio,
            "corporate_share": p.employee_corporate_share,
            "monthly_participation": part,
            "effect_posts": effect,
        }
        audience[key] = {
            "volunteers": a_emp,
            "page": a_page,
            "page_window_start": str(np.datetime64(p.start[:7], "M") + int(s)),
        }
        rel_se[key] = {
            "reach_per_post_ratio": se_a,
            "engagement_per_post_ratio": se_a,
            "monthly_participation": se_p,
            "effect_posts": se_e,
        }
    programme = values.pop("programme")
    return {
        "programme": programme,
        "by_wave": values,
        "audience_per_post": audience,
        "monte_carlo": {
            "replications": int(sums.shape[0]),
            "seed": list(_RATIO_MC_ENTROPY),
            "relative_se": rel_se,
        },
    }


def _staff_reached_truth(
    p: SampleParameters,
    *,
    wave_ids: np.ndarray,
    wave_end: np.ndarray,
    end_day: np.int64,
    programme_start: np.int64,
    left_day: np.ndarray,
    enrolled: np.ndarray,
    enrol_day: np.ndarray,
    profile_recorded: np.ndarray,
    prof_day: np.ndarray,
    has_trained: np.ndarray,
    train_day: np.ndarray,
    can_attend: np.ndarray,
    employed_until: np.ndarray,
) -> dict[str, Any]:
    """Share of eligible staff touched from the programme start to each wave's end and to the data's end.

    Same definition as :func:`advocacy_eval.metrics.staff_reached`, on day
    numbers: eligible = not left before the start; touched = enrolled by the
    end, or ``trained_on`` or ``profile_created_on`` in ``[start, end]``.
    ``expected`` averages, over the eligible, the probability of being touched
    given every generated column but ``trained_on`` (1 if enrolled by the end
    or a profile was created in the period, else the probability that the
    session drawn for ``trained_on`` falls in the period).
    """
    start = programme_start
    lead = p.training_lead_days
    eligible = left_day >= start  # left_day is a huge sentinel when the employee never left

    def at(end: np.int64) -> tuple[float, float, dict[str, int]]:
        by_enrolment = eligible & enrolled & (enrol_day <= end)
        by_session = eligible & has_trained & (train_day >= start) & (train_day <= end)
        by_profile = eligible & profile_recorded & (prof_day >= start) & (prof_day <= end)
        touched = by_enrolment | by_session | by_profile
        n_eligible = int(eligible.sum())
        # probability of a session in [start, end] given the other columns
        lead_days = np.clip(
            np.minimum(enrol_day - start, lead) - np.maximum(enrol_day - end, 0) + 1, 0, None
        )
        p_volunteer = p.volunteer_training_prob * lead_days / (lead + 1)
        span = np.maximum(employed_until - start, 1)
        in_period = np.clip(np.minimum(employed_until, end + 1) - start, 0, None)
        p_other = np.where(can_attend, p.non_volunteer_training_prob * in_period / span, 0.0)
        prob = (
            np.where(by_enrolment | by_profile, 1.0, np.where(enrolled, p_volunteer, p_other))
            * eligible
        )
        counts = {
            "n_eligible": n_eligible,
            "n_touched": int(touched.sum()),
            "n_enrolled": int(by_enrolment.sum()),
            "n_trained": int(by_session.sum()),
            "n_profile_created": int(by_profile.sum()),
        }
        share = counts["n_touched"] / n_eligible if n_eligible else float("nan")
        expected = float(prob.sum()) / n_eligible if n_eligible else float("nan")
        return share, expected, counts

    share, expected, counts = at(end_day - 1)
    out: dict[str, Any] = {
        "start_date": str(np.datetime64(int(start), "D")),
        "end_date": str(np.datetime64(int(end_day - 1), "D")),
        "overall": share,
        "by_wave": {},
        "expected": {"overall": expected, "by_wave": {}},
        "counts": {"overall": counts, "by_wave": {}},
    }
    for w, wid in enumerate(wave_ids):
        share, expected, counts = at(wave_end[w])
        out["by_wave"][wid] = share
        out["expected"]["by_wave"][wid] = expected
        out["counts"]["by_wave"][wid] = counts
    return out


def _truth(
    p: SampleParameters,
    *,
    wave_ids: np.ndarray,
    wave_start: np.ndarray,
    wave_end: np.ndarray,
    wave_of: np.ndarray,
    enrol_month: np.ndarray,
    month_starts: np.ndarray,
    cells_ok: np.ndarray,
    lam_total: np.ndarray,
    lam_exported: np.ndarray,
    row: np.ndarray,
    te_posts: np.ndarray,
    te_followers: np.ndarray,
    profile_at_start: np.ndarray,
    profile_truth: dict[str, Any],
    reached: dict[str, Any],
    per_post: dict[str, Any],
    diagnostics: dict[str, Any],
) -> dict[str, Any]:
    _n, T = lam_total.shape
    k = np.arange(T)[None, :] - enrol_month[:, None]  # event time (huge negative if never enrolled)
    enrolled = wave_of >= 0
    p_post = 1.0 - np.exp(-lam_total)
    p_exported = 1.0 - np.exp(-lam_exported)

    after, before, rate_after, rate_before, person_months = {}, {}, {}, {}, {}
    att_posts: dict[str, Any] = {"by_wave_event_time": {}, "by_wave": {}}
    att_fol: dict[str, Any] = {"by_wave_event_time": {}, "by_wave": {}}
    waves: dict[str, Any] = {}
    for w, wid in enumerate(wave_ids):
        vol = (wave_of == w)[:, None] & cells_ok
        a_cells, b_cells = vol & (k > 0), vol & (k < 0)
        after[wid], before[wid] = _mean(p_post[a_cells]), _mean(p_post[b_cells])
        rate_after[wid], rate_before[wid] = _mean(lam_total[a_cells]), _mean(lam_total[b_cells])
        person_months[wid] = _mean(p_exported[(wave_of == w)[:, None] & row & (k >= 0)])
        treated = vol & (k >= 0)
        by_k_posts, by_k_fol = {}, {}
        for kk in range(int(k[wave_of == w].max(initial=-1)) + 1):
            c = vol & (k == kk)
            if c.any():
                by_k_posts[str(kk)] = {"att": _mean(te_posts[c]), "n": int(c.sum())}
                by_k_fol[str(kk)] = {"att": _mean(te_followers[c]), "n": int(c.sum())}
        att_posts["by_wave_event_time"][wid] = by_k_posts
        att_fol["by_wave_event_time"][wid] = by_k_fol
        att_posts["by_wave"][wid] = _mean(te_posts[treated])
        att_fol["by_wave"][wid] = _mean(te_followers[treated])
        members = wave_of == w
        waves[wid] = {
            "volunteers": int(members.sum()),
            "start_date": str(np.datetime64(int(wave_start[w]), "D")),
            "end_date": str(np.datetime64(int(wave_end[w]), "D")),
            "enrolment_month": str(np.datetime64(int(month_starts[p.wave_start_months[w]]), "D")),
        }
    vol_all = enrolled[:, None] & cells_ok
    controls = (~enrolled)[:, None] & cells_ok
    person_months["overall"] = _mean(p_exported[enrolled[:, None] & row & (k >= 0)])
    after["overall"] = _mean(p_post[vol_all & (k > 0)])
    before["overall"] = _mean(p_post[vol_all & (k < 0)])
    rate_after["overall"] = _mean(lam_total[vol_all & (k > 0)])
    rate_before["overall"] = _mean(lam_total[vol_all & (k < 0)])
    if p.anticipation_months > 0:
        # the anticipation effects: months before the enrolment month (k < 0), by wave and event time
        anticipation: dict[str, Any] = {
            "months": int(p.anticipation_months),
            "multiplier": float(p.anticipation_multiplier),
            "by_wave_event_time": {},
        }
        for w, wid in enumerate(wave_ids):
            vol = (wave_of == w)[:, None] & cells_ok
            anticipation["by_wave_event_time"][wid] = {
                str(kk): {
                    "att": _mean(te_posts[vol & (k == kk)]),
                    "n": int((vol & (k == kk)).sum()),
                }
                for kk in range(-int(p.anticipation_months), 0)
                if (vol & (k == kk)).any()
            }
        att_posts["anticipation"] = anticipation
    att_posts["overall"] = _mean(te_posts[vol_all & (k >= 0)])
    att_fol["overall"] = _mean(te_followers[vol_all & (k >= 0)])
    att_posts["n_cells"] = att_fol["n_cells"] = int((vol_all & (k >= 0)).sum())

    total_onb = sum(v["expected_created_by_onboarding"] for v in profile_truth.values())
    truth = {
        "page_reach_rate": p.page_reach_rate,
        "employee_reach_rate": p.employee_reach_rate,
        "amplification_ratio": p.employee_reach_rate / p.page_reach_rate,
        "reach_per_post_ratio": per_post["reach_per_post_ratio"],
        "engagement_per_post_ratio": per_post["engagement_per_post_ratio"],
        "engagement_rate_ratio": per_post["engagement_rate_ratio"],
        "post_means": per_post["post_means"],
        "corporate_share_employees": p.employee_corporate_share,
        "corporate_share_page": p.page_corporate_share,
        "participation": {
            "after_enrolment": after,
            "before_enrolment": before,
            "never_enrolled": _mean(p_post[controls]),
            "enrolled_person_months": person_months,
        },
        "posting": {
            "volunteers_after_enrolment": rate_after,
            "volunteers_before_enrolment": rate_before,
            "never_enrolled": _mean(lam_total[controls]),
        },
        "profiles": {
            "without_profile_at_start": int((~profile_at_start).sum()),
            "expected_created_by_onboarding": total_onb,
            "by_wave": profile_truth,
        },
        "onboarding_effect": {
            "effect_dynamics": p.effect_dynamics,
            "posts": att_posts,
            "followers_gained": att_fol,
        },
        "waves": {"total_volunteers": int(enrolled.sum()), **waves},
        "staff_reached_share": reached,
        "diagnostics": {**diagnostics, "per_post_monte_carlo": per_post["monte_carlo"]},
        "claims": _claims_truth(p, wave_ids, per_post),
    }
    return _jsonable(truth)


# ----------------------------------------------------------------------------- writing


def _csv_bytes(df: pd.DataFrame, table: str) -> bytes:
    out = df.copy()
    for col in COLUMNS[table]:
        if col.name not in out.columns:
            continue
        if col.kind in ("date", "month"):
            out[col.name] = out[col.name].dt.strftime("%Y-%m-%d")
        elif col.kind == "datetime":
            out[col.name] = out[col.name].dt.strftime("%Y-%m-%d %H:%M:%S")
    return out.to_csv(index=False, lineterminator="\n", na_rep="").encode("utf-8")


def _default_file_mode() -> int:
    """``0o666`` minus the process umask: the mode ``open()`` gives a new file."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _write_atomic(path: Path, data: bytes) -> None:
    mode = _default_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # mkstemp creates 0600 files
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_sample(
    out_dir: str | os.PathLike[str],
    params: SampleParameters | None = None,
    *,
    end: str | None = None,
    **overrides: Any,
) -> SampleProgramme:
    """Generate a programme and write it as CSV files plus ``truth.json``.

    Writes ``waves.csv``, ``employees.csv``, ``posts.csv``, ``activity.csv``
    (UTF-8, ``\\n`` line ends, canonical column order, dates ``YYYY-MM-DD``,
    ``published_at`` ``YYYY-MM-DD HH:MM:SS``, empty cells for missing values)
    and ``truth.json`` (``{"generator", "parameters", "truth"}``). Each file is
    written atomically (temporary file in ``out_dir`` then ``os.replace``).
    The output is byte-identical for identical parameters.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Destination folder, created if needed.
    params : SampleParameters, optional
        Parameters; defaults to ``SampleParameters()``.
    end : str, optional
        Last month of data, ``YYYY-MM``, as in :func:`generate_programme`
        (``write_sample(out, end="2025-12")`` writes the committed sample).
    **overrides
        Parameter overrides, as in :func:`generate_programme`.

    Returns
    -------
    SampleProgramme
        The programme that was written.
    """
    prog = generate_programme(params, end=end, **overrides)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in prog.tables().items():
        _write_atomic(out / f"{name}.csv", _csv_bytes(df, name))
    payload = {
        "generator": "advocacy_eval.sample",
        "parameters": prog.parameters.to_dict(),
        "truth": prog.truth,
    }
    text = json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    _write_atomic(out / "truth.json", text.encode("utf-8"))
    return prog
