"""Planning the next wave: how many volunteers are needed to see what?

Uses the programme's observed variability (intra-author correlation, design
effects, the page's own uncertainty), not i.i.d. formulas, through the tested
functions of :mod:`advocacy_eval.stats.power`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import metrics
from ..schema import Programme
from ..stats.power import estimate_icc, mde_proportion, mde_rate_ratio, n_authors_for_rate_ratio, n_for_proportion, rate_design
from ..stats.rates import compare_rates


@dataclass
class NextWavePlan:
    """Inputs observed on the programme and the planning tables.

    Attributes
    ----------
    observed : pandas.DataFrame
        One row per observed input (name, value, meaning).
    participation : pandas.DataFrame
        By next-wave size: minimal detectable change of monthly participation.
    reach : pandas.DataFrame
        By next-wave size: minimal detectable amplification ratio against
        the claim (above and below it).
    required : pandas.DataFrame
        Volunteers required for the target changes (infinite when more
        volunteers cannot help, e.g. the page's own uncertainty dominates:
        then more page posts are needed).
    """

    observed: pd.DataFrame
    participation: pd.DataFrame
    reach: pd.DataFrame
    required: pd.DataFrame


def plan_next_wave(
    programme: Programme,
    sizes: Sequence[int] = (100, 200, 300, 500, 800),
    months: int = 6,
    participation_change: float = 0.10,
    claimed_ratio: float = 4.0,
    alpha: float = 0.05,
    power: float = 0.80,
) -> NextWavePlan:
    """Detectable effects and required volunteers for the next wave.

    Parameters
    ----------
    programme : Programme
        Validated programme (all waves so far).
    sizes : sequence of int
        Next-wave sizes (volunteers) to evaluate.
    months : int
        Months each new volunteer will be observed.
    participation_change : float
        Change of monthly participation (absolute, e.g. 0.10 = 10 points) to
        be able to detect against the waves so far.
    claimed_ratio : float
        Claimed amplification the next wave should confirm or refute.
    alpha, power : float
        Two-sided significance level and power.

    Returns
    -------
    NextWavePlan
    """
    employees, posts = programme.employees, programme.posts
    months_idx = metrics.month_range(programme.waves["start_date"].min(), posts["published_at"].max())
    grid = metrics.enrolled_months(employees, months_idx)
    active = metrics.add_month(posts.loc[posts["author_type"] == "employee"])[["author_id", "month"]]
    active = active.drop_duplicates().rename(columns={"author_id": "employee_id"}).assign(active=1)
    grid = grid.merge(active, on=["employee_id", "month"], how="left")
    grid["active"] = grid["active"].fillna(0).astype("float64")
    p0 = float(grid["active"].mean())
    icc_part = float(estimate_icc(grid, "active", "employee_id")["estimate"].iloc[0])
    deff_part = 1 + (months - 1) * max(icc_part, 0.0)
    n_so_far = int(grid["employee_id"].nunique())

    emp = posts.loc[posts["author_type"] == "employee"]
    design = rate_design(posts, by="author_type").set_index("level")
    e = design.loc["employee"]
    share_active = float(emp["author_id"].nunique() / max(n_so_far, 1))
    reach = compare_rates(posts, by="author_type", reference="company", vce="cr3").set_index("level")
    page_se = float(reach.loc["company", "se_log_rate"])
    posts_per_author_month = float(e["posts_per_author"]) / max(len(months_idx), 1)
    m_next = max(posts_per_author_month * months, 1.0)
    icc_reach = float(e["icc"]) if np.isfinite(e["icc"]) else 0.0
    observed_ratio = float(reach.loc["employee", "rate_ratio"])

    observed = pd.DataFrame([
        ("monthly_participation", p0, "active person-months / enrolled person-months so far"),
        ("icc_participation", icc_part, "intra-employee correlation of monthly activity"),
        ("design_effect_participation", deff_part, f"1 + ({months} - 1) x ICC over {months} months"),
        ("volunteers_so_far", n_so_far, "volunteers enrolled so far"),
        ("share_posting", share_active, "share of volunteers who posted at least once"),
        ("posts_per_author_month", posts_per_author_month, "posts per posting author and month"),
        ("cv_post_reach", float(e["cv_post"]), "coefficient of variation of post-level reach"),
        ("icc_reach", icc_reach, "intra-author correlation of reach"),
        ("page_se_log_rate", page_se, "standard error of the page's log reach rate"),
        ("observed_amplification", observed_ratio, "volunteers' reach rate / page's so far"),
    ], columns=["name", "value", "meaning"])

    rows_p, rows_r = [], []
    for size in sizes:
        units = size * months
        past_units = float(len(grid))
        res = mde_proportion(past_units, p0, alpha=alpha, power=power, deff=deff_part, ratio=units / past_units)
        rows_p.append({"volunteers": size, "person_months": units,
                       "detectable_participation": float(res["p1"].iloc[0]),
                       "detectable_change": float(res["estimate"].iloc[0])})
        authors = max(size * share_active, 2.0)
        up = mde_rate_ratio(authors, m_next, float(e["cv_post"]), icc=icc_reach, ref_se_log=page_se,
                            null_ratio=claimed_ratio, alpha=alpha, power=power)
        rows_r.append({"volunteers": size, "posting_authors": authors,
                       "ratio_detectably_above_claim": float(up["estimate"].iloc[0]),
                       "ratio_detectably_below_claim": claimed_ratio ** 2 / float(up["estimate"].iloc[0])})
    need_p = n_for_proportion(p0, min(p0 + participation_change, 0.999), alpha=alpha, power=power, deff=deff_part,
                              ratio=1.0)
    need_r = n_authors_for_rate_ratio(observed_ratio, m_next, float(e["cv_post"]), icc=icc_reach,
                                      ref_se_log=page_se, null_ratio=claimed_ratio, alpha=alpha, power=power)
    authors_needed = float(need_r["estimate"].iloc[0])
    required = pd.DataFrame([
        {"goal": f"detect a {100 * participation_change:+.0f}-point change of monthly participation "
                 "between two waves of equal size",
         "volunteers": float(np.ceil(float(need_p["estimate"].iloc[0]) / months))},
        {"goal": f"tell the observed {observed_ratio:.2f}x from the {claimed_ratio:g}x claim",
         "volunteers": float(np.ceil(authors_needed / share_active)) if np.isfinite(authors_needed) else np.inf},
    ])
    return NextWavePlan(observed=observed, participation=pd.DataFrame(rows_p), reach=pd.DataFrame(rows_r),
                        required=required)
