"""Report strings of the page itself (English and French), merged into :data:`i18n.STRINGS`.

The "what we can say" box above the scorecard (``box_*``, ``say_*``,
``settle_*``, ``count_*``), the figures' descriptions for readers who do not
see them (``alt_*``), the print footer (``footer_*``) and the engagement
terms (``term_*``). Typography (spaces before ``:``, apostrophes...) is
applied when the report is published (:mod:`advocacy_eval.reports.typography`).
"""

from __future__ import annotations

__all__ = ["PAGE_STRINGS"]

PAGE_STRINGS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- the box above the scorecard
    "box_title": {"en": "Summary: what we can say", "fr": "Synthèse : ce que l'on peut affirmer"},
    "box_lead_wave": {
        "en": "{n} claims tested on this wave's {participants}: {counts}.",
        "fr": "{n} affirmations testées sur les {participants} de cette vague : {counts}.",
    },
    "box_lead_programme": {
        "en": "{n} claims tested on all waves pooled: {counts}.",
        "fr": "{n} affirmations testées sur toutes les vagues réunies : {counts}.",
    },
    "box_lead_one_wave": {
        "en": "One claim tested on this wave's {participants}: {counts}.",
        "fr": "Une affirmation testée sur les {participants} de cette vague : {counts}.",
    },
    "box_lead_one_programme": {
        "en": "One claim tested on all waves pooled: {counts}.",
        "fr": "Une affirmation testée sur toutes les vagues réunies : {counts}.",
    },
    "box_note": {
        "en": "The verdict comes from the 95% interval, never from the estimate alone: ✓ supported if the whole interval agrees with the claim, ✗ contradicted if the whole interval disagrees, ? inconclusive otherwise. Each line gives the strongest statement the interval supports and, for an inconclusive claim, what would settle it (with an 80% chance, if the current estimate is the truth).",
        "fr": "Le verdict vient de l'intervalle à 95 %, jamais de la seule estimation : ✓ confirmée si tout l'intervalle va dans le sens de l'affirmation, ✗ contredite si tout l'intervalle la dément, ? non tranchée sinon. Chaque ligne donne l'affirmation la plus forte que l'intervalle permet et, pour une affirmation non tranchée, ce qui permettrait de trancher (avec 80 % de chances, si l'estimation actuelle est la bonne).",
    },
    "box_claimed": {"en": "Claimed: {claim}.", "fr": "Affirmé : {claim}."},
    "prog_scorecard_by_wave": {
        "en": "Each wave's own figure: estimate [95% interval] and verdict (✓ supported, ✗ contradicted, ? inconclusive).",
        "fr": "Le chiffre de chaque vague : estimation [intervalle à 95 %] et verdict (✓ confirmée, ✗ contredite, ? non tranchée).",
    },
    "claim_short_increase": {"en": "an increase", "fr": "une hausse"},
    "claim_short_decrease": {"en": "a decrease", "fr": "une baisse"},
    "count_supported_one": {"en": "{n} supported", "fr": "{n} confirmée"},
    "count_supported_many": {"en": "{n} supported", "fr": "{n} confirmées"},
    "count_contradicted_one": {"en": "{n} contradicted", "fr": "{n} contredite"},
    "count_contradicted_many": {"en": "{n} contradicted", "fr": "{n} contredites"},
    "count_inconclusive_one": {"en": "{n} inconclusive", "fr": "{n} non tranchée"},
    "count_inconclusive_many": {"en": "{n} inconclusive", "fr": "{n} non tranchées"},
    # the strongest statement each metric's interval supports ({low} and {high} already formatted)
    "say_amplification": {
        "en": "{Participants} reach {low} to {high} times the page's reach rate",
        "fr": "Les {participants} atteignent {low} à {high} fois le taux de portée de la page",
    },
    "say_amplification_inverse": {
        "en": "The page's reach rate is {low} to {high} times {participants}'",
        "fr": "Le taux de portée de la page vaut {low} à {high} fois celui des {participants}",
    },
    "say_reach_per_post_ratio": {
        "en": "Per post, {participants} reach {low} to {high} times as many people as the page",
        "fr": "Par publication, les {participants} touchent {low} à {high} fois le public de la page",
    },
    "say_reach_per_post_ratio_inverse": {
        "en": "Per post, the page reaches {low} to {high} times as many people as {participants}",
        "fr": "Par publication, la page touche {low} à {high} fois plus de personnes que les {participants}",
    },
    "say_engagement_per_post_ratio": {
        "en": "Per post, {participants} get {low} to {high} times as many engagements as the page",
        "fr": "Par publication, les {participants} suscitent {low} à {high} fois le nombre d'interactions de la page",
    },
    "say_engagement_per_post_ratio_inverse": {
        "en": "Per post, the page gets {low} to {high} times as many engagements as {participants}",
        "fr": "Par publication, la page suscite {low} à {high} fois plus d'interactions que les {participants}",
    },
    "say_engagement_rate_ratio": {
        "en": "{Participants}' engagement rate is {low} to {high} times the page's",
        "fr": "Le taux d'engagement des {participants} vaut {low} à {high} fois celui de la page",
    },
    "say_engagement_rate_ratio_inverse": {
        "en": "The page's engagement rate is {low} to {high} times that of {participants}",
        "fr": "Le taux d'engagement de la page vaut {low} à {high} fois celui des {participants}",
    },
    "say_corporate_share": {
        "en": "Corporate content makes up {low} to {high} of {participants}' posts",
        "fr": "Les contenus corporate font {low} à {high} des publications des {participants}",
    },
    "say_monthly_participation": {
        "en": "Between {low} and {high} of {participants} post in a given month",
        "fr": "Entre {low} et {high} des {participants} publient dans un mois donné",
    },
    "say_staff_reached_share": {
        "en": "The programme has reached between {low} and {high} of staff",
        "fr": "Le programme a touché entre {low} et {high} du personnel",
    },
    "say_profiles_attributable": {
        "en": "Enrolling led to between {low} and {high} LinkedIn profiles that would not exist otherwise",
        "fr": "L'inscription a fait naître entre {low} et {high} profils LinkedIn qui n'existeraient pas sinon",
    },
    "say_profiles_attributable_zero": {
        "en": "Enrolling led to at most {high} LinkedIn profiles that would not exist otherwise, possibly none",
        "fr": "L'inscription a fait naître au plus {high} profils LinkedIn qui n'existeraient pas sinon, peut-être aucun",
    },
    "say_effect_posts": {
        "en": "Enrolling adds {low} to {high} posts per {participant} per month",
        "fr": "L'inscription ajoute {low} à {high} publications par {participant} et par mois",
    },
    "say_effect_posts_negative": {
        "en": "Enrolling removes {low} to {high} posts per {participant} per month",
        "fr": "L'inscription retire {low} à {high} publications par {participant} et par mois",
    },
    "say_effect_posts_zero": {
        "en": "The effect of enrolling lies between {low} and {high} posts per {participant} per month: it may be zero",
        "fr": "L'effet de l'inscription se situe entre {low} et {high} publications par {participant} et par mois : il peut être nul",
    },
    "say_generic": {
        "en": "{metric}: between {low} and {high}",
        "fr": "{metric} : entre {low} et {high}",
    },
    "say_missing": {"en": "{claim}: {reason}", "fr": "{claim} : {reason}"},
    # what would settle an inconclusive claim (numbers from analyses.planning.settle_claims)
    "settle_volunteers_wave": {
        "en": "To settle it: about {needed} {participants} (this wave has {now}).",
        "fr": "Pour trancher : environ {needed} {participants} (cette vague en compte {now}).",
    },
    "settle_volunteers_programme": {
        "en": "To settle it: about {needed} {participants} (the programme has {now}).",
        "fr": "Pour trancher : environ {needed} {participants} (le programme en compte {now}).",
    },
    "settle_page": {
        "en": "More {participants} cannot settle this: the page's own uncertainty dominates.",
        "fr": "Ajouter des {participants} ne suffirait pas à trancher : l'incertitude propre à la page domine.",
    },
    "settle_page_months": {
        "en": "About {needed} months of data would ({now} so far).",
        "fr": "Il faudrait environ {needed} mois de données ({now} à ce jour).",
    },
    "settle_too_close": {
        "en": "No realistic number of {participants} would settle it: the estimate is too close to the claimed value.",
        "fr": "Aucun effectif réaliste ne suffirait à trancher : l'estimation est trop proche de la valeur affirmée.",
    },
    "settle_not_measured": {
        "en": "It will be settled once it can be measured.",
        "fr": "Elle sera tranchée quand elle pourra être mesurée.",
    },
    # ---------------------------------------------------------------- figures: what each one shows, in words
    "alt_participation": {
        "en": "Line chart: share of {wave} {participants} who posted, month by month from {first} to {last}: between {low} and {high}, {last_value} in {last}; average {average}.",
        "fr": "Courbe : part des {participants} de {wave} ayant publié, mois par mois de {first} à {last} : entre {low} et {high}, {last_value} en {last} ; moyenne {average}.",
    },
    "alt_reach": {
        "en": "Bar chart: reach rate of {participants}' posts {employee}, of the page's posts {page}; ratio {ratio} ({low}–{high}) against a claimed {claim}.",
        "fr": "Diagramme : taux de portée des publications des {participants} {employee}, de celles de la page {page} ; rapport {ratio} ({low}–{high}) face à {claim} affirmé.",
    },
    "alt_mix": {
        "en": "Corporate share of {participants}' posts {value} ({low}–{high}) against a target of {target}.",
        "fr": "Part de contenus corporate dans les publications des {participants} : {value} ({low}–{high}), face à une cible de {target}.",
    },
    "alt_event_study": {
        "en": "Effect of enrolling on {outcome}, month by month: before enrolment (placebo) between {pre_low} and {pre_high}; after enrolment between {post_low} and {post_high}.",
        "fr": "Effet de l'inscription sur {outcome}, mois par mois : avant l'inscription (placebo) entre {pre_low} et {pre_high} ; après l'inscription entre {post_low} et {post_high}.",
    },
    "alt_event_study_no_pre": {
        "en": "Effect of enrolling on {outcome}, month by month after enrolment: between {post_low} and {post_high}.",
        "fr": "Effet de l'inscription sur {outcome}, mois par mois après l'inscription : entre {post_low} et {post_high}.",
    },
    "alt_waves": {
        "en": "Effect on {outcome} per wave: {waves}; all waves {overall}.",
        "fr": "Effet sur {outcome} par vague : {waves} ; toutes vagues {overall}.",
    },
    "alt_wave_item": {
        "en": "{wave} {estimate} ({low} to {high})",
        "fr": "{wave} {estimate} ({low} à {high})",
    },
    "alt_honest": {
        "en": "Robust 95% interval of the average effect after enrolment: {first} when no departure from parallel trends is allowed, {last} when departures up to {m} times the largest seen before enrolment are allowed.",
        "fr": "Intervalle robuste à 95 % de l'effet moyen après l'inscription : {first} sans écart admis à l'évolution parallèle, {last} avec des écarts jusqu'à {m} fois le plus grand observé avant l'inscription.",
    },
    "interval_to": {"en": "{low} to {high}", "fr": "{low} à {high}"},
    "fig_points": {"en": "points", "fr": "points"},
    "outcome_phrase_posts": {
        "en": "the number of posts per month",
        "fr": "le nombre de publications par mois",
    },
    "outcome_phrase_members_reached": {
        "en": "the members reached per month",
        "fr": "le nombre de membres atteints par mois",
    },
    "outcome_phrase_impressions": {
        "en": "impressions per month",
        "fr": "le nombre d'impressions par mois",
    },
    "outcome_phrase_engagements": {
        "en": "engagements per month",
        "fr": "le nombre d'interactions par mois",
    },
    "outcome_phrase_followers": {"en": "followers", "fr": "le nombre d'abonnés"},
    "outcome_phrase_has_profile": {
        "en": "the share with a LinkedIn profile",
        "fr": "la part ayant un profil LinkedIn",
    },
    # ---------------------------------------------------------------- print footer
    "footer_confidential": {
        "en": "Confidential — internal use",
        "fr": "Confidentiel — usage interne",
    },
    "footer_page": {"en": "page", "fr": "page"},
    # ---------------------------------------------------------------- engagement terms (definitions)
    "term_reactions": {"en": "reactions", "fr": "réactions"},
    "term_comments": {"en": "comments", "fr": "commentaires"},
    "term_reposts": {"en": "reposts", "fr": "republications"},
    "term_clicks": {"en": "clicks", "fr": "clics"},
    "term_follows": {"en": "follows", "fr": "abonnements"},
}
"""Strings of the report page, by key and language."""
