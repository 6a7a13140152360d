"""Like-for-like comparisons of the volunteers' posts with the page's.

LinkedIn's exports do not measure both sides the same way. The page's
content export ("All posts" sheet) has impressions per post but no unique
reach; a volunteer's member export or an advocacy platform may have unique
members reached. A ratio of one side's unique reach to the other side's
impressions would compare two different metrics, so each comparison here uses
a metric that **both** sides have (:func:`reach_basis`):

- unique members reached per audience member, when every post on both sides
  has it;
- otherwise impressions per audience member, on both sides, and the report
  says which side lacked unique reach.

Since April 2024, LinkedIn counts the impressions of a repost toward the
original post. When volunteers reshare the programme's content after that
date, the page's figures may include impressions earned by the volunteers, and
the volunteers-to-page ratio is then understated (:func:`repost_rule_posts`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["MEASURED_ON", "REPOST_RULE_DATE", "ReachBasis", "reach_basis", "repost_rule_posts"]

REPOST_RULE_DATE = pd.Timestamp("2024-04-01")
"""From this day LinkedIn attributes a repost's impressions to the original post."""

MEASURED_ON: tuple[str, ...] = (
    "unique_reach",
    "impressions_page",
    "impressions_volunteers",
    "impressions_both",
)
"""Language-free names of the metric a reach comparison used, and why (see :func:`reach_basis`)."""


@dataclass(frozen=True)
class ReachBasis:
    """The metric a reach comparison uses.

    Attributes
    ----------
    numerator : str
        Column of the posts used as the numerator: ``"members_reached"`` or ``"impressions"``.
    measured_on : str
        One of :data:`MEASURED_ON`: the metric and why it was chosen.
    """

    numerator: str
    measured_on: str


def reach_basis(
    posts: pd.DataFrame, author_type: str = "author_type", page: str = "company"
) -> ReachBasis:
    """The reach metric both sides of a comparison have: unique reach if every post has it, else impressions.

    Parameters
    ----------
    posts : pandas.DataFrame
        The posts compared: page posts (``author_type == page``) and the volunteers' posts.
    author_type : str
        Column telling the page's posts from the volunteers'.
    page : str
        Value of ``author_type`` for the page.

    Returns
    -------
    ReachBasis

    Examples
    --------
    >>> posts = pd.DataFrame({"author_type": ["company", "employee"], "members_reached": [None, 40],
    ...                       "impressions": [900, 100]})
    >>> reach_basis(posts)
    ReachBasis(numerator='impressions', measured_on='impressions_page')
    """
    if "members_reached" not in posts.columns:
        return ReachBasis("impressions", "impressions_both")
    is_page = (posts[author_type] == page).fillna(False).to_numpy(dtype=bool)
    has_reach = posts["members_reached"].notna().to_numpy(dtype=bool)
    page_has = bool(has_reach[is_page].all())
    volunteers_have = bool(has_reach[~is_page].all())
    if page_has and volunteers_have:
        return ReachBasis("members_reached", "unique_reach")
    if volunteers_have:
        return ReachBasis("impressions", "impressions_page")
    if page_has:
        return ReachBasis("impressions", "impressions_volunteers")
    return ReachBasis("impressions", "impressions_both")


def repost_rule_posts(
    posts: pd.DataFrame, author_type: str = "author_type", page: str = "company"
) -> int:
    """Volunteers' reshares of programme content that LinkedIn may credit to the page (April 2024 rule).

    Counts the volunteers' posts of ``origin == "suggested"`` (content from the
    programme's library, typically the page's posts) published on or after
    :data:`REPOST_RULE_DATE`, when the page also has posts from that date on:
    their impressions may be counted in the page's figures too.

    Parameters
    ----------
    posts : pandas.DataFrame
        The posts compared, with ``published_at`` and, if known, ``origin``.
    author_type, page : str
        As in :func:`reach_basis`.

    Returns
    -------
    int
        0 when the rule cannot matter (no reshares after the date, no page posts after it, or no ``origin``).
    """
    if "origin" not in posts.columns or "published_at" not in posts.columns:
        return 0
    after = (posts["published_at"] >= REPOST_RULE_DATE).fillna(False).to_numpy(dtype=bool)
    is_page = (posts[author_type] == page).fillna(False).to_numpy(dtype=bool)
    if not (after & is_page).any():
        return 0
    reshared = (posts["origin"] == "suggested").fillna(False).to_numpy(dtype=bool)
    return int((after & ~is_page & reshared).sum())
