"""Every word and number format shown in a report, in English and French.

Translations live here and nowhere else: notebooks and library code ask for a
key with :func:`t` and format numbers with :func:`fmt_pct`, :func:`fmt_int`,
:func:`fmt_ratio` and :func:`fmt_date`.

The programme's name and what its participants are called are never written
here: strings use the placeholders ``{programme}``, ``{Programme}`` (capital
first letter, for titles), ``{participants}``, ``{Participants}``,
``{participant}`` and ``{Participant}``, which :func:`t` fills from the active
:class:`~advocacy_eval.reports.vocabulary.Vocabulary` (see
:func:`set_vocabulary` and :func:`use_vocabulary`).
"""

from __future__ import annotations

import contextlib
import math
import sys
from typing import Any

from .claim_strings import CLAIM_STRINGS
from .page_strings import PAGE_STRINGS
from .vocabulary import (  # noqa: F401  (re-exported: the vocabulary API is reachable from i18n)
    PLACEHOLDERS,
    Vocabulary,
    current_vocabulary,
    reset_vocabulary,
    set_vocabulary,
    use_vocabulary,
)

__all__ = [
    "LANGS",
    "MINUS",
    "NNBSP",
    "STRINGS",
    "anticipation_text",
    "check_lang",
    "fmt_date",
    "fmt_int",
    "fmt_interval",
    "fmt_num",
    "fmt_p",
    "fmt_pct",
    "fmt_ratio",
    "t",
]

LANGS: tuple[str, ...] = ("en", "fr")
"""Supported report languages."""

NNBSP = "\u202f"
"""Narrow no-break space: French thousands separator and space before %."""

MINUS = "\u2212"
"""Minus sign of negative numbers (not the hyphen)."""

_MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "fr": [
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ],
}

STRINGS: dict[str, dict[str, str]] = {
    "title": {"en": "{Programme} — {wave_name}", "fr": "{Programme} — {wave_name}"},
    "subtitle": {
        "en": "{Participants} of {wave} (enrolled {start} to {end}), observed until {data_end}.",
        "fr": "{Participants} de la vague {wave} (inscrits du {start} au {end}), observés jusqu'au {data_end}.",
    },
    "summary": {"en": "1. Key figures", "fr": "1. Chiffres clés"},
    "participation": {"en": "2. Participation", "fr": "2. Participation"},
    "reach": {"en": "3. Reach and amplification", "fr": "3. Portée et amplification"},
    "mix": {"en": "4. Content mix", "fr": "4. Répartition des contenus"},
    "profiles": {"en": "5. LinkedIn profiles", "fr": "5. Profils LinkedIn"},
    "appendix": {
        "en": "Appendix: definitions, methods and data",
        "fr": "Annexe : définitions, méthodes et données",
    },
    # claims scorecard
    "scorecard": {"en": "Claims scorecard", "fr": "Tableau des affirmations"},
    "scorecard_intro": {
        "en": "Each claim of the programme, measured on this wave's {participants}: first what the data can say, then the figures.",
        "fr": "Chaque affirmation du programme, mesurée sur les {participants} de cette vague : d'abord ce que les données permettent d'affirmer, puis les chiffres.",
    },
    "col_claim": {"en": "Claim", "fr": "Affirmation"},
    "col_measured": {"en": "Measured", "fr": "Mesuré"},
    "col_verdict": {"en": "Verdict", "fr": "Verdict"},
    "col_change": {"en": "Change since {wave}", "fr": "Évolution depuis {wave}"},
    "col_change_none": {
        "en": "Change since previous wave",
        "fr": "Évolution depuis la vague précédente",
    },
    "kpi_wave_effect": {
        "en": "Effect of enrolling on posts per month",
        "fr": "Effet de l'inscription sur les publications par mois",
    },
    "basis_wave_effect": {
        "en": "{n} {participants} vs colleagues not yet enrolled",
        "fr": "{n} {participants} face aux collègues pas encore inscrits",
    },
    # KPI table
    "col_indicator": {"en": "Indicator", "fr": "Indicateur"},
    "col_value": {"en": "Value", "fr": "Valeur"},
    "col_ci": {"en": "95% interval", "fr": "Intervalle à 95 %"},
    "col_basis": {"en": "Based on", "fr": "Base"},
    "col_reading": {"en": "Reading", "fr": "Lecture"},
    "col_group": {"en": "Group", "fr": "Groupe"},
    "col_department": {"en": "Department", "fr": "Direction"},
    "col_wave": {"en": "Wave", "fr": "Vague"},
    "col_enrolled": {"en": "{Participants}", "fr": "{Participants}"},
    "col_share_active": {"en": "Posted at least once", "fr": "Ont publié au moins une fois"},
    "col_p_adjusted": {"en": "Adjusted p-value ({method})", "fr": "p-valeur ajustée ({method})"},
    "col_difference": {"en": "Difference vs {ref}", "fr": "Écart avec {ref}"},
    "col_method": {"en": "Method", "fr": "Méthode"},
    "col_posts": {"en": "Posts", "fr": "Publications"},
    "col_authors": {"en": "Authors", "fr": "Auteurs"},
    "col_file": {"en": "File", "fr": "Fichier"},
    "col_sha": {"en": "SHA-256 (start)", "fr": "SHA-256 (début)"},
    "col_term": {"en": "Term", "fr": "Terme"},
    "col_definition": {"en": "Definition", "fr": "Définition"},
    "col_parameter": {"en": "Parameter", "fr": "Paramètre"},
    "kpi_volunteers": {"en": "{Participants} enrolled", "fr": "{Participants} inscrits"},
    "kpi_active": {
        "en": "{Participants} who posted at least once",
        "fr": "{Participants} ayant publié au moins une fois",
    },
    "kpi_monthly_participation": {
        "en": "Average monthly participation",
        "fr": "Participation mensuelle moyenne",
    },
    "kpi_employee_reach": {
        "en": "Reach rate, {participants}' posts",
        "fr": "Taux de portée, publications des {participants}",
    },
    "kpi_page_reach": {"en": "Reach rate, company page", "fr": "Taux de portée, page entreprise"},
    "kpi_amplification": {
        "en": "Amplification ({participants} ÷ page)",
        "fr": "Amplification ({participants} ÷ page)",
    },
    "kpi_corporate_share": {
        "en": "Corporate share of {participants}' posts",
        "fr": "Part de contenus corporate des {participants}",
    },
    "kpi_engagement": {
        "en": "Engagement rate, {participants}' posts",
        "fr": "Taux d'engagement, publications des {participants}",
    },
    "kpi_profiles": {
        "en": "LinkedIn profiles created after enrolment",
        "fr": "Profils LinkedIn créés après l'inscription",
    },
    "basis_people": {"en": "{n} people", "fr": "{n} personnes"},
    "basis_posts_authors": {
        "en": "{posts} posts, {authors} authors",
        "fr": "{posts} publications, {authors} auteurs",
    },
    "basis_posts": {"en": "{posts} posts", "fr": "{posts} publications"},
    "basis_person_months": {"en": "{n} person-months", "fr": "{n} personnes-mois"},
    "basis_without_profile": {"en": "of {n} without a profile", "fr": "sur {n} sans profil"},
    "author_company": {"en": "Company page", "fr": "Page entreprise"},
    "author_employee": {"en": "{Participants}", "fr": "{Participants}"},
    # verdicts
    "verdict_supported": {"en": "supported", "fr": "confirmée"},
    "verdict_contradicted": {"en": "contradicted", "fr": "contredite"},
    "verdict_inconclusive": {"en": "inconclusive", "fr": "non tranchée"},
    "sentence_participation": {
        "en": "{active} of {n} {participants} ({share}) have posted at least once since enrolling; on average {monthly} post in a given month.",
        "fr": "{active} des {n} {participants} ({share}) ont publié au moins une fois depuis leur inscription ; en moyenne {monthly} publient au cours d'un mois donné.",
    },
    "sentence_profiles": {
        "en": "{created} of the {without} {participants} who had no LinkedIn profile before their enrolment month created one since ({rate}); over the same period {bg_rate} of non-enrolled employees without a profile created one.",
        "fr": "{created} des {without} {participants} sans profil LinkedIn avant leur mois d'inscription en ont créé un depuis ({rate}) ; sur la même période, {bg_rate} des salariés non inscrits sans profil en ont créé un.",
    },
    "sentence_profiles_small": {
        "en": "Fewer than {k} {participants} had no LinkedIn profile at enrolment: their figures are not shown.",
        "fr": "Moins de {k} {participants} n'avaient pas de profil LinkedIn à l'inscription : leurs chiffres ne sont pas affichés.",
    },
    "sentence_profiles_none": {
        "en": "All {participants} already had a LinkedIn profile when they enrolled.",
        "fr": "Tous les {participants} avaient déjà un profil LinkedIn à leur inscription.",
    },
    "caveat_causal": {
        "en": "These are descriptive comparisons of {participants}, who chose to join: they do not by themselves show what the programme caused.",
        "fr": "Ces comparaisons décrivent des {participants}, qui ont choisi de participer : elles ne montrent pas à elles seules l'effet propre du programme.",
    },
    "suppressed": {"en": "fewer than {k} people", "fr": "moins de {k} personnes"},
    "wave_comparison_intro": {
        "en": "Share of {participants} who posted within {months} months of enrolling, by wave, each compared with {ref}.",
        "fr": "Part des {participants} ayant publié dans les {months} mois suivant leur inscription, par vague, comparée à {ref}.",
    },
    "wave_comparison_none": {
        "en": "No earlier wave to compare with.",
        "fr": "Aucune vague antérieure à comparer.",
    },
    "col_p_target": {"en": "p-value vs {target}", "fr": "p-valeur face à {target}"},
    "mix_variant_iid": {
        "en": "Posts taken as independent (score test, Wilson interval)",
        "fr": "Publications supposées indépendantes (test du score, intervalle de Wilson)",
    },
    "mix_variant_cluster": {
        "en": "Allowing for authors' differing habits (cluster-robust by author)",
        "fr": "En tenant compte des habitudes de chaque auteur (robuste par auteur)",
    },
    "mix_label_iid": {"en": "posts independent", "fr": "publications indépendantes"},
    "mix_label_cluster": {"en": "by author (recommended)", "fr": "par auteur (recommandé)"},
    "method_rates": {
        "en": "Reach and engagement rates: Poisson model with log-exposure offset (ratio of sums); standard errors clustered by author, the company page (a single author) by post, by the delete-one-cluster jackknife (CR3), better calibrated than the usual sandwich when a few prolific authors weigh heavily; intervals on the log scale.",
        "fr": "Taux de portée et d'engagement : modèle de Poisson avec exposition en log (ratio de sommes) ; erreurs types groupées par auteur, la page entreprise (un seul auteur) par publication, par jackknife supprimant un groupe à la fois (CR3), mieux calibré que le sandwich usuel quand quelques auteurs très actifs pèsent lourd ; intervalles sur l'échelle log.",
    },
    "method_claim": {
        "en": "Claimed multiple: one-sided z-tests of log(ratio) against log(claim); verdict from the 95% interval: supported if its lower bound is at or above the claim, contradicted if its upper bound is below it, otherwise inconclusive.",
        "fr": "Multiple affirmé : tests z unilatéraux de log(ratio) contre log(affirmation) ; verdict d'après l'intervalle à 95 % : confirmée si sa borne basse atteint l'affirmation, contredite si sa borne haute est en dessous, sinon non tranchée.",
    },
    "method_participation": {
        "en": "Average monthly participation: active person-months ÷ enrolled person-months, standard errors clustered by employee.",
        "fr": "Participation mensuelle moyenne : personnes-mois actives ÷ personnes-mois inscrites, erreurs types groupées par salarié.",
    },
    "method_wilson": {
        "en": "Shares of people: Wilson score intervals.",
        "fr": "Parts de personnes : intervalles du score de Wilson.",
    },
    "method_mix": {
        "en": "Content mix: score test against the target with variance p0(1−p0)/n and Wilson interval (posts independent), and a ratio estimator with standard errors clustered by author (authors differ in their mix); the verdict uses the latter.",
        "fr": "Répartition des contenus : test du score face à la cible avec variance p0(1−p0)/n et intervalle de Wilson (publications indépendantes), et estimateur par ratio avec erreurs types groupées par auteur (les auteurs diffèrent dans leurs habitudes) ; le verdict utilise ce dernier.",
    },
    "method_waves": {
        "en": "Waves compared: difference of proportions with Newcombe's hybrid score interval, two-proportion z-test, p-values adjusted for multiple comparisons by Holm's method.",
        "fr": "Comparaison des vagues : différence de proportions avec intervalle hybride du score de Newcombe, test z de deux proportions, p-valeurs ajustées pour comparaisons multiples par la méthode de Holm.",
    },
    # figures
    "fig_participation_title": {
        "en": "Monthly participation of {wave} {participants}",
        "fr": "Participation mensuelle des {participants} de {wave}",
    },
    "fig_participation_y": {"en": "Posted in the month (%)", "fr": "Ont publié dans le mois (%)"},
    "fig_month": {"en": "Month", "fr": "Mois"},
    "fig_participation_caption": {
        "en": "Read: the share of enrolled {participants} who published at least one post each month; the band is the 95% interval.",
        "fr": "Lecture : part des {participants} inscrits ayant publié au moins une fois dans le mois ; la bande est l'intervalle à 95 %.",
    },
    "fig_reach_title": {
        "en": "Reach rate and amplification",
        "fr": "Taux de portée et amplification",
    },
    "fig_reach_y": {"en": "Reach rate (% of audience)", "fr": "Taux de portée (% de l'audience)"},
    "fig_ratio_y": {"en": "{Participants} ÷ page", "fr": "{Participants} ÷ page"},
    "fig_claim": {"en": "claim", "fr": "affirmation"},
    "fig_reach_caption": {
        "en": "Read: left, the share of their audience that posts reach (bars: 95% intervals); right, how many times the page's rate {participants} reach, against the claimed multiple (dashed).",
        "fr": "Lecture : à gauche, la part de leur audience atteinte par les publications (barres : intervalles à 95 %) ; à droite, combien de fois le taux de la page les {participants} atteignent, face au multiple affirmé (tirets).",
    },
    "fig_mix_title": {"en": "Corporate share of posts", "fr": "Part de contenus corporate"},
    "fig_mix_x": {"en": "Corporate share (%)", "fr": "Part corporate (%)"},
    "fig_target": {"en": "target", "fr": "cible"},
    "fig_mix_caption": {
        "en": "Read: the share of corporate posts with its 95% interval, against the target (dashed).",
        "fr": "Lecture : part des publications corporate avec son intervalle à 95 %, face à la cible (tirets).",
    },
    # appendix
    "def_reach": {"en": "Reach rate", "fr": "Taux de portée"},
    "def_reach_text": {
        "en": "Unique members reached ÷ audience (followers or connections when posted), summed over posts (ratio of sums). Potential reach (sum of audiences) is not reach.",
        "fr": "Membres uniques atteints ÷ audience (abonnés ou relations au moment de la publication), sommés sur les publications (ratio de sommes). La portée potentielle (somme des audiences) n'est pas la portée.",
    },
    "def_engagement": {"en": "Engagement rate", "fr": "Taux d'engagement"},
    "def_engagement_text": {
        "en": "({terms}) ÷ impressions, summed over posts.",
        "fr": "({terms}) ÷ impressions, sommés sur les publications.",
    },
    "def_participation": {"en": "Participation", "fr": "Participation"},
    "def_participation_text": {
        "en": "Enrolled {participants} with at least one post in the month ÷ {participants} enrolled and employed that month (roster of that month).",
        "fr": "{Participants} inscrits ayant publié au moins une fois dans le mois ÷ {participants} inscrits et présents ce mois-là (effectif du mois).",
    },
    "def_profiles": {"en": "Profiles created", "fr": "Profils créés"},
    "def_profiles_text": {
        "en": "{Participants} without a LinkedIn profile before their enrolment month who created one since the first day of that month (the same reference date as the profiles attributable to enrolling).",
        "fr": "{Participants} sans profil LinkedIn avant leur mois d'inscription qui en ont créé un depuis le premier jour de ce mois (la même date de référence que les profils attribuables à l'inscription).",
    },
    "methods_intro": {
        "en": "Intervals are 95% intervals. Methods used for the figures of this report:",
        "fr": "Les intervalles sont à 95 %. Méthodes utilisées pour les chiffres de ce rapport :",
    },
    "privacy_note": {
        "en": "Privacy: groups of fewer than {k} people are not shown; where a total is shown, the next smallest group is hidden too. No individual is listed.",
        "fr": "Confidentialité : les groupes de moins de {k} personnes ne sont pas affichés ; lorsqu'un total est affiché, le plus petit groupe suivant est masqué aussi. Aucune personne n'est listée.",
    },
    "prov_title": {"en": "Provenance", "fr": "Provenance"},
    "prov_package": {"en": "Software", "fr": "Logiciel"},
    "prov_commit": {"en": "Code version (git commit)", "fr": "Version du code (commit git)"},
    "prov_no_git": {"en": "not run from a git clone", "fr": "exécuté hors d'un dépôt git"},
    "prov_dirty": {
        "en": "with uncommitted changes",
        "fr": "avec des modifications non enregistrées",
    },
    "prov_dependencies": {"en": "Key dependencies", "fr": "Dépendances principales"},
    "prov_parameters": {"en": "Parameters", "fr": "Paramètres"},
    "prov_k": {"en": "Minimum group size k", "fr": "Taille minimale de groupe k"},
    "prov_inputs": {"en": "Input files", "fr": "Fichiers d'entrée"},
    "prov_generated": {"en": "Generated", "fr": "Date de génération"},
    "data_used": {"en": "Data used", "fr": "Données utilisées"},
    "generated": {
        "en": "Generated on {when} by advocacy-eval {version}.",
        "fr": "Généré le {when} par advocacy-eval {version}.",
    },
    # programme report (onboarding effect)
    "prog_title": {
        "en": "{Programme} — effect of onboarding, all waves",
        "fr": "{Programme} — effet de l'inscription, toutes vagues",
    },
    "prog_subtitle": {
        "en": "{waves} waves, {volunteers} {participants} and {controls} colleagues never enrolled (the controls), followed monthly from {start} to {end}.",
        "fr": "{waves} vagues, {volunteers} {participants} et {controls} collègues jamais inscrits (le groupe de comparaison), suivis chaque mois de {start} à {end}.",
    },
    "prog_summary": {"en": "2. Effect of enrolling", "fr": "2. Effet de l'inscription"},
    "prog_event_study": {
        "en": "3. Effect month by month after enrolment",
        "fr": "3. Effet mois par mois après l'inscription",
    },
    "prog_by_wave": {"en": "4. Effect per wave", "fr": "4. Effet par vague"},
    "prog_profiles": {
        "en": "5. LinkedIn profiles created thanks to enrolling",
        "fr": "5. Profils LinkedIn créés grâce à l'inscription",
    },
    "prog_waves": {"en": "6. Waves compared", "fr": "6. Comparaison des vagues"},
    "prog_caveats": {
        "en": "7. What the data can and cannot prove",
        "fr": "7. Ce que les données peuvent et ne peuvent pas prouver",
    },
    "prog_appendix": {"en": "Appendix: method and data", "fr": "Annexe : méthode et données"},
    # outcomes
    "outcome_posts": {"en": "Posts per month", "fr": "Publications par mois"},
    "outcome_members_reached": {
        "en": "Members reached per month",
        "fr": "Membres atteints par mois",
    },
    "outcome_impressions": {"en": "Impressions per month", "fr": "Impressions par mois"},
    "outcome_engagements": {"en": "Engagements per month", "fr": "Interactions par mois"},
    "outcome_followers": {"en": "Followers (end of month)", "fr": "Abonnés (fin de mois)"},
    "outcome_has_profile": {
        "en": "Has a LinkedIn profile (points)",
        "fr": "A un profil LinkedIn (points)",
    },
    # columns
    "col_outcome": {"en": "Monthly outcome", "fr": "Indicateur mensuel"},
    "col_effect": {"en": "Effect per {participant}", "fr": "Effet par {participant}"},
    "col_pretrend": {"en": "Pre-enrolment test (p)", "fr": "Test avant inscription (p)"},
    "col_volunteers_used": {
        "en": "{Participants} in the estimate",
        "fr": "{Participants} dans l'estimation",
    },
    "col_profiles": {"en": "Profiles attributable", "fr": "Profils attribuables"},
    "col_without_profile": {
        "en": "Without a profile before the enrolment month",
        "fr": "Sans profil avant le mois d'inscription",
    },
    "col_created_after": {
        "en": "Created one since (descriptive)",
        "fr": "En ont créé un depuis (descriptif)",
    },
    "col_comparison": {"en": "Comparison", "fr": "Comparaison"},
    "col_weight": {
        "en": "Weight in the fixed-effects regression",
        "fr": "Poids dans la régression à effets fixes",
    },
    "col_estimate_2x2": {
        "en": "Average of the simple comparisons (2 groups × 2 periods)",
        "fr": "Moyenne des comparaisons simples (2 groupes × 2 périodes)",
    },
    "col_m": {
        "en": "M (violation ÷ largest before enrolment)",
        "fr": "M (écart ÷ plus grand écart avant inscription)",
    },
    "col_bounds": {"en": "Identified set", "fr": "Ensemble identifié"},
    "col_robust_ci": {"en": "Robust 95% interval", "fr": "Intervalle robuste à 95 %"},
    "col_estimator": {"en": "Estimator", "fr": "Estimateur"},
    "col_test": {"en": "Test", "fr": "Test"},
    "col_statistic": {"en": "Chi-square (df)", "fr": "Khi-deux (ddl)"},
    "col_p": {"en": "p-value", "fr": "p-valeur"},
    "col_item": {"en": "Item", "fr": "Élément"},
    "col_count": {"en": "Count", "fr": "Nombre"},
    "col_effect_posts": {
        "en": "Effect on posts per month",
        "fr": "Effet sur les publications par mois",
    },
    "col_effect_reach": {
        "en": "Effect on members reached per month",
        "fr": "Effet sur les membres atteints par mois",
    },
    "col_enrolment_month": {"en": "Enrolment month", "fr": "Mois d'inscription"},
    "total": {"en": "Total", "fr": "Total"},
    "comparison_treated_vs_never": {
        "en": "{Participants} vs never enrolled",
        "fr": "{Participants} vs jamais inscrits",
    },
    "comparison_earlier_vs_later": {
        "en": "Earlier vs later waves (before the later enrol)",
        "fr": "Vagues précoces vs tardives (avant l'inscription des tardives)",
    },
    "comparison_later_vs_earlier": {
        "en": "Later vs earlier waves, already enrolled (problematic)",
        "fr": "Vagues tardives vs précoces déjà inscrites (problématique)",
    },
    "estimator_cs": {
        "en": "Callaway-Sant'Anna (this report)",
        "fr": "Callaway-Sant'Anna (ce rapport)",
    },
    "estimator_twfe": {
        "en": "Two-way fixed effects (contrast only)",
        "fr": "Effets fixes à deux dimensions (contraste seulement)",
    },
    "test_group_time": {
        "en": "All cohort × month placebo effects before enrolment are zero",
        "fr": "Tous les effets placebo cohorte × mois avant inscription sont nuls",
    },
    "test_event_study": {
        "en": "All month-by-month effects before enrolment are zero",
        "fr": "Tous les effets mois par mois avant inscription sont nuls",
    },
    # sentences
    "sent_effect_positive": {
        "en": "Enrolling raised {outcome_lower} by {effect} per {participant} (95% interval {low} to {high}), compared with colleagues not yet enrolled over the same months.",
        "fr": "L'inscription a augmenté {outcome_lower} de {effect} par {participant} (intervalle à 95 % de {low} à {high}), par rapport aux collègues pas encore inscrits sur les mêmes mois.",
    },
    "sent_effect_negative": {
        "en": "Enrolling lowered {outcome_lower} by {effect} per {participant} (95% interval {low} to {high}), compared with colleagues not yet enrolled over the same months.",
        "fr": "L'inscription a diminué {outcome_lower} de {effect} par {participant} (intervalle à 95 % de {low} à {high}), par rapport aux collègues pas encore inscrits sur les mêmes mois.",
    },
    "sent_effect_none": {
        "en": "No effect of enrolling on {outcome_lower} can be detected: the estimate is {effect} per {participant} with a 95% interval from {low} to {high}, which includes zero.",
        "fr": "Aucun effet de l'inscription sur {outcome_lower} n'est détectable : l'estimation vaut {effect} par {participant}, avec un intervalle à 95 % de {low} à {high} qui contient zéro.",
    },
    "sent_relative": {
        "en": "Before enrolling, these {participants} averaged {baseline} a month: the effect is {relative} of that level.",
        "fr": "Avant leur inscription, ces {participants} en comptaient en moyenne {baseline} par mois : l'effet représente {relative} de ce niveau.",
    },
    "sent_dynamics": {
        "en": "The effect is {first} in the enrolment month and {later} six months later (where observed).",
        "fr": "L'effet vaut {first} le mois de l'inscription et {later} six mois plus tard (quand c'est observé).",
    },
    "sent_profiles": {
        "en": "Onboarding led to about {count} LinkedIn profiles that would not otherwise exist (95% interval {low} to {high}); {naive} {participants} created a profile after enrolling, some of whom would have done so anyway.",
        "fr": "L'inscription a conduit à environ {count} profils LinkedIn qui n'existeraient pas sinon (intervalle à 95 % de {low} à {high}) ; {naive} {participants} ont créé un profil après leur inscription, dont certains l'auraient fait de toute façon.",
    },
    "sent_pretrend_ok": {
        "en": "Before enrolling, the {participants}' “{outcome}” evolved like their colleagues' (joint test of the pre-enrolment months: p = {p}), which supports the comparison.",
        "fr": "Avant l'inscription, l'évolution de l'indicateur « {outcome} » des {participants} suivait celle de leurs collègues (test conjoint des mois précédant l'inscription : p = {p}), ce qui conforte la comparaison.",
    },
    "sent_pretrend_bad": {
        "en": "Before enrolling, the {participants}' “{outcome}” already evolved differently from their colleagues' (joint test: p = {p}): read the effect with caution and look at the sensitivity bounds.",
        "fr": "Avant l'inscription, l'évolution de l'indicateur « {outcome} » des {participants} s'écartait déjà de celle de leurs collègues (test conjoint : p = {p}) : lire l'effet avec prudence et regarder les bornes de sensibilité.",
    },
    "sent_twfe": {
        "en": "A standard two-way fixed-effects regression would give {twfe} (95% interval {low} to {high}) instead of {cs}; {forbidden} of its weight comes from comparing later {participants} with earlier ones already enrolled, which is why it is shown only as a contrast.",
        "fr": "Une régression classique à effets fixes donnerait {twfe} (intervalle à 95 % de {low} à {high}) au lieu de {cs} ; {forbidden} de son poids vient de la comparaison entre {participants} inscrits tardivement et {participants} déjà inscrits, c'est pourquoi elle n'est montrée qu'en contraste.",
    },
    "sent_honest": {
        "en": "The average effect over the months after enrolment remains distinguishable from zero as long as post-enrolment departures from parallel trends stay below {m} times the largest month-to-month departure seen before enrolment.",
        "fr": "L'effet moyen sur les mois suivant l'inscription reste distinct de zéro tant que les écarts à l'évolution parallèle après l'inscription restent inférieurs à {m} fois le plus grand écart d'un mois à l'autre observé avant l'inscription.",
    },
    "sent_honest_robust": {
        "en": "The average effect over the months after enrolment remains distinguishable from zero even if post-enrolment departures from parallel trends reach 10 times the largest month-to-month departure seen before enrolment.",
        "fr": "L'effet moyen sur les mois suivant l'inscription reste distinct de zéro même si les écarts à l'évolution parallèle après l'inscription atteignent 10 fois le plus grand écart observé avant l'inscription.",
    },
    "sent_honest_fragile": {
        "en": "The average effect over the months after enrolment is not distinguishable from zero once departures from parallel trends are allowed at all: the conclusion is fragile.",
        "fr": "L'effet moyen sur les mois suivant l'inscription ne se distingue plus de zéro dès que des écarts à l'évolution parallèle sont admis : la conclusion est fragile.",
    },
    "caveat_selection": {
        "en": "{Participants} chose to join and were already more active on LinkedIn. The method compares changes, not levels, so lasting differences between {participants} and colleagues cancel out; it cannot rule out that {participants} enrolled at a moment when they were about to become more active anyway (a new role, a campaign), which would inflate the effect.",
        "fr": "Les {participants} ont choisi de participer et étaient déjà plus actifs sur LinkedIn. La méthode compare des évolutions, pas des niveaux : les différences durables entre {participants} et collègues s'annulent ; elle ne peut exclure que des {participants} se soient inscrits au moment où ils allaient de toute façon devenir plus actifs (nouveau poste, campagne), ce qui gonflerait l'effet.",
    },
    "caveat_population": {
        "en": "The effect is the effect on the {participants}. It does not say what enrolling employees who did not volunteer would achieve: they may respond less.",
        "fr": "L'effet mesuré est celui sur les {participants}. Il ne dit pas ce que produirait l'inscription de salariés non volontaires, qui pourraient moins réagir.",
    },
    "caveat_spillover": {
        "en": "Colleagues not enrolled serve as the comparison. If the programme also changed their behaviour (shared content, emulation), the comparison is affected and the effect is misstated.",
        "fr": "Les collègues non inscrits servent de comparaison. Si le programme a aussi modifié leur comportement (contenus partagés, émulation), la comparaison en est affectée et l'effet est mal mesuré.",
    },
    "caveat_attrition": {
        "en": "{left} employees who left during the period, or are missing some months, are left out of the estimate ({volunteers} of them {participants}). If onboarding changed who leaves, this could bias the result.",
        "fr": "{left} salariés partis pendant la période, ou absents certains mois, ne sont pas dans l'estimation (dont {volunteers} {participants}). Si l'inscription a modifié qui part, le résultat peut en être biaisé.",
    },
    "caveat_reach": {
        "en": "Members reached per month is the sum of each post's unique members, so the same person reached by two posts counts twice: it is an upper bound of the distinct people reached.",
        "fr": "Les membres atteints par mois sont la somme des membres uniques de chaque publication : une même personne atteinte par deux publications compte deux fois ; c'est un majorant du nombre de personnes distinctes atteintes.",
    },
    "caveat_proof": {
        "en": "What the data can show: {participants}' activity changed after enrolment by more than their colleagues' did over the same months. What it cannot prove: that the same effect would follow in future waves, with other {participants}, or in another period.",
        "fr": "Ce que les données montrent : l'activité des {participants} a évolué après l'inscription davantage que celle de leurs collègues sur les mêmes mois. Ce qu'elles ne peuvent prouver : que le même effet se reproduirait dans les prochaines vagues, avec d'autres {participants} ou à une autre période.",
    },
    "caveat_posts_only": {
        "en": "Without a monthly activity export, only profile creation can be estimated: posts are exported only after enrolment, so there is no 'before' to compare with.",
        "fr": "Sans export mensuel d'activité, seule la création de profils peut être estimée : les publications ne sont exportées qu'après l'inscription, il n'y a donc pas d'« avant » à comparer.",
    },
    "fig_es_title": {
        "en": "Effect of enrolling on {outcome}, month by month since enrolment",
        "fr": "Effet de l'inscription sur {outcome}, mois après mois depuis l'inscription",
    },
    "fig_es_x": {
        "en": "Months since enrolment (0 = enrolment month)",
        "fr": "Mois depuis l'inscription (0 = mois d'inscription)",
    },
    "fig_es_y": {"en": "Effect per {participant}", "fr": "Effet par {participant}"},
    "fig_es_pre": {"en": "before enrolment (placebo)", "fr": "avant inscription (placebo)"},
    "fig_es_post": {"en": "after enrolment", "fr": "après inscription"},
    "fig_es_caption": {
        "en": "Read: each point compares {participants}' change since the month before enrolment with the change of colleagues not yet enrolled; bars are 95% intervals. Points before 0 should hover around zero if the comparison is fair.",
        "fr": "Lecture : chaque point compare l'évolution des {participants} depuis le mois précédant l'inscription à celle des collègues pas encore inscrits ; les barres sont des intervalles à 95 %. Avant 0, les points doivent rester proches de zéro si la comparaison est juste.",
    },
    "fig_waves_title": {
        "en": "Effect on {outcome} per wave",
        "fr": "Effet sur {outcome} par vague",
    },
    "fig_waves_caption": {
        "en": "Read: each wave's average effect over its months after enrolment, with its 95% interval; the dashed line is the effect for all waves together.",
        "fr": "Lecture : effet moyen de chaque vague sur ses mois suivant l'inscription, avec son intervalle à 95 % ; la ligne en tirets est l'effet toutes vagues confondues.",
    },
    "fig_honest_title": {
        "en": "Sensitivity to departures from parallel trends",
        "fr": "Sensibilité aux écarts à l'évolution parallèle",
    },
    "fig_honest_x": {
        "en": "M: allowed departure ÷ largest before enrolment",
        "fr": "M : écart admis ÷ plus grand écart avant inscription",
    },
    "fig_honest_caption": {
        "en": "Read: the robust 95% interval of the average effect after enrolment when departures from parallel trends up to M times the largest one seen before enrolment are allowed; the effect is established while the interval stays above zero.",
        "fr": "Lecture : intervalle robuste à 95 % de l'effet moyen après inscription lorsque des écarts à l'évolution parallèle jusqu'à M fois le plus grand observé avant inscription sont admis ; l'effet est établi tant que l'intervalle reste au-dessus de zéro.",
    },
    "estimate_label": {"en": "estimate", "fr": "estimation"},
    "all_waves": {"en": "all waves", "fr": "toutes vagues"},
    "method_cs": {
        "en": "Effect of enrolling: Callaway & Sant'Anna (2021) staggered difference-in-differences, doubly robust, by enrolment month; each {participant}'s change since the month before enrolment is compared with that of colleagues not yet (or never) enrolled in the same months; averages weighted by cohort size; analytic standard errors from influence functions (diff-diff {version}).",
        "fr": "Effet de l'inscription : doubles différences échelonnées de Callaway & Sant'Anna (2021), doublement robustes, par mois d'inscription ; l'évolution de chaque {participant} depuis le mois précédant l'inscription est comparée à celle des collègues pas encore (ou jamais) inscrits sur les mêmes mois ; moyennes pondérées par la taille des cohortes ; erreurs types analytiques par fonctions d'influence (diff-diff {version}).",
    },
    "method_profiles": {
        "en": "Profiles attributable: the effect on having a profile at each {participant}'s last observed month, summed over {participants}, comparing employees with the same profile status in the month before enrolment.",
        "fr": "Profils attribuables : effet sur le fait d'avoir un profil au dernier mois observé de chaque {participant}, sommé sur les {participants}, en comparant des salariés de même statut de profil le mois précédant l'inscription.",
    },
    "method_diagnostics": {
        "en": "Diagnostics: two-way fixed-effects regression as a contrast, its Goodman-Bacon (2021) decomposition, joint Wald tests of the pre-enrolment effects, and Rambachan & Roth (2023) bounds (relative magnitudes) on the average effect over the months after enrolment.",
        "fr": "Diagnostics : régression à effets fixes en contraste, sa décomposition de Goodman-Bacon (2021), tests de Wald conjoints des effets avant inscription, et bornes de Rambachan & Roth (2023) (magnitudes relatives) sur l'effet moyen des mois suivant l'inscription.",
    },
    "count_employees": {"en": "Employees in the roster", "fr": "Salariés de l'effectif"},
    "count_enrolled": {
        "en": "Employees who enrolled in a wave",
        "fr": "Salariés inscrits dans une vague",
    },
    "count_never_enrolled": {
        "en": "Employees who never enrolled",
        "fr": "Salariés jamais inscrits",
    },
    "count_units": {"en": "Employees in the monthly panel", "fr": "Salariés du panel mensuel"},
    "count_periods": {"en": "Months covered", "fr": "Mois couverts"},
    "count_rows": {"en": "Employee-months", "fr": "Salariés-mois"},
    "count_units_left": {
        "en": "Employees who left during the period",
        "fr": "Salariés partis pendant la période",
    },
    "count_units_complete": {
        "en": "Employees observed every month",
        "fr": "Salariés observés tous les mois",
    },
    "count_rows_dropped_leaving_month": {
        "en": "Months of departure left out (partly worked)",
        "fr": "Mois de départ écartés (travaillés en partie)",
    },
    "count_excluded_no_pre_period": {
        "en": "{Participants} without a month before enrolment, left out",
        "fr": "{Participants} sans mois avant l'inscription, écartés",
    },
    "count_units_unbalanced": {
        "en": "Employees missing some months, left out of the estimate",
        "fr": "Salariés absents certains mois, hors de l'estimation",
    },
    "count_units_used": {"en": "Employees in the estimate", "fr": "Salariés dans l'estimation"},
    "count_units_treated_used": {
        "en": "{Participants} in the estimate",
        "fr": "{Participants} dans l'estimation",
    },
    # anticipation: volunteers may have reacted before enrolling (issue 16)
    "measured_on_unique_reach": {
        "en": "(unique reach, both sides)",
        "fr": "(portée unique, des deux côtés)",
    },
    "measured_on_impressions_page": {
        "en": "(impressions: the page's export has no unique reach)",
        "fr": "(impressions : l'export de la page n'a pas de portée unique)",
    },
    "measured_on_impressions_volunteers": {
        "en": "(impressions: some {participants}' posts have no unique reach)",
        "fr": "(impressions : des publications des {participants} n'ont pas de portée unique)",
    },
    "measured_on_impressions_both": {
        "en": "(impressions: no unique reach on either side)",
        "fr": "(impressions : pas de portée unique des deux côtés)",
    },
    "caveat_repost_rule": {
        "en": "Since April 2024 LinkedIn counts a repost's impressions toward the original post: {n} of the "
        "{participants}' posts reshare the programme's content, so the page's figures may include "
        "impressions they earned, and the ratios to the page may be understated.",
        "fr": "Depuis avril 2024, LinkedIn compte les impressions d'un repartage dans celles de la publication "
        "d'origine : {n} publications des {participants} repartagent des contenus du programme, les "
        "chiffres de la page peuvent donc inclure des impressions qu'ils ont obtenues, et les rapports à "
        "la page être sous-estimés.",
    },
    "flag_anticipation_risk": {
        "en": "⚠ at risk: {participants} may have reacted before enrolling",
        "fr": "⚠ à risque : les {participants} ont pu réagir avant leur inscription",
    },
    "anticipation_months_1": {"en": "one month of anticipation", "fr": "un mois d'anticipation"},
    "anticipation_months_n": {"en": "{n} months of anticipation", "fr": "{n} mois d'anticipation"},
    "sensitivity_row": {
        "en": "↳ sensitivity: {anticipation} declared",
        "fr": "↳ sensibilité : {anticipation} déclaré",
    },
    "verdict_conservative_note": {
        "en": "(more conservative of the two estimates)",
        "fr": "(la plus prudente des deux estimations)",
    },
    "anticipation_why_month": {
        "en": "the effect in the month before enrolment is {effect}, {p}",
        "fr": "l'effet le mois précédant l'inscription vaut {effect}, {p}",
    },
    "anticipation_why_pretrend": {
        "en": "the joint pre-enrolment test fails, {p}",
        "fr": "le test conjoint avant inscription n'est pas passé, {p}",
    },
    "anticipation_why_and": {"en": " and ", "fr": " et "},
    "sent_anticipation": {
        "en": "At risk: {participants} may have reacted before enrolling ({why}). The estimate above compares each {participant} with the month before enrolment, which would then already be affected. Declaring {anticipation} (comparing with the month before that, and leaving the anticipation month out of the average), the effect is {effect} per {participant} (95% interval {low} to {high}).",
        "fr": "À risque : les {participants} ont pu réagir avant leur inscription ({why}). L'estimation ci-dessus compare chaque {participant} au mois précédant son inscription, qui serait alors déjà touché. En déclarant {anticipation} (comparaison avec le mois d'avant, le mois d'anticipation étant exclu de la moyenne), l'effet vaut {effect} par {participant} (intervalle à 95 % de {low} à {high}).",
    },
    "sent_anticipation_verdict": {
        "en": "The scorecard's verdict on “{claim}” uses the more conservative of the two estimates: {verdict}.",
        "fr": "Le verdict du tableau des affirmations sur « {claim} » retient la plus prudente des deux estimations : {verdict}.",
    },
    "sent_anticipation_no_sensitivity": {
        "en": "At risk: {participants} may have reacted before enrolling ({why}). The estimate above compares each {participant} with the month before enrolment, which would then already be affected; the estimate declaring {anticipation} could not be computed (too few months before enrolment).",
        "fr": "À risque : les {participants} ont pu réagir avant leur inscription ({why}). L'estimation ci-dessus compare chaque {participant} au mois précédant son inscription, qui serait alors déjà touché ; l'estimation déclarant {anticipation} n'a pas pu être calculée (trop peu de mois avant l'inscription).",
    },
    "sentence_claim_sensitivity": {
        "en": "{flag}. Declaring {anticipation}, the effect is {value} (95% interval {interval}), {verdict}; the verdict above is the more conservative of the two.",
        "fr": "{flag}. En déclarant {anticipation}, l'effet vaut {value} (intervalle à 95 % {interval}), {verdict} ; le verdict ci-dessus est le plus prudent des deux.",
    },
    "estimator_cs_anticipation": {
        "en": "Callaway-Sant'Anna, {anticipation} declared (sensitivity)",
        "fr": "Callaway-Sant'Anna, {anticipation} déclaré (sensibilité)",
    },
}
"""Report strings by key and language."""


def anticipation_text(months: int, lang: str) -> str:
    """``one month of anticipation`` / ``2 months of anticipation`` in the report language."""
    return (
        t("anticipation_months_1", lang)
        if months == 1
        else t("anticipation_months_n", lang, n=months)
    )


STRINGS.update(CLAIM_STRINGS)  # the claims scorecard's strings (reports/claim_strings.py)
STRINGS.update(
    PAGE_STRINGS
)  # the page: what-we-can-say box, figure descriptions, print footer (reports/page_strings.py)


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise a clear error.

    Parameters
    ----------
    lang : str
        Language code.
    """
    if lang not in LANGS:
        raise ValueError(f"unsupported report language {lang!r}; choose one of {', '.join(LANGS)}")
    return lang


class _KeepUnknown(dict):
    """Format mapping that leaves placeholders it does not know as they are."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, lang: str = "en", **values: object) -> str:
    """Translate a report string and fill in its placeholders.

    The vocabulary placeholders (:data:`PLACEHOLDERS`: ``{programme}``,
    ``{Programme}``, ``{participants}``...) are filled from the active
    vocabulary (:func:`current_vocabulary`); explicit ``values`` win.

    Parameters
    ----------
    key : str
        Key of :data:`STRINGS`.
    lang : str
        ``"en"`` or ``"fr"``.
    **values
        Placeholder values (already formatted). When none is given, the
        string's other placeholders are left as they are.
    """
    text = STRINGS[key][check_lang(lang)]
    fields = {**current_vocabulary().placeholders(lang), **values}
    return text.format_map(fields) if values else text.format_map(_KeepUnknown(fields))


def _missing(x: object) -> bool:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return True
    # pandas is imported only where its values can occur: the report workers format titles without it
    pandas = sys.modules.get("pandas")
    return pandas is not None and (x is pandas.NA or x is pandas.NaT)


def fmt_num(x: float, lang: str = "en", digits: int = 1) -> str:
    """Format a decimal number (``3.5`` / ``3,5``); en dash when missing."""
    if _missing(x):
        return "–"
    text = f"{float(x):,.{digits}f}".replace("-", MINUS)  # a true minus sign, not a hyphen
    if text.startswith(MINUS) and not text.strip(MINUS + "0.,"):
        text = text[1:]  # -0.0 is 0.0
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def fmt_p(p: float, lang: str = "en", digits: int = 3) -> str:
    """Format a p-value: ``digits`` decimals (3 below 0.01), ``< 0.001`` / ``< 0,001`` below that; en dash when missing.

    A p-value is never written ``0.000`` (nor ``0.00``): below 0.001 it is
    ``< 0.001``, and between 0.001 and 0.01 it keeps three decimals.
    """
    if _missing(p) or not math.isfinite(float(p)):
        return "–"
    if float(p) < 0.001:
        return "< 0,001" if lang == "fr" else "< 0.001"
    return fmt_num(p, lang, max(digits, 3) if float(p) < 0.01 else digits)


def fmt_int(x: float, lang: str = "en") -> str:
    """Format a count (``1,234`` / ``1 234``); en dash when missing."""
    if _missing(x):
        return "–"
    text = f"{round(float(x)):,d}"
    return text.replace(",", NNBSP) if lang == "fr" else text


def fmt_pct(x: float, lang: str = "en", digits: int = 1) -> str:
    """Format a fraction as a percentage (``0.035`` -> ``3.5%`` / ``3,5 %``)."""
    if _missing(x):
        return "–"
    number = fmt_num(100 * float(x), lang, digits)
    return f"{number}{NNBSP}%" if lang == "fr" else f"{number}%"


def fmt_ratio(x: float, lang: str = "en", digits: int = 1) -> str:
    """Format a multiple (``3.9x`` / ``3,9x``)."""
    if _missing(x):
        return "–"
    return f"{fmt_num(x, lang, digits)}x"


def fmt_interval(low: float, high: float, fmt, lang: str = "en", **kw) -> str:
    """Format an interval with an en dash, e.g. ``3.1–4.8``."""
    if _missing(low) or _missing(high):
        return "–"
    return f"{fmt(low, lang, **kw)}–{fmt(high, lang, **kw)}"


def _as_date(d: object) -> Any:
    """A date-like value with ``year``, ``month`` and ``day``: the value itself, an ISO string parsed, else pandas'.

    Dates, datetimes and pandas timestamps are used as they are, and ISO text
    is parsed by the standard library, so a report worker formatting its
    footer does not import pandas (about 40 MB) for it.
    """
    import datetime

    if isinstance(d, datetime.date):  # datetime.datetime and pandas.Timestamp too
        return d
    if isinstance(d, str):
        with contextlib.suppress(ValueError):
            return datetime.datetime.fromisoformat(d.strip())
    import pandas as pd

    return pd.Timestamp(d)


def fmt_date(d: object, lang: str = "en", day: bool = True) -> str:
    """Format a date (``1 Jul 2024`` / ``1er juil. 2024``; ``Jul 2024`` without day)."""
    if _missing(d):
        return "–"
    ts = _as_date(d)
    month = _MONTHS[check_lang(lang)][ts.month - 1]
    number = "1er" if lang == "fr" and ts.day == 1 else str(ts.day)
    return f"{number} {month} {ts.year}" if day else f"{month} {ts.year}"
