"""Words a reader of German (or English) news takes as the same thing in an answer.

Each group lists words (any inflection: they are compared by their Snowball
stems) that answer equivalence treats as one word: "weltweit" for "global",
"Werkzeug" for "Instrument", "Konzern" for "Unternehmen". Only general
vocabulary belongs here, never the facts of one article; answer variants of one
question go into the gold. No offline German thesaurus is packaged on PyPI
(OpenThesaurus and OdeNet ship as downloads), so this short list is ours.

Example:
    >>> synonym_group("weltweiten") == synonym_group("global")
    True
    >>> synonym_group("Säulen") is None
    False
"""

from __future__ import annotations

import re
from functools import lru_cache

from harness.text.stem import stem

__all__ = ["GROUPS", "synonym_group"]

GROUPS: tuple[tuple[str, ...], ...] = (
    ("global", "weltweit", "international", "worldwide", "globally"),
    ("instrument", "werkzeug", "mittel", "tool"),
    (
        "bewertung",
        "überprüfung",
        "prüfung",
        "beurteilung",
        "evaluierung",
        "evaluation",
        "review",
        "appraisal",
        "assessment",
        "bilanz",
    ),
    (
        "koordination",
        "abstimmung",
        "zusammenarbeit",
        "kooperation",
        "coordination",
        "cooperation",
        "collaboration",
    ),
    (
        "unternehmen",
        "firma",
        "firmen",
        "konzern",
        "konzerne",
        "betrieb",
        "company",
        "companies",
        "firm",
        "corporation",
    ),
    ("technologie", "tech", "technik", "technology"),
    ("säule", "pfeiler", "schwerpunkt", "bereich", "pillar", "säulen"),
    ("maßnahme", "massnahme", "schritt", "aktion", "measure", "action", "step"),
    (
        "sitzung",
        "treffen",
        "tagung",
        "konferenz",
        "versammlung",
        "meeting",
        "session",
        "conference",
        "gipfel",
    ),
    ("botschafter", "gesandter", "ambassador", "envoy"),
    ("vertreter", "repräsentant", "representative"),
    ("stärken", "stärkung", "verstärken", "ausbauen", "strengthen", "strengthening"),
    ("verbessern", "verbesserung", "improve", "improvement"),
    ("fördern", "förderung", "unterstützen", "promote", "promotion"),
    ("entwickeln", "entwicklung", "develop", "development", "erarbeiten"),
    (
        "verringern",
        "verringerung",
        "reduzieren",
        "reduzierung",
        "senken",
        "abbauen",
        "abbau",
        "reduce",
        "reduction",
        "mindern",
    ),
    (
        "ausweiten",
        "ausweitung",
        "erweitern",
        "erweiterung",
        "steigern",
        "expand",
        "expansion",
        "schärfen",
    ),
    ("bewusstsein", "sensibilisierung", "aufklärung", "awareness"),
    ("dringend", "dringlich", "urgent", "eilig"),
    ("ernsthaft", "ernst", "schwerwiegend", "gravierend", "serious"),
    ("weiterentwickeln", "verändern", "wandeln", "evolve", "evolving", "change"),
    ("herausforderung", "problem", "schwierigkeit", "challenge"),
    ("fortschritt", "erfolg", "progress"),
    ("kriminell", "verbrecherisch", "criminal"),
    ("netzwerk", "netz", "ring", "network", "syndikat", "bande", "syndicate", "gang"),
    ("zerschlagen", "zerschlagung", "auflösen", "dismantle", "bekämpfen", "ausheben"),
    ("informationsaustausch", "datenaustausch", "informationsaustauschs", "datenteilung"),
    ("austausch", "teilen", "sharing", "exchange"),
    ("justiziell", "juristisch", "gerichtlich", "judicial", "justiz"),
    ("regulatorisch", "gesetzlich", "rechtlich", "regulierung", "regulatory", "legal"),
    ("rahmenbedingung", "rahmen", "regel", "vorschrift", "framework", "regulation"),
    ("kapazität", "fähigkeit", "kapazitäten", "capacity", "capability"),
    ("strafverfolgung", "verfolgung", "prosecution", "enforcement"),
    ("strafverfolgungsbehörde", "polizei", "ermittlungsbehörde", "police"),
    ("behörde", "amt", "agency", "authority"),
    ("opfer", "betroffene", "victim"),
    ("schutz", "schützen", "protection", "protect"),
    ("menschenhandel", "trafficking", "human trafficking"),
    ("ausbeutung", "exploitation"),
    ("zwangsarbeit", "forced labour", "forced labor"),
    ("priorität", "vorrang", "priority"),
    ("oberste", "höchste", "top", "highest", "wichtigste"),
    ("langfristig", "dauerhaft", "long-term", "lasting"),
    ("nachhaltig", "sustainable"),
    ("lösung", "solution", "antwort"),
    ("sicher", "safe", "secure"),
    ("migrationsweg", "migrationsroute", "migration", "migrationswege"),
    ("weg", "route", "pfad", "path", "pathway"),
    ("ungleichheit", "ungleichheiten", "ungerechtigkeit", "disparität", "inequality"),
    ("sozial", "gesellschaftlich", "social", "sozio", "socio"),
    ("wirtschaftlich", "ökonomisch", "economic"),
    ("gemeinschaft", "gemeinwesen", "community"),
    ("anfälligkeit", "verwundbarkeit", "vulnerability", "gefährdung"),
    ("missbrauch", "ausnutzung", "misuse", "abuse"),
    ("zunehmend", "wachsend", "steigend", "increasing", "growing"),
    ("besorgnis", "sorge", "concern", "worry"),
    ("fordern", "forderung", "verlangen", "aufrufen", "aufruf", "call", "demand", "appeal"),
    ("engagement", "entschlossenheit", "einsatz", "commitment", "determination"),
    ("bekräftigen", "bestätigen", "unterstreichen", "reaffirm", "confirm"),
    ("kampf", "bekämpfung", "fight", "combat", "struggle"),
    ("plan", "programm", "programme", "program"),
    ("strategie", "strategy"),
    ("aktionsplan", "handlungsplan", "action plan"),
    ("nationale", "national", "landesweit", "staatlich"),
    ("staatschef", "staatsoberhaupt", "regierungschef", "head of state"),
    ("führer", "spitzenpolitiker", "leader"),
    ("jubiläum", "bestehen", "jahrestag", "anniversary"),
    ("hauptstadt", "capital"),
    ("veröffentlichen", "erscheinen", "publish"),
    ("autor", "verfasser", "author", "journalist", "reporter"),
    ("zeitung", "medium", "blatt", "newspaper", "paper", "publication"),
    ("land", "staat", "nation", "country", "königreich", "kingdom"),
    ("woche", "week"),
    ("jahr", "year"),
    ("new york", "nyc", "new york city"),
)


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    out: dict[str, str] = {}
    for i, group in enumerate(GROUPS):
        for word in group:
            if " " in word:
                continue
            for key in {stem(word, "de"), stem(word, "en"), word.casefold()}:
                out.setdefault(key, f"⟨syn{i}⟩")
    return out


_PARTICIPLE = re.compile(r"e?nd(?:e|er|es|en|em)?$")


def synonym_group(word: str) -> str | None:
    """The group token of ``word`` (any inflection), or None when it is in no group."""
    w = word.casefold()
    idx = _index()
    base = _PARTICIPLE.sub("en", w) if len(w) > 6 else w  # "verändernde" -> "verändern"
    for key in (w, stem(w, "de"), stem(w, "en"), base, stem(base, "de")):
        if key in idx:
            return idx[key]
    return None
