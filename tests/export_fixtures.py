"""Files shaped exactly like the real exports analysts download, generated for the tests (never committed).

Layouts (see docs/importing.md, "From LinkedIn's exports to a first report"):

- **LinkedIn Page content export** (``<page>_content_<ms timestamp>.xls``, also .xlsx): sheets
  "Metrics" (daily) and "All posts" (French "Indicateurs" and "Tous les posts"), each with a
  disclaimer row above its header. "All posts" has NO per-post unique reach: Post title, Post
  link, Post type, Campaign name, Posted by, Created date, Campaign start date, Campaign end date,
  Audience, Impressions, Views, Offsite Views, Clicks, Click through rate (CTR), Likes, Comments,
  Reposts, Follows, Engagement rate, Content Type. "Metrics" has Date, Impressions
  (organic/sponsored/total), Unique impressions (organic), clicks, reactions, comments, reposts
  and engagement rates. English dates MM/DD/YYYY, French DD/MM/YYYY.
- **LinkedIn Page followers export** (``<page>_followers_<ms timestamp>.xls``): "New followers"
  (Date, Sponsored followers, Organic followers, Auto-invited followers, Total followers = the
  day's NEW followers) and the demographic sheets Location, Job function, Seniority, Industry,
  Company size (each: category, Total followers; each sums to today's total). French sheet and
  column names translated. The header is on the first row (``disclaimer=True`` adds one above).
- **Member creator analytics export** (``Content_<start>_<end>_<Name>.xlsx``, any period of 7 to
  365 days): DISCOVERY ("Overall Performance" and the range, Impressions, Members reached),
  ENGAGEMENT (daily Date, Impressions, Engagements), TOP POSTS (a note, a blank row, then two
  side-by-side tables of at most 50 posts: Post URL, Post publish date, Engagements | Post URL,
  Post publish date, Impressions), FOLLOWERS ("Total followers on M/D/YYYY:" and its value, a
  blank row, then daily Date, New followers), DEMOGRAPHICS. French: DÉCOUVERTE, ENGAGEMENT,
  MEILLEURS POSTS, ABONNÉS, DONNÉES DÉMOGRAPHIQUES, "Membres touchés", "Interactions",
  "Nombre total d’abonnés le JJ/MM/AAAA :", "Nouveaux abonnés".
- **HR roster** (French CSV: UTF-8 with BOM, ``;``) and an **advocacy-platform export** (French CSV:
  cp1252, ``;``, non-breaking-space thousands, decimal commas) with its TOML mapping.

:func:`programme_exports` writes one consistent set (roster, two overlapping page content
exports, a followers export, a platform export, overlapping member exports in English and French)
with the truths the tests check. All names and addresses are invented (``*.example``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

NBSP, NNBSP = "\u00a0", "\u202f"

PAGE_SHEETS = {"en": ("Metrics", "All posts"), "fr": ("Indicateurs", "Tous les posts")}
PAGE_DISCLAIMER = {
    "en": "All posts and their metrics for the selected period. Metrics are updated daily; data may be delayed "
    "up to 48 hours.",
    "fr": "Tous les posts et leurs statistiques pour la période sélectionnée. Les statistiques sont mises à jour "
    "quotidiennement.",
}
ALL_POSTS_HEADER = {
    "en": [
        "Post title",
        "Post link",
        "Post type",
        "Campaign name",
        "Posted by",
        "Created date",
        "Campaign start date",
        "Campaign end date",
        "Audience",
        "Impressions",
        "Views",
        "Offsite Views",
        "Clicks",
        "Click through rate (CTR)",
        "Likes",
        "Comments",
        "Reposts",
        "Follows",
        "Engagement rate",
        "Content Type",
    ],
    "fr": [
        "Titre du post",
        "Lien du post",
        "Type de post",
        "Nom de la campagne",
        "Publié par",
        "Date de création",
        "Date de début de la campagne",
        "Date de fin de la campagne",
        "Audience",
        "Impressions",
        "Vues",
        "Vues hors site",
        "Clics",
        "Taux de clics (CTR)",
        "J’aime",
        "Commentaires",
        "Republications",
        "Abonnements",
        "Taux d’engagement",
        "Type de contenu",
    ],
}
METRICS_HEADER = {
    "en": [
        "Date",
        "Impressions (organic)",
        "Impressions (sponsored)",
        "Impressions (total)",
        "Unique impressions (organic)",
        "Clicks (organic)",
        "Clicks (sponsored)",
        "Clicks (total)",
        "Reactions (organic)",
        "Reactions (sponsored)",
        "Reactions (total)",
        "Comments (organic)",
        "Comments (sponsored)",
        "Comments (total)",
        "Reposts (organic)",
        "Reposts (sponsored)",
        "Reposts (total)",
        "Engagement rate (organic)",
        "Engagement rate (sponsored)",
        "Engagement rate (total)",
    ],
    "fr": [
        "Date",
        "Impressions (naturelles)",
        "Impressions (sponsorisées)",
        "Impressions (total)",
        "Impressions uniques (naturelles)",
        "Clics (naturels)",
        "Clics (sponsorisés)",
        "Clics (total)",
        "Réactions (naturelles)",
        "Réactions (sponsorisées)",
        "Réactions (total)",
        "Commentaires (naturels)",
        "Commentaires (sponsorisés)",
        "Commentaires (total)",
        "Republications (naturelles)",
        "Republications (sponsorisées)",
        "Republications (total)",
        "Taux d’engagement (naturel)",
        "Taux d’engagement (sponsorisé)",
        "Taux d’engagement (total)",
    ],
}
FOLLOWER_SHEETS = {
    "en": ("New followers", ("Location", "Job function", "Seniority", "Industry", "Company size")),
    "fr": (
        "Nouveaux abonnés",
        ("Lieu", "Fonction", "Niveau hiérarchique", "Secteur", "Taille de l’entreprise"),
    ),
}
NEW_FOLLOWERS_HEADER = {
    "en": [
        "Date",
        "Sponsored followers",
        "Organic followers",
        "Auto-invited followers",
        "Total followers",
    ],
    "fr": [
        "Date",
        "Abonnés sponsorisés",
        "Abonnés naturels",
        "Abonnés invités automatiquement",
        "Nombre total d’abonnés",
    ],
}
DEMOGRAPHIC_TOTAL = {"en": "Total followers", "fr": "Nombre total d’abonnés"}
DEMOGRAPHIC_CATEGORIES = {
    "Location": ["Paris", "Lyon", "Lille", "Bordeaux"],
    "Job function": ["Engineering", "Sales", "Finance"],
    "Seniority": ["Entry", "Senior", "Manager", "Director"],
    "Industry": ["Banking", "IT Services"],
    "Company size": ["1-10", "11-50", "51-200", "201-500", "10001+"],
}
MEMBER_SHEETS = {
    "en": ["DISCOVERY", "ENGAGEMENT", "TOP POSTS", "FOLLOWERS", "DEMOGRAPHICS"],
    "fr": ["DÉCOUVERTE", "ENGAGEMENT", "MEILLEURS POSTS", "ABONNÉS", "DONNÉES DÉMOGRAPHIQUES"],
}
FIXED_TIME = dt.datetime(2024, 7, 1, 12, 0, 0)


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every day from ``start`` to ``end``, inclusive."""
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def ms_timestamp(day: dt.date, hour: int = 10) -> int:
    """LinkedIn's file-name timestamp (milliseconds since 1970, UTC) of an export made on ``day``."""
    return int(dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC).timestamp() * 1000)


def en_date(d: dt.date, pad: bool = True) -> str:
    """MM/DD/YYYY (page exports pad, creator exports do not)."""
    return d.strftime("%m/%d/%Y") if pad else f"{d.month}/{d.day}/{d.year}"


def fr_date(d: dt.date) -> str:
    """DD/MM/YYYY."""
    return d.strftime("%d/%m/%Y")


def fr_int(v: int, space: str = NBSP) -> str:
    """French thousands: 12 345 with a (narrow) non-breaking space."""
    return f"{v:,}".replace(",", space)


def fr_pct(v: float, digits: int = 2) -> str:
    """French percentage: '3,52 %' (non-breaking space before %)."""
    return f"{v * 100:.{digits}f}".replace(".", ",") + NBSP + "%"


def write_workbook(path: Path, sheets: list[tuple[str, list[list[object]]]]) -> Path:
    """Write sheets of cells to .xls (xlwt, as LinkedIn's page exports) or .xlsx (openpyxl), by suffix.

    Dates are written as text, as LinkedIn writes them; ``None`` leaves a cell empty.
    """
    if path.suffix == ".xls":
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        for name, grid in sheets:
            ws = book.add_sheet(name)
            for i, row in enumerate(grid):
                for j, value in enumerate(row):
                    if value is not None:
                        ws.write(i, j, value)
        book.save(str(path))
        return path
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, grid in sheets:
        ws = book.create_sheet(name)
        for row in grid:
            ws.append(list(row))
    book.properties.created = book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in (
            src.infolist()
        ):  # fixed timestamps: the same content gives the same bytes (same SHA-256)
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(item.filename))
    path.write_bytes(out.getvalue())
    return path


# --------------------------------------------------------------------------- page content export


@dataclass
class PagePost:
    """One post of the page as "All posts" lists it (counts as of the export)."""

    n: int
    day: dt.date
    title: str
    impressions: int
    clicks: int
    likes: int
    comments: int
    reposts: int
    follows: int = 0
    campaign: str = ""

    @property
    def link(self) -> str:
        """LinkedIn's post link."""
        return f"https://www.linkedin.com/feed/update/urn:li:activity:73100000000000{self.n:05d}"

    @property
    def urn(self) -> str:
        """The post id the importer derives from the link."""
        return f"urn:li:activity:73100000000000{self.n:05d}"

    def later(self, factor: float) -> PagePost:
        """The same post seen in a later export: every count grown by ``factor``."""
        grow = lambda v: round(v * factor)  # noqa: E731
        return PagePost(
            self.n,
            self.day,
            self.title,
            grow(self.impressions),
            grow(self.clicks),
            grow(self.likes),
            grow(self.comments),
            grow(self.reposts),
            grow(self.follows),
            self.campaign,
        )


def page_content_rows(posts: list[PagePost], lang: str) -> list[list[object]]:
    """Rows of "All posts" (numbers as numbers, rates as fractions, dates as LinkedIn writes them)."""
    rows = []
    for p in posts:
        ctr = p.clicks / p.impressions
        er = (p.likes + p.comments + p.reposts + p.clicks + p.follows) / p.impressions
        rows.append(
            [
                p.title,
                p.link,
                "Organic" if lang == "en" else "Naturel",
                p.campaign,
                "Camille Admin",
                en_date(p.day) if lang == "en" else fr_date(p.day),
                "",
                "",
                "All followers" if lang == "en" else "Tous les abonnés",
                p.impressions,
                0,
                0,
                p.clicks,
                round(ctr, 6),
                p.likes,
                p.comments,
                p.reposts,
                p.follows,
                round(er, 6),
                "Image" if p.n % 2 else "Text",
            ]
        )
    return rows


def page_metrics_rows(start: dt.date, end: dt.date, lang: str) -> list[list[object]]:
    """Daily rows of "Metrics"."""
    rows = []
    for i, d in enumerate(days_between(start, end)):
        organic = 180 + (i * 37) % 140
        unique = int(organic * 0.64)
        clicks, reactions, comments, reposts = 4 + i % 5, 3 + i % 6, i % 3, i % 2
        er = (clicks + reactions + comments + reposts) / organic
        rows.append(
            [
                en_date(d) if lang == "en" else fr_date(d),
                organic,
                0,
                organic,
                unique,
                clicks,
                0,
                clicks,
                reactions,
                0,
                reactions,
                comments,
                0,
                comments,
                reposts,
                0,
                reposts,
                round(er, 6),
                0,
                round(er, 6),
            ]
        )
    return rows


def write_page_content(
    path: Path, posts: list[PagePost], start: dt.date, end: dt.date, lang: str = "en"
) -> Path:
    """A Page content export (.xls or .xlsx by suffix) covering ``start``..``end``."""
    metrics, all_posts = PAGE_SHEETS[lang]
    return write_workbook(
        path,
        [
            (
                metrics,
                [
                    [PAGE_DISCLAIMER[lang]],
                    METRICS_HEADER[lang],
                    *page_metrics_rows(start, end, lang),
                ],
            ),
            (
                all_posts,
                [[PAGE_DISCLAIMER[lang]], ALL_POSTS_HEADER[lang], *page_content_rows(posts, lang)],
            ),
        ],
    )


# --------------------------------------------------------------------------- page followers export


def new_followers_by_day(start: dt.date, end: dt.date) -> list[tuple[dt.date, int, int, int]]:
    """(day, sponsored, organic, auto-invited) new followers of each day (deterministic)."""
    return [
        (d, i % 7 == 3, 4 + (i * 5) % 9, i % 4 == 1) for i, d in enumerate(days_between(start, end))
    ]


def write_page_followers(
    path: Path,
    start: dt.date,
    end: dt.date,
    total_today: int,
    lang: str = "en",
    disclaimer: bool = False,
    left_out: int = 0,
) -> Path:
    """A Page followers export: daily new followers ``start``..``end`` and demographic sheets summing to the total.

    ``left_out`` followers are missing from every demographic sheet but "Company size" (a category LinkedIn
    leaves out), so the sheets disagree and the largest sum is the total.
    """
    new_sheet, demographic = FOLLOWER_SHEETS[lang]
    date = en_date if lang == "en" else fr_date
    daily = [
        [date(d), int(s), o, int(a), int(s) + o + int(a)]
        for d, s, o, a in new_followers_by_day(start, end)
    ]
    head = [["Followers data for the selected period"]] if disclaimer else []
    sheets = [(new_sheet, [*head, NEW_FOLLOWERS_HEADER[lang], *daily])]
    for (en_name, categories), name in zip(
        DEMOGRAPHIC_CATEGORIES.items(), demographic, strict=True
    ):
        total = total_today if en_name == "Company size" else total_today - left_out
        shares = [total // len(categories)] * len(categories)
        shares[0] += total - sum(shares)
        sheets.append(
            (
                name,
                [
                    [name, DEMOGRAPHIC_TOTAL[lang]],
                    *[[c, v] for c, v in zip(categories, shares, strict=True)],
                ],
            )
        )
    return write_workbook(path, sheets)


def followers_on(day: dt.date, start: dt.date, end: dt.date, total_today: int) -> int:
    """The follower count the importer must rebuild for the end of ``day`` (total minus later new followers)."""
    later = sum(int(s) + o + int(a) for d, s, o, a in new_followers_by_day(start, end) if d > day)
    return total_today - later


# --------------------------------------------------------------------------- member creator export


@dataclass
class MemberPost:
    """A post of the member, as TOP POSTS lists it."""

    activity: str
    published: dt.date
    engagements: int
    impressions: int

    @property
    def urn(self) -> str:
        """The post id the importer derives from the URL."""
        return f"urn:li:activity:{self.activity}"


def member_daily(
    start: dt.date, end: dt.date, base: int = 60
) -> list[tuple[dt.date, int, int, int]]:
    """(day, impressions, engagements, new followers): a deterministic function of the day only.

    Two exports of the same member covering the same day agree on it, as LinkedIn's do.
    """
    out = []
    for d in days_between(start, end):
        k = d.toordinal()
        out.append((d, base + (k * 7) % 23, 1 + k % 3, k % 2))
    return out


def write_member_export(
    path: Path,
    start: dt.date,
    end: dt.date,
    posts: list[MemberPost],
    lang: str = "en",
    reached: int | None = None,
    total_followers: int = 900,
    followers_date: dt.date | None = None,
    base: int = 60,
    text_numbers: bool = False,
) -> Path:
    """A creator analytics export of one member for ``start``..``end`` (.xlsx).

    ``reached`` defaults to 60% of the period's impressions; the total followers are dated
    ``followers_date`` (default ``end``).
    """
    date = (lambda d: en_date(d, pad=False)) if lang == "en" else fr_date
    num = (
        (lambda v: fr_int(v, NNBSP))
        if text_numbers and lang == "fr"
        else ((lambda v: f"{v:,}") if text_numbers else (lambda v: v))
    )
    daily = member_daily(start, end, base)
    total_imp = sum(i for _, i, _, _ in daily)
    reached = int(total_imp * 0.6) if reached is None else reached
    fr = lang == "fr"
    names = MEMBER_SHEETS[lang]
    discovery = [
        ["Performances globales" if fr else "Overall Performance", f"{date(start)} - {date(end)}"],
        ["Impressions", num(total_imp)],
        ["Membres touchés" if fr else "Members reached", num(reached)],
    ]
    engagement = [
        ["Date", "Impressions", "Interactions" if fr else "Engagements"],
        *[[date(d), num(i), num(e)] for d, i, e, _ in daily],
    ]
    url_h, date_h = (
        ("URL du post", "Date de publication du post") if fr else ("Post URL", "Post publish date")
    )
    by_eng = sorted(posts, key=lambda p: -p.engagements)[:50]
    by_imp = sorted(posts, key=lambda p: -p.impressions)[:50]
    top = [
        [
            "Maximum de 50 posts disponibles dans cette liste"
            if fr
            else "Maximum of 50 posts available to include in this list"
        ],
        [],
        [
            url_h,
            date_h,
            "Interactions" if fr else "Engagements",
            None,
            url_h,
            date_h,
            "Impressions",
        ],
    ]
    for a, b in zip(by_eng, by_imp, strict=True):
        top.append(
            [
                f"https://www.linkedin.com/feed/update/{a.urn}",
                date(a.published),
                num(a.engagements),
                None,
                f"https://www.linkedin.com/feed/update/{b.urn}",
                date(b.published),
                num(b.impressions),
            ]
        )
    on = followers_date or end
    label = f"Nombre total d’abonnés le {date(on)} :" if fr else f"Total followers on {date(on)}:"
    followers = [
        [label, num(total_followers)],
        [],
        ["Date", "Nouveaux abonnés" if fr else "New followers"],
        *[[date(d), num(n)] for d, _, _, n in daily],
    ]
    demographics = [
        [
            "Principales données démographiques" if fr else "Top Demographics",
            "Valeur" if fr else "Value",
            "Pourcentage" if fr else "Percentage",
        ],
        ["Lieux" if fr else "Locations", "Lyon", 0.21],
    ]
    return write_workbook(
        path, list(zip(names, [discovery, engagement, top, followers, demographics], strict=True))
    )


def member_truth(start: dt.date, end: dt.date, base: int = 60) -> dict[str, int]:
    """Impressions, engagements and new followers of a member over ``start``..``end`` (what must be imported)."""
    daily = member_daily(start, end, base)
    return {
        "impressions": sum(i for _, i, _, _ in daily),
        "engagements": sum(e for _, _, e, _ in daily),
        "new_followers": sum(n for _, _, _, n in daily),
    }


# --------------------------------------------------------------------------- roster and platform


@dataclass
class Person:
    """An employee of the roster."""

    email: str
    department: str
    region: str
    wave: str = ""
    enrolled: dt.date | None = None
    profile_created: dt.date | None = None


WAVES = {
    "W1": ("Vague 1", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    "W2": ("Vague 2", dt.date(2024, 4, 1), dt.date(2024, 4, 30)),
}


def people(n_w1: int = 8, n_w2: int = 7, n_controls: int = 9) -> list[Person]:
    """A roster: volunteers of W1 (February 2024) and W2 (April 2024), and employees never enrolled."""
    out = []
    departments, regions = ("IT", "Sales", "HR"), ("Nord", "Sud")
    for i in range(n_w1 + n_w2 + n_controls):
        wave = "W1" if i < n_w1 else "W2" if i < n_w1 + n_w2 else ""
        enrolled = (WAVES[wave][1] + dt.timedelta(days=i % 20)) if wave else None
        created = dt.date(2016, 1, 1) + dt.timedelta(days=61 * i) if i % 4 else None
        if (
            i % 4 == 0 and enrolled is not None
        ):  # a quarter of the volunteers create a profile after enrolling
            created = enrolled + dt.timedelta(days=20)
        elif i % 8 == 4:  # and a few colleagues do without the programme
            created = dt.date(2024, 3, 10)
        out.append(
            Person(
                f"person{i:02d}@acme.example",
                departments[i % 3],
                regions[i % 2],
                wave,
                enrolled,
                created,
            )
        )
    return out


ROSTER_HEADER = [
    "Matricule",
    "Nom",
    "Prénom",
    "E-mail",
    "Département",
    "Région",
    "Vague",
    "Nom de la vague",
    "Début de vague",
    "Fin de vague",
    "Date d’inscription",
    "Profil créé le",
]


def write_roster(path: Path, staff: list[Person]) -> Path:
    """French HR roster: UTF-8 with BOM, ``;``, dates DD/MM/YYYY, names (never read)."""
    lines = [";".join(ROSTER_HEADER)]
    for i, p in enumerate(staff):
        name, start, end = WAVES[p.wave] if p.wave else ("", None, None)
        cells = [
            f"M{i:04d}",
            f"Nom{i}",
            f"Prénom{i}",
            p.email,
            p.department,
            p.region,
            p.wave,
            name,
            fr_date(start) if start else "",
            fr_date(end) if end else "",
            fr_date(p.enrolled) if p.enrolled else "",
            fr_date(p.profile_created) if p.profile_created else "",
        ]
        lines.append(";".join(cells))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


PLATFORM_HEADER = [
    "Lien du post",
    "E-mail de l'auteur",
    "Nom de l'auteur",
    "Date de publication",
    "Catégorie",
    "Texte du post",
    "Audience",
    "Impressions",
    "Vues uniques",
    "Réactions",
    "Commentaires",
    "Partages",
    "Clics",
]
PLATFORM_MAPPING = """[format]
lang = "fr"
timezone = "Europe/Paris"

[columns]
post_id = "Lien du post"
author = "E-mail de l'auteur"
published_at = "Date de publication"
content_type = "Catégorie"
text = "Texte du post"
audience_size = "Audience"
impressions = "Impressions"
members_reached = "Vues uniques"
reactions = "Réactions"
comments = "Commentaires"
reposts = "Partages"
clicks = "Clics"

[defaults]
network = "linkedin"
author_type = "employee"

[values.content_type]
"Entreprise" = "corporate"
"Expertise" = "non_corporate"
"""


@dataclass
class PlatformPost:
    """An employee post as the advocacy platform exports it."""

    n: int
    email: str
    when: dt.datetime
    category: str
    text: str
    audience: int
    impressions: int
    unique: int
    reactions: int
    comments: int = 0
    reposts: int = 0
    clicks: int = 0

    @property
    def urn(self) -> str:
        """The post id the importer derives from the link."""
        return f"urn:li:activity:74000000000000{self.n:05d}"


def write_platform(path: Path, posts: list[PlatformPost]) -> Path:
    """French platform export: cp1252, ``;``, CRLF, DD/MM/YYYY HH:MM, non-breaking-space thousands."""
    lines = [";".join(PLATFORM_HEADER)]
    for p in posts:
        link = f"https://www.linkedin.com/posts/acme-employee_post-activity-74000000000000{p.n:05d}-x{p.n:02d}"
        lines.append(
            ";".join(
                [
                    link,
                    p.email,
                    p.email.split("@")[0],
                    p.when.strftime("%d/%m/%Y %H:%M"),
                    p.category,
                    p.text,
                    fr_int(p.audience),
                    fr_int(p.impressions),
                    fr_int(p.unique),
                    fr_int(p.reactions),
                    fr_int(p.comments),
                    fr_int(p.reposts),
                    fr_int(p.clicks),
                ]
            )
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


RULES = """# How the programme classifies posts the platform did not tag
[[rules]]
name = "Recruitment"
content_type = "corporate"
theme = "recruitment"
hashtags = ["#AcmeRecrute", "hiring"]
domains = ["careers.acme.example"]

[[rules]]
name = "Company news"
content_type = "corporate"
theme = "company"
keywords = ["nos résultats", "our results"]
campaigns = ["Marque employeur 2024"]

[[rules]]
name = "Industry watch"
content_type = "non_corporate"
theme = "industry"
hashtags = ["veille", "industry"]
keywords = ["market", "marché"]
"""


# --------------------------------------------------------------------------- a whole programme


@dataclass
class ProgrammeExports:
    """Paths of one consistent set of exports, and the truths the tests check."""

    folder: Path
    roster: Path
    page_jan_mar: Path
    page_feb_apr: Path
    page_feb_apr_fr: Path
    followers: Path
    platform: Path
    mapping: Path
    rules: Path
    members: dict[str, Path]
    member_employees: Path
    staff: list[Person]
    page_posts_latest: dict[str, PagePost]
    platform_posts: list[PlatformPost]
    followers_window: tuple[dt.date, dt.date]
    followers_total: int
    member_periods: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)


def page_posts() -> tuple[list[PagePost], list[PagePost]]:
    """The posts of the January-March and February-April page exports (overlapping on February-March)."""
    jan_mar = [
        PagePost(
            1,
            dt.date(2024, 1, 9),
            "Nos résultats annuels sont en ligne https://www.acme.example/results",
            1520,
            30,
            25,
            3,
            2,
            1,
        ),
        PagePost(
            2,
            dt.date(2024, 1, 23),
            "Market update: rates and what they mean #industry",
            980,
            12,
            14,
            1,
            0,
        ),
        PagePost(
            3,
            dt.date(2024, 2, 6),
            "Nous recrutons ! https://careers.acme.example/jobs/42 #AcmeRecrute",
            2210,
            41,
            38,
            6,
            4,
            2,
        ),
        PagePost(4, dt.date(2024, 2, 20), "Happy Friday from the team", 640, 6, 9, 0, 1),
        PagePost(
            5,
            dt.date(2024, 3, 5),
            "Inside our employer brand campaign",
            1830,
            25,
            22,
            2,
            3,
            1,
            campaign="Marque employeur 2024",
        ),
        PagePost(
            6,
            dt.date(2024, 3, 19),
            "Veille : le marché de l'énergie #veille",
            3410,
            52,
            61,
            7,
            4,
            3,
        ),
    ]
    feb_apr = [p.later(1.2) for p in jan_mar if p.day >= dt.date(2024, 2, 1)] + [
        PagePost(7, dt.date(2024, 4, 2), "A day at the plant", 760, 8, 7, 0, 0),
        PagePost(
            8, dt.date(2024, 4, 16), "We are #hiring engineers in Lyon", 2950, 33, 41, 4, 3, 2
        ),
    ]
    return jan_mar, feb_apr


def platform_posts(staff: list[Person]) -> list[PlatformPost]:
    """Two or three posts a month by each volunteer from enrolment on, some left without a category."""
    posts, n = [], 0
    texts = [
        ("Entreprise", "Fier de nos résultats !"),
        ("Expertise", "Trois conseils de financement"),
        ("", "Nous recrutons : https://careers.acme.example/jobs/7"),
        ("", "Un dimanche au vert"),
        ("", "Market watch #industry"),
    ]
    for i, p in enumerate(staff):
        if not p.wave:
            continue
        month = dt.date(p.enrolled.year, p.enrolled.month, 1)
        while month <= dt.date(2024, 6, 1):
            for k in range(2 + (i + month.month) % 2):
                n += 1
                day = min(month + dt.timedelta(days=3 + 9 * k + i % 5), dt.date(2024, 6, 28))
                if day < p.enrolled:
                    day = p.enrolled
                category, text = texts[n % len(texts)]
                audience = 400 + 53 * i
                impressions = 300 + (n * 37) % 900
                posts.append(
                    PlatformPost(
                        n,
                        p.email,
                        dt.datetime(day.year, day.month, day.day, 9, 30),
                        category,
                        text,
                        audience,
                        impressions,
                        int(impressions * 0.7),
                        5 + n % 11,
                        n % 3,
                        n % 2,
                        2 + n % 5,
                    )
                )
            month = (month + dt.timedelta(days=32)).replace(day=1)
    return posts


def programme_exports(folder: Path) -> ProgrammeExports:
    """Write a consistent set of exports into ``folder`` (created), as an analyst downloads them.

    - roster (24 employees, W1 = February 2024, W2 = April 2024);
    - page content exports: January-March (.xls, exported 2024-04-02) and February-April (.xlsx,
      exported 2024-05-02, later numbers for the four posts they share), and the same February-April
      export in French (a different file of the same export date and values);
    - page followers export (.xls, 2023-12-01..2024-06-29, exported 2024-06-30);
    - platform export (French CSV) with its mapping, and a rules file;
    - member exports: volunteer 0, a French 90-day export 2024-01-01..2024-03-30 and an overlapping
      English one 2024-03-01..2024-05-29; volunteers 1 and 2 (W1) and 8 (W2, a control until April),
      English exports of 2024-01-01..2024-06-29.
    """
    folder.mkdir(parents=True, exist_ok=True)
    staff = people()
    roster = write_roster(folder / "effectifs_2024-06-30.csv", staff)
    jan_mar, feb_apr = page_posts()
    page1 = write_page_content(
        folder / f"acme_content_{ms_timestamp(dt.date(2024, 4, 2))}.xls",
        jan_mar,
        dt.date(2024, 1, 1),
        dt.date(2024, 3, 31),
    )
    page2 = write_page_content(
        folder / f"acme_content_{ms_timestamp(dt.date(2024, 5, 2))}.xlsx",
        feb_apr,
        dt.date(2024, 2, 1),
        dt.date(2024, 4, 30),
    )
    page2_fr = write_page_content(
        folder / f"acme_contenu_{ms_timestamp(dt.date(2024, 5, 2))}.xlsx",
        feb_apr,
        dt.date(2024, 2, 1),
        dt.date(2024, 4, 30),
        lang="fr",
    )
    window = (dt.date(2023, 12, 1), dt.date(2024, 6, 29))
    total = 25_000
    followers = write_page_followers(
        folder / f"acme_followers_{ms_timestamp(dt.date(2024, 6, 30))}.xls",
        *window,
        total_today=total,
        left_out=180,
    )
    posts = platform_posts(staff)
    platform = write_platform(folder / "plateforme_export_2024-06-30.csv", posts)
    mapping = folder / "plateforme.toml"
    mapping.write_text(PLATFORM_MAPPING, encoding="utf-8")
    rules = folder / "classification.toml"
    rules.write_text(RULES, encoding="utf-8")
    member_posts = [
        MemberPost("7420000000000000001", dt.date(2024, 2, 12), 40, 1900),
        MemberPost("7420000000000000002", dt.date(2024, 3, 14), 22, 1210),
        MemberPost("7420000000000000003", dt.date(2024, 4, 20), 35, 1500),
    ]
    periods = {
        "v0_fr": (dt.date(2024, 1, 1), dt.date(2024, 3, 30)),
        "v0_en": (dt.date(2024, 3, 1), dt.date(2024, 5, 29)),
        "v1": (dt.date(2024, 1, 1), dt.date(2024, 6, 29)),
        "v2": (dt.date(2024, 1, 1), dt.date(2024, 6, 29)),
        "w2": (dt.date(2024, 1, 1), dt.date(2024, 6, 29)),
    }
    members = {
        "v0_fr": write_member_export(
            folder / "Contenu_2024-01-01_2024-03-30_Personne00.xlsx",
            *periods["v0_fr"],
            [p for p in member_posts if p.published <= periods["v0_fr"][1]],
            lang="fr",
            total_followers=812,
            text_numbers=True,
        ),
        "v0_en": write_member_export(
            folder / "Content_2024-03-01_2024-05-29_Person00.xlsx",
            *periods["v0_en"],
            [p for p in member_posts if p.published >= dt.date(2024, 3, 1)],
            total_followers=812
            + sum(
                n
                for d, *_, n in member_daily(dt.date(2024, 3, 31), periods["v0_en"][1])
                if d > periods["v0_fr"][1]
            ),
        ),
        "v1": write_member_export(
            folder / "Content_2024-01-01_2024-06-29_Person01.xlsx",
            *periods["v1"],
            member_posts[:1],
            base=90,
            total_followers=2300,
        ),
        "v2": write_member_export(
            folder / "Content_2024-01-01_2024-06-29_Person02.xlsx",
            *periods["v2"],
            member_posts[1:2],
            base=30,
            total_followers=150,
        ),
        "w2": write_member_export(
            folder / "Content_2024-01-01_2024-06-29_Person08.xlsx",
            *periods["w2"],
            [],
            base=45,
            total_followers=480,
        ),
    }
    member_employees = folder / "member_employees.csv"
    member_employees.write_text(
        "file,employee\n"
        + "".join(
            f"{members[k].name},{staff[i].email}\n"
            for k, i in (("v0_fr", 0), ("v0_en", 0), ("v1", 1), ("v2", 2), ("w2", 8))
        ),
        encoding="utf-8",
    )
    latest = {p.urn: p for p in jan_mar} | {p.urn: p for p in feb_apr}
    return ProgrammeExports(
        folder,
        roster,
        page1,
        page2,
        page2_fr,
        followers,
        platform,
        mapping,
        rules,
        members,
        member_employees,
        staff,
        latest,
        posts,
        window,
        total,
        periods,
    )
