"""advocacy-eval: test the claims of an employee advocacy programme honestly.

Load a programme folder, then measure, compare and test (every ``by=`` takes a
column name or a list; author attributes come from
:meth:`~advocacy_eval.schema.Programme.posts_with_authors`)::

    from advocacy_eval.io import load_programme
    from advocacy_eval import metrics, stats

    programme = load_programme("data/sample")
    posts = programme.posts_with_authors()          # department, region, wave; the page labelled as the page
    metrics.reach_rate(posts, by=["author_type", "month"])
    stats.compare_rates(posts, by="author_type")    # cluster-robust (CR3, as in the reports)

Sub-packages, one way (``docs/architecture.md``): :mod:`~advocacy_eval.io`
(read and validate), :mod:`~advocacy_eval.metrics` (descriptive KPIs),
:mod:`~advocacy_eval.stats` (intervals and tests), :mod:`~advocacy_eval.effects`
(onboarding effect), :mod:`~advocacy_eval.analyses` (the numbers of a report),
:mod:`~advocacy_eval.cookbook` (analyst recipes with figures),
:mod:`~advocacy_eval.reports` and :mod:`~advocacy_eval.publish` (words,
figures, HTML). The ``advocacy-eval`` command is :mod:`advocacy_eval.cli`.
"""

__version__ = "0.1.0"
