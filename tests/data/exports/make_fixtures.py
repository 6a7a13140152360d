"""Build the import test fixtures: small files laid out like the real exports.

Run once from the repository root (the generated files are committed)::

    .venv/bin/python tests/data/exports/make_fixtures.py

The builder functions are also used by the tests to write broken variants.
Layouts mirrored (see docs/importing.md): LinkedIn Page content export (.xls
and .xlsx; a disclaimer row above each header; "Metrics" and "All posts", or
the French "Indicateurs" and "Tous les posts"; the older "Update ..." names),
the creator analytics export (DISCOVERY, ENGAGEMENT, TOP POSTS, FOLLOWERS,
DEMOGRAPHICS, and the French DÉCOUVERTE, ENGAGEMENT, MEILLEURS POSTS, ABONNÉS,
DONNÉES DÉMOGRAPHIQUES), an HR roster (French CSV with BOM and ``;``, English
.xlsx) and advocacy-platform exports (a cp1252 ``;`` CSV with non-breaking
spaces and decimal commas, and an English .xlsx). All names and addresses are
invented (``*.example``).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
NBSP, NNBSP = "\u00a0", "\u202f"
FIXED_TIME = dt.datetime(2024, 5, 1, 12, 0, 0)

# --------------------------------------------------------------------------- people

EMPLOYEES = [
    # email, staff number, first, last, profile slug, dept, region, wave, enrolled, profile created, left
    (
        "alice.martin@acme.example",
        "A001",
        "Alice",
        "Martin",
        "alice-martin-acme",
        "IT",
        "Nord",
        "W1",
        dt.date(2024, 1, 10),
        dt.date(2019, 4, 2),
        None,
    ),
    (
        "bruno.petit@acme.example",
        "A002",
        "Bruno",
        "Petit",
        "bruno-petit",
        "Sales",
        "Sud",
        "W1",
        dt.date(2024, 1, 15),
        dt.date(2024, 1, 20),
        None,
    ),
    (
        "chloe.durand@acme.example",
        "A003",
        "Chloé",
        "Durand",
        "chloe-durand",
        "HR",
        "Nord",
        "W1",
        dt.date(2024, 1, 22),
        dt.date(2016, 9, 30),
        None,
    ),
    (
        "david.leroy@acme.example",
        "A004",
        "David",
        "Leroy",
        "",
        "IT",
        "Sud",
        "W2",
        dt.date(2024, 3, 5),
        dt.date(2024, 3, 18),
        None,
    ),
    (
        "emma.moreau@acme.example",
        "A005",
        "Emma",
        "Moreau",
        "emma-moreau",
        "Sales",
        "Nord",
        "W2",
        dt.date(2024, 3, 12),
        dt.date(2020, 1, 13),
        None,
    ),
    (
        "farid.benali@acme.example",
        "A006",
        "Farid",
        "Benali",
        "farid-benali",
        "HR",
        "Sud",
        None,
        None,
        dt.date(2018, 6, 25),
        None,
    ),
    (
        "gaelle.roux@acme.example",
        "A007",
        "Gaëlle",
        "Roux",
        "",
        "IT",
        "Nord",
        None,
        None,
        None,
        dt.date(2024, 2, 29),
    ),
    (
        "hugo.fournier@acme.example",
        "A008",
        "Hugo",
        "Fournier",
        "hugo-fournier",
        "Sales",
        "Sud",
        None,
        None,
        dt.date(2021, 11, 3),
        None,
    ),
]
WAVES = {
    "W1": ("Vague 1 — pilote", dt.date(2024, 1, 8), dt.date(2024, 1, 31)),
    "W2": ("Vague 2 — extension", dt.date(2024, 3, 4), dt.date(2024, 3, 29)),
}

ROSTER_FR_HEADER = [
    "Matricule",
    "Nom",
    "Prénom",
    "E-mail",
    "Profil LinkedIn",
    "Département",
    "Région",
    "Vague",
    "Nom de la vague",
    "Début de vague",
    "Fin de vague",
    "Date d'inscription",
    "Profil créé le",
    "Date de départ",
]
ROSTER_EN_HEADER = [
    "Employee ID",
    "First name",
    "Last name",
    "Email",
    "LinkedIn profile",
    "Department",
    "Region",
    "Wave",
    "Wave name",
    "Wave start",
    "Wave end",
    "Enrolled on",
    "Profile created on",
    "Left on",
]


def _dmy(d: dt.date | None) -> str:
    return "" if d is None else d.strftime("%d/%m/%Y")


def _mdy(d: dt.date | None) -> str:
    return "" if d is None else f"{d.month}/{d.day}/{d.year}"


def roster_rows(employees=EMPLOYEES, fmt=_dmy) -> list[list[str]]:
    """Roster data rows (identifier, name, profile, department, region, wave, dates)."""
    rows = []
    for e in employees:
        email, number, first, last, slug, dept, region, wave, enrolled, created, left = e
        name, start, end = WAVES[wave] if wave else ("", None, None)
        url = f"https://www.linkedin.com/in/{slug}/" if slug else ""
        rows.append(
            [
                number,
                last,
                first,
                email,
                url,
                dept,
                region,
                wave or "",
                name,
                fmt(start),
                fmt(end),
                fmt(enrolled),
                fmt(created),
                fmt(left),
            ]
        )
    return rows


def write_roster_csv(
    path: Path,
    rows: list[list[str]] | None = None,
    header: list[str] = ROSTER_FR_HEADER,
    sep: str = ";",
    encoding: str = "utf-8-sig",
) -> Path:
    """French HR roster: UTF-8 with BOM, ``;``-separated, dates DD/MM/YYYY."""
    rows = roster_rows() if rows is None else rows
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_roster_xlsx(
    path: Path,
    rows: list[list[object]],
    header: list[str] = ROSTER_EN_HEADER,
    sheet: str = "Roster",
) -> Path:
    """English HR roster workbook, header on row 1."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(r)
    _save(wb, path)
    return path


def _save(wb, path: Path) -> None:
    """Save a workbook with fixed timestamps, so that regenerating gives the same bytes."""
    import io
    import zipfile

    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(item.filename)
            if (
                item.filename == "docProps/core.xml"
            ):  # openpyxl stamps "modified" with the current time
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-05-01T12:00:00Z", data
                )
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())


# --------------------------------------------------------------------------- LinkedIn page export

PAGE_HEADER = {
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
        "Unique impressions",
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
        "Impressions uniques",
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
    "old": [
        "Update title",
        "Update link",
        "Update type",
        "Campaign name",
        "Posted by",
        "Created date",
        "Campaign start date",
        "Campaign end date",
        "Audience",
        "Impressions",
        "Views",
        "Clicks",
        "Click through rate (CTR)",
        "Likes",
        "Comments",
        "Shares",
        "Follows",
        "Engagement rate",
        "Content Type",
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
        "Taux d’engagement (naturel)",
        "Taux d’engagement (sponsorisé)",
        "Taux d’engagement (total)",
    ],
}
SHEETS = {
    "en": ("Metrics", "All posts"),
    "fr": ("Indicateurs", "Tous les posts"),
    "old": ("Update metrics (aggregated)", "Update engagement"),
}
DISCLAIMER = {
    "en": "All posts and their metrics for the selected period. Metrics are updated daily; data may be "
    "delayed up to 48 hours.",
    "fr": "Tous les posts et leurs statistiques pour la période sélectionnée. Les statistiques sont mises à jour "
    "quotidiennement.",
}
DISCLAIMER["old"] = DISCLAIMER["en"]


def link(n: int) -> str:
    """Post link of page post number n."""
    return f"https://www.linkedin.com/feed/update/urn:li:activity:71500000000000{n:05d}"


def page_post(
    n: int,
    day: dt.date,
    impressions: int,
    unique: int,
    clicks: int,
    likes: int,
    comments: int,
    reposts: int,
    follows: int,
    title: str = "",
) -> dict:
    """One page post with LinkedIn's rates computed from its counts."""
    return {
        "n": n,
        "title": title or f"Post {n}",
        "link": link(n),
        "day": day,
        "impressions": impressions,
        "unique": unique,
        "clicks": clicks,
        "likes": likes,
        "comments": comments,
        "reposts": reposts,
        "follows": follows,
        "ctr": clicks / impressions,
        "er": (likes + comments + reposts + clicks + follows) / impressions,
    }


def fr_int(v: int, space: str = NBSP) -> str:
    """French thousands grouping: 12 345 with a (narrow) non-breaking space."""
    return f"{v:,}".replace(",", space)


def fr_pct(v: float, digits: int = 2) -> str:
    """French percentage: '3,52 %' (non-breaking space before %)."""
    return f"{v * 100:.{digits}f}".replace(".", ",") + NBSP + "%"


def page_rows(posts: list[dict], layout: str, text_numbers: bool = False) -> list[list[object]]:
    """Rows of the All posts sheet (header names decided by ``layout``)."""
    out = []
    for p in posts:
        day = p["day"]
        date = _dmy(day) if layout == "fr" else _mdy(day)
        if layout == "fr" and text_numbers:
            nums = [
                fr_int(p["impressions"]),
                fr_int(p["unique"]),
                "",
                "",
                fr_int(p["clicks"]),
                fr_pct(p["ctr"]),
                fr_int(p["likes"]),
                fr_int(p["comments"]),
                fr_int(p["reposts"]),
                fr_int(p["follows"]),
                fr_pct(p["er"]),
            ]
        else:
            nums = [
                p["impressions"],
                p["unique"],
                0,
                0,
                p["clicks"],
                round(p["ctr"], 6),
                p["likes"],
                p["comments"],
                p["reposts"],
                p["follows"],
                round(p["er"], 6),
            ]
        if layout == "old":
            imp, _, views, _, clicks, ctr, likes, comments, reposts, follows, er = nums
            row = [
                p["title"],
                p["link"],
                "Organic",
                "",
                "Admin Person",
                date,
                "",
                "",
                "All followers",
                imp,
                views,
                clicks,
                ctr,
                likes,
                comments,
                reposts,
                follows,
                er,
                "Organic",
            ]
        else:
            row = [
                p["title"],
                p["link"],
                "Organic",
                "",
                "Admin Person",
                date,
                "",
                "",
                "Tous les abonnés" if layout == "fr" else "All followers",
                *nums,
                "Naturel" if layout == "fr" else "Organic",
            ]
        out.append(row)
    return out


def metrics_rows(first: dt.date, last: dt.date, layout: str) -> list[list[object]]:
    """Daily rows of the Metrics sheet."""
    rows, day, i = [], first, 0
    while day <= last:
        date = _dmy(day) if layout == "fr" else _mdy(day)
        imp = 200 + (i * 37) % 150
        rows.append(
            [
                date,
                imp,
                0,
                imp,
                int(imp * 0.7),
                5 + i % 4,
                0,
                5 + i % 4,
                3 + i % 5,
                0,
                3 + i % 5,
                0.04,
                0,
                0.04,
            ]
        )
        day += dt.timedelta(days=1)
        i += 1
    return rows


def write_page_export(
    path: Path,
    posts: list[dict],
    layout: str = "en",
    metrics: tuple[dt.date, dt.date] | None = None,
    text_numbers: bool = False,
    header: list[str] | None = None,
    sheets: tuple[str, str] | None = None,
    followers_from: int | None = None,
) -> Path:
    """Write a Page content export (.xls via xlwt or .xlsx via openpyxl, by suffix).

    ``followers_from`` adds a daily total-followers column to the Metrics sheet
    (starting at that count, +10 a day).
    """
    metrics_name, posts_name = sheets or SHEETS[layout]
    m_layout = "fr" if layout == "fr" else "en"
    m_rows = metrics_rows(*metrics, layout=m_layout) if metrics else []
    m_header = list(METRICS_HEADER[m_layout])
    if followers_from is not None:
        m_header.append("Nombre total d’abonnés" if m_layout == "fr" else "Total followers")
        m_rows = [[*r, followers_from + 10 * i] for i, r in enumerate(m_rows)]
    p_header = header or PAGE_HEADER[layout]
    grids = [
        (metrics_name, [[DISCLAIMER[layout]], m_header, *m_rows]),
        (posts_name, [[DISCLAIMER[layout]], p_header, *page_rows(posts, layout, text_numbers)]),
    ]
    if path.suffix == ".xls":
        import xlwt

        wb = xlwt.Workbook(encoding="utf-8")
        for name, grid in grids:
            ws = wb.add_sheet(name)
            for i, row in enumerate(grid):
                for j, v in enumerate(row):
                    ws.write(i, j, v)
        wb.save(str(path))
    else:
        import openpyxl

        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, grid in grids:
            ws = wb.create_sheet(name)
            for row in grid:
                ws.append(row)
        _save(wb, path)
    return path


JAN = [
    page_post(1, dt.date(2024, 1, 3), 1520, 1100, 30, 25, 3, 2, 1),
    page_post(2, dt.date(2024, 1, 9), 980, 700, 12, 14, 1, 0, 0),
    page_post(3, dt.date(2024, 1, 17), 2210, 1605, 41, 38, 6, 4, 2),
    page_post(4, dt.date(2024, 1, 25), 640, 455, 6, 9, 0, 1, 0),
]
# the February export repeats posts 3 and 4 with later (higher) numbers and adds three posts
FEB = [
    page_post(3, dt.date(2024, 1, 17), 2390, 1720, 44, 40, 6, 5, 2),
    page_post(4, dt.date(2024, 1, 25), 1105, 802, 11, 15, 1, 2, 0),
    page_post(5, dt.date(2024, 2, 2), 1830, 1290, 25, 22, 2, 3, 1),
    page_post(6, dt.date(2024, 2, 14), 12840, 9020, 160, 210, 18, 12, 9),
    page_post(7, dt.date(2024, 2, 27), 760, 530, 8, 7, 0, 0, 0),
]
# the French March export repeats post 7 and adds three posts (one with more than 1 000 of everything)
MAR = [
    page_post(7, dt.date(2024, 2, 27), 905, 650, 9, 8, 1, 0, 0),
    page_post(8, dt.date(2024, 3, 6), 3410, 2480, 52, 61, 7, 4, 3),
    page_post(9, dt.date(2024, 3, 13), 15230, 11050, 1204, 1380, 96, 75, 21),
    page_post(10, dt.date(2024, 3, 28), 1290, 930, 15, 13, 2, 1, 0),
]
OLD = [
    page_post(101, dt.date(2023, 11, 7), 1410, 1000, 20, 18, 2, 1, 0),
    page_post(102, dt.date(2023, 11, 21), 1720, 1200, 25, 20, 3, 2, 1),
]

PAGE_FILES = {
    "en_xls": "acme_content_1706954400000.xls",  # exported 2024-02-03
    "en_xlsx": "acme_content_1709719200000.xlsx",  # exported 2024-03-06
    "fr_xlsx": "acme_contenu_1712397600000.xlsx",  # exported 2024-04-06
    "old_xls": "acme_updates_1701428400000.xls",  # exported 2023-12-01, older "Update" names, no unique reach
}


def write_page_followers(path: Path) -> Path:
    """Page followers by date (what an analyst keeps from the Followers export)."""
    path.write_text(
        "date,followers\n2023-10-01,24100\n2024-01-01,25000\n2024-02-01,25160\n2024-03-01,25310\n"
        "2024-04-01,25480\n",
        encoding="utf-8",
    )
    return path


def write_page_classification(path: Path, posts: list[dict]) -> Path:
    """Classification of the page's posts: post_link, content_type, theme."""
    lines = ["post_link,content_type,theme"]
    for p in posts:
        kind = "corporate" if p["n"] % 3 == 0 else "non_corporate"
        lines.append(f"{p['link']},{kind},{'offers' if kind == 'corporate' else 'expertise'}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- creator analytics (member)

MEMBER_SHEETS = {
    "en": ["DISCOVERY", "ENGAGEMENT", "TOP POSTS", "FOLLOWERS", "DEMOGRAPHICS"],
    "fr": ["DÉCOUVERTE", "ENGAGEMENT", "MEILLEURS POSTS", "ABONNÉS", "DONNÉES DÉMOGRAPHIQUES"],
}


def write_member_export(
    path: Path,
    lang: str,
    start: dt.date,
    end: dt.date,
    posts: list[tuple[str, dt.date, int, int]],
    daily_impressions: int = 40,
    reached: int | None = None,
    total_followers: int = 523,
    followers_on: dt.date | None = None,
    text_numbers: bool = False,
    impressions_override: object = None,
    space: str = NNBSP,
    sheet_names: list[str] | None = None,
) -> Path:
    """Write a creator analytics export.

    Parameters
    ----------
    posts : list of (activity id, publish date, engagements, impressions)
    """
    import openpyxl

    fmt = _dmy if lang == "fr" else _mdy
    num = (
        (lambda v: fr_int(v, space))
        if (text_numbers and lang == "fr")
        else ((lambda v: f"{v:,}") if text_numbers else (lambda v: v))
    )
    days = [(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)]
    imps = [daily_impressions + (i * 7) % 23 for i in range(len(days))]
    engs = [1 + i % 3 for i in range(len(days))]
    total_imp = sum(imps)
    reached = reached if reached is not None else int(total_imp * 0.62)
    names = sheet_names or MEMBER_SHEETS[lang]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet(names[0])
    ws.append(
        [
            "Performances globales" if lang == "fr" else "Overall Performance",
            f"{fmt(start)} - {fmt(end)}",
        ]
    )
    ws.append(
        [
            "Impressions",
            impressions_override if impressions_override is not None else num(total_imp),
        ]
    )
    ws.append(["Membres touchés" if lang == "fr" else "Members reached", num(reached)])
    ws = wb.create_sheet(names[1])
    ws.append(["Date", "Impressions", "Interactions" if lang == "fr" else "Engagements"])
    for d, i, e in zip(days, imps, engs, strict=True):
        ws.append([fmt(d), num(i), num(e)])
    ws = wb.create_sheet(names[2])
    ws.append(
        [
            "Maximum de 50 posts disponibles dans cette liste"
            if lang == "fr"
            else "Maximum of 50 posts available to include in this list"
        ]
    )
    ws.append([])
    url_h, date_h = (
        ("URL du post", "Date de publication du post")
        if lang == "fr"
        else ("Post URL", "Post publish date")
    )
    ws.append(
        [
            url_h,
            date_h,
            "Interactions" if lang == "fr" else "Engagements",
            None,
            url_h,
            date_h,
            "Impressions",
        ]
    )
    by_eng = sorted(posts, key=lambda p: -p[2])
    by_imp = sorted(posts, key=lambda p: -p[3])
    for a, b in zip(by_eng, by_imp, strict=True):
        ws.append(
            [
                f"https://www.linkedin.com/feed/update/urn:li:activity:{a[0]}",
                fmt(a[1]),
                num(a[2]),
                None,
                f"https://www.linkedin.com/feed/update/urn:li:activity:{b[0]}",
                fmt(b[1]),
                num(b[3]),
            ]
        )
    ws = wb.create_sheet(names[3])
    on = followers_on or end
    label = (
        f"Nombre total d’abonnés le {fmt(on)} :"
        if lang == "fr"
        else f"Total followers on {fmt(on)}:"
    )
    ws.append([label, num(total_followers)])
    ws.append([])
    ws.append(["Date", "Nouveaux abonnés" if lang == "fr" else "New followers"])
    for i, d in enumerate(days):
        ws.append([fmt(d), num(i % 2)])
    ws = wb.create_sheet(names[4])
    ws.append(
        [
            "Principales données démographiques" if lang == "fr" else "Top Demographics",
            "Valeur" if lang == "fr" else "Value",
            "Pourcentage" if lang == "fr" else "Percentage",
        ]
    )
    ws.append(["Lieux" if lang == "fr" else "Locations", "Lille", "0,12" if lang == "fr" else 0.12])
    ws.append(
        [
            "Secteurs" if lang == "fr" else "Industries",
            "Banque" if lang == "fr" else "Banking",
            "< 1%",
        ]
    )
    _save(wb, path)
    return path


MEMBER_FILES = {
    "alice_jan": "Content_2024-01-01_2024-01-31_AliceMartin.xlsx",
    "alice_feb": "Content_2024-02-01_2024-02-29_AliceMartin.xlsx",
    "bruno_jan_fr": "Contenu_2024-01-01_2024-01-31_BrunoPetit.xlsx",
    "chloe_q1": "Content_2024-01-01_2024-03-31_ChloeDurand.xlsx",
}


# --------------------------------------------------------------------------- advocacy platform

PLATFORM_FR_HEADER = [
    "Lien du post",
    "E-mail de l'auteur",
    "Nom de l'auteur",
    "Date de publication",
    "Catégorie",
    "Thème",
    "Origine",
    "Audience",
    "Impressions",
    "Vues uniques",
    "Réactions",
    "Commentaires",
    "Partages",
    "Clics",
    "Taux d'engagement",
]
PLATFORM_EN_HEADER = [
    "Post URL",
    "Author email",
    "Author name",
    "Published",
    "Category",
    "Theme",
    "Source",
    "Audience",
    "Impressions",
    "Unique views",
    "Reactions",
    "Comments",
    "Shares",
    "Clicks",
    "Engagement rate",
]


def platform_post(
    n: int,
    email: str,
    when: dt.datetime,
    category: str,
    theme: str,
    origin: str,
    audience: int,
    impressions: int,
    unique: int,
    reactions: int,
    comments: int,
    reposts: int,
    clicks: int,
) -> dict:
    """One employee post as a platform exports it."""
    return {
        "link": f"https://www.linkedin.com/posts/acme-employee_post-activity-72000000000000{n:05d}-ab{n:02d}",
        "email": email,
        "when": when,
        "category": category,
        "theme": theme,
        "origin": origin,
        "audience": audience,
        "impressions": impressions,
        "unique": unique,
        "reactions": reactions,
        "comments": comments,
        "reposts": reposts,
        "clicks": clicks,
        "er": (reactions + comments + reposts + clicks) / impressions,
    }


A, B, C = EMPLOYEES[0][0], EMPLOYEES[1][0], EMPLOYEES[2][0]
D, E = EMPLOYEES[3][0], EMPLOYEES[4][0]
PLATFORM_FEB = [
    platform_post(
        1,
        A,
        dt.datetime(2024, 1, 12, 9, 30),
        "Marque employeur",
        "culture",
        "Suggéré",
        1840,
        2310,
        1530,
        41,
        6,
        3,
        12,
    ),
    platform_post(
        2,
        B,
        dt.datetime(2024, 1, 18, 18, 5),
        "Expertise",
        "finance",
        "Personnel",
        620,
        540,
        380,
        9,
        1,
        0,
        4,
    ),
    platform_post(
        3,
        A,
        dt.datetime(2024, 2, 13, 8, 0),
        "Actualité du secteur",
        "marché",
        "Bibliothèque",
        1850,
        1275,
        910,
        18,
        2,
        1,
        7,
    ),
    platform_post(
        4,
        C,
        dt.datetime(2024, 2, 20, 12, 45),
        "Offres",
        "recrutement",
        "Suggéré",
        2950,
        12480,
        8830,
        212,
        25,
        14,
        96,
    ),
]
PLATFORM_MAR = [  # overlaps posts 3 and 4 (later numbers), adds two March posts
    platform_post(
        3,
        A,
        dt.datetime(2024, 2, 13, 8, 0),
        "Actualité du secteur",
        "marché",
        "Bibliothèque",
        1850,
        1410,
        1002,
        19,
        2,
        1,
        8,
    ),
    platform_post(
        4,
        C,
        dt.datetime(2024, 2, 20, 12, 45),
        "Offres",
        "recrutement",
        "Suggéré",
        2950,
        13020,
        9110,
        220,
        26,
        15,
        99,
    ),
    platform_post(
        5,
        D,
        dt.datetime(2024, 3, 14, 7, 50),
        "Inspiration",
        "sport",
        "Personnel",
        310,
        260,
        190,
        5,
        0,
        0,
        2,
    ),
    platform_post(
        6,
        E,
        dt.datetime(2024, 3, 21, 17, 15),
        "Entreprise",
        "résultats",
        "Suggéré",
        1220,
        1940,
        1310,
        33,
        4,
        2,
        15,
    ),
]
EN_CATEGORY = {
    "Marque employeur": "Employer brand",
    "Expertise": "Expertise",
    "Actualité du secteur": "Industry news",
    "Offres": "Offers",
    "Inspiration": "Inspiration",
    "Entreprise": "Company news",
}
EN_ORIGIN = {"Suggéré": "Suggested", "Bibliothèque": "Curated", "Personnel": "Own"}
PLATFORM_EN = [
    platform_post(
        7,
        B,
        dt.datetime(2024, 3, 2, 16, 40),
        "Expertise",
        "finance",
        "Personnel",
        640,
        700,
        455,
        11,
        2,
        0,
        5,
    ),
    platform_post(
        8,
        E,
        dt.datetime(2024, 3, 27, 10, 10),
        "Offres",
        "recrutement",
        "Suggéré",
        1230,
        1520,
        1100,
        28,
        3,
        1,
        9,
    ),
]

PLATFORM_FILES = {
    "fr_feb": "plateforme_export_2024-03-01.csv",
    "fr_mar": "plateforme_export_2024-04-01.csv",
    "en": "platform_posts_2024-04-02.xlsx",
}


def platform_fr_lines(posts: list[dict]) -> list[list[str]]:
    """Rows of the French CSV: DD/MM/YYYY HH:MM, non-breaking-space thousands, '3,5 %' rates."""
    rows = []
    for p in posts:
        name = p["email"].split("@")[0].replace(".", " ").title()
        rows.append(
            [
                p["link"],
                p["email"],
                name,
                p["when"].strftime("%d/%m/%Y %H:%M"),
                p["category"],
                p["theme"],
                p["origin"],
                fr_int(p["audience"]),
                fr_int(p["impressions"]),
                fr_int(p["unique"]),
                fr_int(p["reactions"]),
                fr_int(p["comments"]),
                fr_int(p["reposts"]),
                fr_int(p["clicks"]),
                fr_pct(p["er"], 1),
            ]
        )
    return rows


def write_platform_csv(
    path: Path,
    posts: list[dict],
    encoding: str = "cp1252",
    header=PLATFORM_FR_HEADER,
    rows: list[list[str]] | None = None,
) -> Path:
    """French platform export: cp1252, ';', CRLF."""
    rows = platform_fr_lines(posts) if rows is None else rows
    text = "\r\n".join(";".join(r) for r in [header, *rows]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_platform_xlsx(path: Path, posts: list[dict]) -> Path:
    """English platform export (.xlsx): numbers as numbers, dates as Excel date-times."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Posts"
    ws.append(PLATFORM_EN_HEADER)
    for p in posts:
        name = p["email"].split("@")[0].replace(".", " ").title()
        ws.append(
            [
                p["link"],
                p["email"],
                name,
                p["when"],
                EN_CATEGORY[p["category"]],
                p["theme"],
                EN_ORIGIN[p["origin"]],
                p["audience"],
                p["impressions"],
                p["unique"],
                p["reactions"],
                p["comments"],
                p["reposts"],
                p["clicks"],
                round(p["er"], 4),
            ]
        )
    _save(wb, path)
    return path


# --------------------------------------------------------------------------- main


def build(folder: Path = HERE) -> dict[str, Path]:
    """Write every fixture into ``folder``; return them by name."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    out["roster_fr"] = write_roster_csv(folder / "roster_fr_2024-03-01.csv")
    en_rows = roster_rows(fmt=_mdy)
    en_rows[7][13] = "4/15/2024"  # Hugo left in April
    en_rows.append(
        [
            "A009",
            "Ines",
            "Garnier",
            "ines.garnier@acme.example",
            "https://www.linkedin.com/in/ines-garnier",
            "HR",
            "Nord",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ]
    )
    out["roster_en"] = write_roster_xlsx(folder / "roster_en_2024-04-30.xlsx", en_rows)
    out["page_en_xls"] = write_page_export(
        folder / PAGE_FILES["en_xls"], JAN, "en", (dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    )
    out["page_en_xlsx"] = write_page_export(
        folder / PAGE_FILES["en_xlsx"], FEB, "en", (dt.date(2024, 1, 20), dt.date(2024, 3, 5))
    )
    out["page_fr_xlsx"] = write_page_export(
        folder / PAGE_FILES["fr_xlsx"],
        MAR,
        "fr",
        (dt.date(2024, 2, 20), dt.date(2024, 4, 5)),
        text_numbers=True,
    )
    out["page_old_xls"] = write_page_export(
        folder / PAGE_FILES["old_xls"], OLD, "old", (dt.date(2023, 11, 1), dt.date(2023, 11, 30))
    )
    out["page_followers"] = write_page_followers(folder / "page_followers.csv")
    out["page_classification"] = write_page_classification(
        folder / "page_posts_content_types.csv", JAN + FEB[2:] + MAR[1:] + OLD
    )
    out["member_alice_jan"] = write_member_export(
        folder / MEMBER_FILES["alice_jan"],
        "en",
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 31),
        [
            ("7152000000000000101", dt.date(2024, 1, 12), 61, 2310),
            ("7152000000000000102", dt.date(2023, 12, 20), 4, 150),
        ],
        total_followers=1204,
        text_numbers=True,
    )
    out["member_alice_feb"] = write_member_export(
        folder / MEMBER_FILES["alice_feb"],
        "en",
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
        [
            ("7152000000000000103", dt.date(2024, 2, 13), 28, 1275),
            ("7152000000000000101", dt.date(2024, 1, 12), 2, 95),
        ],
        daily_impressions=55,
        total_followers=1230,
        followers_on=dt.date(2024, 3, 4),
    )
    out["member_bruno_jan_fr"] = write_member_export(
        folder / MEMBER_FILES["bruno_jan_fr"],
        "fr",
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 31),
        [("7152000000000000201", dt.date(2024, 1, 18), 14, 540)],
        daily_impressions=1100,
        total_followers=2310,
        text_numbers=True,
    )
    out["member_chloe_q1"] = write_member_export(
        folder / MEMBER_FILES["chloe_q1"],
        "en",
        dt.date(2024, 1, 1),
        dt.date(2024, 3, 31),
        [("7152000000000000301", dt.date(2024, 2, 20), 260, 12480)],
    )
    mapping = folder / "member_employees.csv"
    mapping.write_text(
        "file,employee\n"
        f"{MEMBER_FILES['alice_jan']},{EMPLOYEES[0][0]}\n"
        f"{MEMBER_FILES['alice_feb']},{EMPLOYEES[0][0]}\n"
        f"{MEMBER_FILES['bruno_jan_fr']},https://www.linkedin.com/in/bruno-petit\n"
        f"{MEMBER_FILES['chloe_q1']},{EMPLOYEES[2][0]}\n",
        encoding="utf-8",
    )
    out["member_mapping"] = mapping
    out["platform_fr_feb"] = write_platform_csv(folder / PLATFORM_FILES["fr_feb"], PLATFORM_FEB)
    out["platform_fr_mar"] = write_platform_csv(folder / PLATFORM_FILES["fr_mar"], PLATFORM_MAR)
    out["platform_en"] = write_platform_xlsx(folder / PLATFORM_FILES["en"], PLATFORM_EN)
    return out


if __name__ == "__main__":
    for name, path in build().items():
        print(f"{name:22s} {path.name} ({path.stat().st_size} bytes)")
