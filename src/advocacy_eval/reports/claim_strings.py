"""Report strings of the claims scorecard (English and French), merged into :data:`i18n.STRINGS`.

Kept in their own module so that adding a metric means adding its strings
here: ``metric_<name>`` (short name), ``claim_<name>`` (the claim in words,
with ``{op}`` and ``{value}``), ``def_metric_<name>`` (definition shown in the
appendix) and nothing else.
"""

from __future__ import annotations

__all__ = ["CLAIM_STRINGS"]

CLAIM_STRINGS: dict[str, dict[str, str]] = {
    # operators, in words ("at least 4.0x")
    "op_>=": {"en": "at least", "fr": "au moins"},
    "op_>": {"en": "more than", "fr": "plus de"},
    "op_<=": {"en": "at most", "fr": "au plus"},
    "op_<": {"en": "less than", "fr": "moins de"},
    # metric short names (scorecard CSV readers and table rows)
    "metric_amplification": {
        "en": "Reach-rate ratio, {participants} ÷ page",
        "fr": "Rapport des taux de portée, {participants} ÷ page",
    },
    "metric_reach_per_post_ratio": {
        "en": "People reached per post, {participants} ÷ page",
        "fr": "Personnes atteintes par publication, {participants} ÷ page",
    },
    "metric_engagement_per_post_ratio": {
        "en": "Engagements per post, {participants} ÷ page",
        "fr": "Interactions par publication, {participants} ÷ page",
    },
    "metric_engagement_rate_ratio": {
        "en": "Engagement-rate ratio, {participants} ÷ page",
        "fr": "Rapport des taux d'engagement, {participants} ÷ page",
    },
    "metric_corporate_share": {
        "en": "Corporate share of {participants}' posts",
        "fr": "Part de contenus corporate des {participants}",
    },
    "metric_monthly_participation": {
        "en": "Monthly participation of {participants}",
        "fr": "Participation mensuelle des {participants}",
    },
    "metric_staff_reached_share": {
        "en": "Share of staff reached by the programme",
        "fr": "Part du personnel touchée par le programme",
    },
    "metric_profiles_attributable": {
        "en": "LinkedIn profiles attributable to enrolling",
        "fr": "Profils LinkedIn attribuables à l'inscription",
    },
    "metric_effect_posts": {
        "en": "Effect of enrolling on posts",
        "fr": "Effet de l'inscription sur les publications",
    },
    # claims in words, generated when a claim has no label of its own
    "claim_amplification": {
        "en": "{Participants}' posts reach {op}{value} the page's reach rate",
        "fr": "Le taux de portée des publications des {participants} vaut {op}{value} celui de la page",
    },
    "claim_reach_per_post_ratio": {
        "en": "{Participants} reach {op}{value} as many people per post as the page",
        "fr": "Les {participants} atteignent {op}{value} plus de personnes par publication que la page",
    },
    "claim_engagement_per_post_ratio": {
        "en": "{Participants} engage {op}{value} as many people per post as the page",
        "fr": "Les {participants} suscitent {op}{value} plus d'interactions par publication que la page",
    },
    "claim_engagement_rate_ratio": {
        "en": "{Participants}' engagement rate is {op}{value} the page's",
        "fr": "Le taux d'engagement des {participants} vaut {op}{value} celui de la page",
    },
    "claim_corporate_share": {
        "en": "Corporate content is {op}{value} of {participants}' posts",
        "fr": "Les contenus corporate font {op}{value} des publications des {participants}",
    },
    "claim_monthly_participation": {
        "en": "{op_cap}{value} of {participants} post in a given month",
        "fr": "{op_cap}{value} des {participants} publient dans un mois donné",
    },
    "claim_staff_reached_share": {
        "en": "The programme reaches {op}{value} of staff",
        "fr": "Le programme touche {op}{value} du personnel",
    },
    "claim_profiles_attributable": {
        "en": "{op_cap}{value} LinkedIn profiles created thanks to the programme",
        "fr": "{op_cap}{value} profils LinkedIn créés grâce au programme",
    },
    "claim_effect_posts": {
        "en": "Enrolling changes monthly posts by {op}{value}",
        "fr": "L'inscription change les publications mensuelles de {op}{value}",
    },
    "claim_effect_posts_positive": {
        "en": "Enrolling increases monthly posts",
        "fr": "L'inscription augmente le nombre de publications mensuelles",
    },
    # units
    "unit_posts_per_month": {
        "en": "{sign}{value} posts per {participant} per month",
        "fr": "{sign}{value} publications par {participant} et par mois",
    },
    "band": {"en": " (± {tolerance})", "fr": " (± {tolerance})"},
    # scorecard table
    "col_programme_all": {"en": "Programme (all waves)", "fr": "Programme (toutes vagues)"},
    "col_change_descriptive": {
        "en": "Change since {wave} (descriptive)",
        "fr": "Évolution depuis {wave} (descriptive)",
    },
    "verdict_symbol_supported": {"en": "✓", "fr": "✓"},
    "verdict_symbol_contradicted": {"en": "✗", "fr": "✗"},
    "verdict_symbol_inconclusive": {"en": "?", "fr": "?"},
    "missing_no_activity": {
        "en": "not measured: no activity table",
        "fr": "non mesuré : pas de table d'activité",
    },
    "missing_no_page_posts": {
        "en": "not measured: no page posts in the period",
        "fr": "non mesuré : aucune publication de la page sur la période",
    },
    "missing_no_posts": {"en": "not measured: no posts", "fr": "non mesuré : aucune publication"},
    "missing_too_few_people": {
        "en": "hidden: fewer than {k} people",
        "fr": "masqué : moins de {k} personnes",
    },
    "missing_not_estimable": {
        "en": "not estimable from these data",
        "fr": "non estimable avec ces données",
    },
    "missing_programme_only": {
        "en": "programme level only",
        "fr": "au niveau du programme seulement",
    },
    "scorecard_programme_only_note": {
        "en": "Claims about the whole programme (such as profiles created) are scored in the programme report.",
        "fr": "Les affirmations portant sur tout le programme (comme les profils créés) sont évaluées dans le rapport de programme.",
    },
    "prog_scorecard": {
        "en": "1. Programme scorecard",
        "fr": "1. Tableau des affirmations du programme",
    },
    "prog_scorecard_intro": {
        "en": "Every claim of the programme, measured on all waves pooled, with each wave's own figure: first what the data can say, then the figures.",
        "fr": "Chaque affirmation du programme, mesurée sur toutes les vagues réunies, avec le chiffre de chaque vague : d'abord ce que les données permettent d'affirmer, puis les chiffres.",
    },
    "prog_scorecard_summary_supported": {
        "en": "Supported: {claims}.",
        "fr": "Confirmées : {claims}.",
    },
    "prog_scorecard_summary_contradicted": {
        "en": "Contradicted: {claims}.",
        "fr": "Contredites : {claims}.",
    },
    "prog_scorecard_summary_inconclusive": {
        "en": "Inconclusive: {claims}.",
        "fr": "Non tranchées : {claims}.",
    },
    "prog_scorecard_summary_intro": {
        "en": "Of {n} claims tested on the whole programme: {supported}, {contradicted}, {inconclusive}.",
        "fr": "Sur {n} affirmations testées sur l'ensemble du programme : {supported}, {contradicted}, {inconclusive}.",
    },
    "def_metric_amplification": {
        "en": "Reach-rate ratio: (members reached ÷ audience) of {participants}' posts published on or after their own enrolment, divided by the same ratio for the company page's posts over the same period.",
        "fr": "Rapport des taux de portée : (membres atteints ÷ audience) des publications des {participants} faites à partir de leur inscription, divisé par le même rapport pour les publications de la page entreprise sur la même période.",
    },
    "def_metric_reach_per_post_ratio": {
        "en": "Average members reached per post of a {participant}, divided by the average per page post (same posts and period).",
        "fr": "Nombre moyen de membres atteints par publication des {participants}, divisé par la moyenne par publication de la page (mêmes publications, même période).",
    },
    "def_metric_engagement_per_post_ratio": {
        "en": "Average engagements (reactions + comments + reposts + clicks, those available) per post of a {participant}, divided by the average per page post.",
        "fr": "Nombre moyen d'interactions (réactions + commentaires + republications + clics, selon disponibilité) par publication des {participants}, divisé par la moyenne par publication de la page.",
    },
    "def_metric_engagement_rate_ratio": {
        "en": "Engagement rate (engagements ÷ impressions) of {participants}' posts divided by the page's.",
        "fr": "Taux d'engagement (interactions ÷ impressions) des publications des {participants} divisé par celui de la page.",
    },
    "def_metric_corporate_share": {
        "en": "Share of {participants}' posts, from their enrolment on, that are corporate content (values, expertise, offers, projects).",
        "fr": "Part des publications des {participants}, depuis leur inscription, qui sont des contenus corporate (valeurs, expertise, offres, projets).",
    },
    "def_metric_monthly_participation": {
        "en": "Share of volunteer-months with at least one post, over the months each {participant} was enrolled and employed.",
        "fr": "Part des mois-volontaires comptant au moins une publication, sur les mois où chaque {participant} était inscrit et présent.",
    },
    "def_metric_staff_reached_share": {
        "en": "Share of eligible staff the programme touched (enrolled, attended a programme session, or created a LinkedIn profile during the programme) among everyone employed during the programme; for a wave, from the programme's start to the wave's end.",
        "fr": "Part du personnel éligible touchée par le programme (inscription, participation à une session du programme ou création d'un profil LinkedIn pendant le programme) parmi toutes les personnes présentes pendant le programme ; pour une vague, du début du programme à la fin de la vague.",
    },
    "def_metric_profiles_attributable": {
        "en": "Profiles that {participants} have because they enrolled: for each {participant}, the effect of enrolling on having a profile at the end of their observation, against colleagues not yet enrolled who had the same profile status the month before enrolment, summed over volunteers.",
        "fr": "Profils que les {participants} possèdent parce qu'ils se sont inscrits : pour chaque {participant}, l'effet de l'inscription sur le fait d'avoir un profil à la fin de son observation, face aux collègues pas encore inscrits qui avaient le même statut le mois précédant l'inscription, additionné sur les volontaires.",
    },
    "def_metric_effect_posts": {
        "en": "Change in posts per {participant} per month caused by enrolling, against colleagues not yet enrolled over the same months (staggered difference-in-differences, Callaway & Sant'Anna), averaged over every volunteer-month since enrolment.",
        "fr": "Variation du nombre de publications par {participant} et par mois due à l'inscription, face aux collègues pas encore inscrits sur les mêmes mois (doubles différences échelonnées, Callaway & Sant'Anna), en moyenne sur tous les mois-volontaires depuis l'inscription.",
    },
    # wave report rows and sentences built on the scorecard
    "pretrend_flag": {
        "en": "⚠ pre-enrolment test failed (p = {p}): {participants}' trend already differed before enrolling",
        "fr": "⚠ test avant inscription non passé (p = {p}) : la tendance des {participants} différait déjà avant l'inscription",
    },
    "suppressed_secondary": {
        "en": "hidden to protect a smaller group",
        "fr": "masqué pour protéger un groupe plus petit",
    },
    "missing_suppressed_secondary": {
        "en": "hidden to protect a smaller group",
        "fr": "masqué pour protéger un groupe plus petit",
    },
    "sentence_profiles_secondary": {
        "en": "The profile figures of this wave are hidden to protect a smaller group in another wave (the same cells are hidden in every report of this run).",
        "fr": "Les chiffres de profils de cette vague sont masqués pour protéger un groupe plus petit d'une autre vague (les mêmes cellules sont masquées dans tous les rapports de cette édition).",
    },
    "waves_left_out": {
        "en": "{n} wave(s) with fewer than {k} {participants} are left out of every figure of this run's reports, to protect them.",
        "fr": "{n} vague(s) de moins de {k} {participants} sont exclues de tous les chiffres des rapports de cette édition, pour les protéger.",
    },
    "basis_volunteers": {
        "en": "{n} {participants} in the estimate",
        "fr": "{n} {participants} dans l'estimation",
    },
    "descriptive_count": {"en": "descriptive count", "fr": "décompte descriptif"},
    "kpi_profiles": {
        "en": "LinkedIn profiles created since the enrolment month",
        "fr": "Profils LinkedIn créés depuis le mois d'inscription",
    },
    "kpi_profile_rate": {
        "en": "Profile creation rate (without a profile before the enrolment month)",
        "fr": "Taux de création de profil (sans profil avant le mois d'inscription)",
    },
    "kpi_profiles_attributable": {
        "en": "Profiles attributable to enrolling",
        "fr": "Profils attribuables à l'inscription",
    },
    "sentence_claim": {
        "en": "{claim}: measured {value} (95% interval {interval}), {verdict}.",
        "fr": "{claim} : mesuré {value} (intervalle à 95 % {interval}), {verdict}.",
    },
    "sentence_claim_missing": {"en": "{claim}: {reason}.", "fr": "{claim} : {reason}."},
    "col_share_active_window": {
        "en": "Posted within {months} months of enrolling",
        "fr": "Ont publié dans les {months} mois suivant l'inscription",
    },
    # programme report: each aggregation of the effect labelled
    "label_overall_effect": {
        "en": "(Overall effect: the average over every volunteer-month since enrolment, the figure used in the scorecard.)",
        "fr": "(Effet global : moyenne sur tous les mois-volontaires depuis l'inscription, le chiffre retenu dans le tableau des affirmations.)",
    },
    "label_honest_target": {
        "en": "The sensitivity analysis bounds a different average: the mean of the month-by-month effects from month 0 to month {last} after enrolment, each month weighted equally ({estimate}), whereas the overall effect weights every volunteer-month equally ({overall}).",
        "fr": "L'analyse de sensibilité porte sur une autre moyenne : celle des effets mois par mois, du mois 0 au mois {last} après l'inscription, chaque mois pesant autant ({estimate}), alors que l'effet global donne le même poids à chaque mois-volontaire ({overall}).",
    },
    "estimator_es_average": {
        "en": "Average of month-by-month effects, months 0 to {last} (sensitivity target)",
        "fr": "Moyenne des effets mois par mois, mois 0 à {last} (cible de la sensibilité)",
    },
    "pretrend_failed_short": {"en": "test failed", "fr": "test non passé"},
    "count_units_control": {
        "en": "Colleagues in the monthly panel never enrolled (the controls)",
        "fr": "Collègues du panel mensuel jamais inscrits (le groupe de comparaison)",
    },
    "prog_appendix_technical": {
        "en": "Technical appendix: how solid is the estimate?",
        "fr": "Annexe technique : quelle est la solidité de l'estimation ?",
    },
    "mix_appendix_intro": {
        "en": "Content mix, every method. The score test that treats posts as independent ignores that each author has their own habits; it is far too confident and is shown for comparison only. The report's figure is the cluster-robust one.",
        "fr": "Répartition des contenus, toutes méthodes. Le test du score qui traite les publications comme indépendantes ignore les habitudes propres à chaque auteur ; il est bien trop confiant et n'est montré que pour comparaison. Le chiffre du rapport est celui qui en tient compte.",
    },
}
"""Strings of the claims scorecard, by key and language."""
