#!/usr/bin/env python3
# ruff: noqa: E501  (gold data: long German sentences are kept on one line for readability)
"""Build the hand-made gold of ``gold/kambodscha-menschenhandel-2025/``.

The gold items are written down below as plain Python data. Evidence is given
by its text only -- either ``"text"`` or ``("text", k)`` for the k-th
(0-based) occurrence of a text that occurs more than once in the article --
and this script finds the character offsets (Python ``str`` indices, i.e.
code points) in ``article.txt``. It fails loudly when a text does not occur,
or occurs more than once and no occurrence index was given.

It also checks, before writing anything:

* every item id is unique and matches ``[a-z0-9-]+``;
* every extractive answer (item without ``"abstractive": true``) is
  supported by its evidence modulo case, punctuation, dash style, German
  articles, number words and date forms; and every item that says
  ``"abstractive": true`` really has an answer that is not (so the flag is
  only used where it is needed);
* the minimum counts, abstract word counts (40-80) and five bullet lines;
* every fact's matcher value (date, years, name, number, alias) literally
  occurs in its own evidence.

Usage::

    python tools/make_gold_offsets.py          # (re)write qa/summaries/facts .jsonl
    python tools/make_gold_offsets.py --check  # verify the files on disk are up to date

Output is deterministic: one ``json.dumps(obj, ensure_ascii=False)`` per line,
keys in the fixed order given in ``_QA_KEYS``/``_SUMMARY_KEYS``/``_FACT_KEYS``.
``article.txt`` and ``meta.json`` are not generated (the article is a
byte-for-byte copy of the source; ``meta.json`` is hand-written).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

DOC_ID = "kambodscha-menschenhandel-2025"
ROOT = Path(__file__).resolve().parent.parent
DOC_DIR = ROOT / "gold" / DOC_ID
ARTICLE_PATH = DOC_DIR / "article.txt"

MIN_ANSWERABLE = 38
MIN_UNANSWERABLE = 7
MIN_FACTS = 18

Ev = str | tuple[str, int]

# ---------------------------------------------------------------------------
# Question-answer pairs
# ---------------------------------------------------------------------------
# Each entry: id, question, question_en, answers (preferred first), category,
# type, evidence (texts), optional abstractive=True. Unanswerable: answers=[],
# evidence=[], answerable=False, note.

QA: list[dict[str, Any]] = [
    # --- speaker -----------------------------------------------------------
    {
        "id": "speaker-name",
        "question": "Wer sprach für Kambodscha auf der UN-Sitzung in New York?",
        "question_en": "Who spoke for Cambodia at the UN session in New York?",
        "answers": ["Keo Chhea", "Botschafter Keo Chhea", "Chhea", "Botschafter Chhea"],
        "category": "speaker",
        "type": "factoid",
        "evidence": ["Botschafter Keo Chhea"],
    },
    {
        "id": "speaker-title",
        "question": "Welchen diplomatischen Titel trägt Keo Chhea?",
        "question_en": "What diplomatic title does Keo Chhea hold?",
        "answers": ["Botschafter"],
        "category": "speaker",
        "type": "factoid",
        "evidence": ["Botschafter Keo Chhea"],
    },
    {
        "id": "speaker-role",
        "question": "Welche Funktion hat Keo Chhea bei den Vereinten Nationen?",
        "question_en": "What position does Keo Chhea hold at the United Nations?",
        "answers": [
            "Ständiger Vertreter Kambodschas bei den Vereinten Nationen",
            "Ständiger Vertreter Kambodschas",
            "Ständiger Vertreter bei den Vereinten Nationen",
            "Ständiger Vertreter",
        ],
        "category": "speaker",
        "type": "factoid",
        "evidence": ["Ständiger Vertreter Kambodschas bei den Vereinten Nationen"],
    },
    {
        "id": "speaker-country",
        "question": "Welches Land vertritt Botschafter Keo Chhea bei den Vereinten Nationen?",
        "question_en": "Which country does Ambassador Keo Chhea represent at the United Nations?",
        "answers": ["Kambodscha"],
        "category": "speaker",
        "type": "factoid",
        "evidence": ["Ständiger Vertreter Kambodschas bei den Vereinten Nationen"],
    },
    {
        "id": "speaker-audience",
        "question": "Vor wem erklärte Botschafter Keo Chhea die Prioritäten Kambodschas?",
        "question_en": "Before whom did Ambassador Keo Chhea set out Cambodia's priorities?",
        "answers": [
            "vor internationalen Staats- und Regierungschefs",
            "internationalen Staats- und Regierungschefs",
            "Staats- und Regierungschefs",
        ],
        "category": "speaker",
        "type": "factoid",
        "evidence": ["erklärte vor internationalen Staats- und Regierungschefs"],
    },
    {
        "id": "speaker-progress",
        "question": "Hob Botschafter Chhea auch Fortschritte hervor?",
        "question_en": "Did Ambassador Chhea also highlight progress?",
        "answers": ["Ja", "Ja, er hob die Fortschritte hervor"],
        "category": "speaker",
        "type": "yes/no",
        "abstractive": True,
        "evidence": ["Er hob die Fortschritte hervor"],
    },
    {
        "id": "speaker-challenges",
        "question": "Worauf wies der Botschafter neben den Fortschritten hin?",
        "question_en": "Besides the progress, what did the ambassador point to?",
        "answers": [
            "auf die ernsthaften und sich ständig weiterentwickelnden Herausforderungen, denen sich die Welt gegenübersieht",
            "auf die ernsthaften und sich ständig weiterentwickelnden Herausforderungen",
            "die ernsthaften und sich ständig weiterentwickelnden Herausforderungen",
            "ernsthaften und sich ständig weiterentwickelnden Herausforderungen",
        ],
        "category": "concern",
        "type": "factoid",
        "evidence": [
            "wies aber auch auf die ernsthaften und sich ständig weiterentwickelnden "
            "Herausforderungen hin, denen sich die Welt gegenübersieht"
        ],
    },
    # --- event -------------------------------------------------------------
    {
        "id": "reaffirmed-what",
        "question": "Was hat Kambodscha auf der UN-Sitzung in New York bekräftigt?",
        "question_en": "What did Cambodia reaffirm at the UN session in New York?",
        "answers": [
            "sein Engagement im globalen Kampf gegen Menschenhandel",
            "seine fortgesetzte Entschlossenheit im globalen Kampf gegen Menschenhandel",
            "Engagement im globalen Kampf gegen Menschenhandel",
            "sein Engagement im Kampf gegen Menschenhandel",
        ],
        "category": "event",
        "type": "factoid",
        "abstractive": True,  # "sein Engagement" combines headline and body wording
        "evidence": [
            ("Kambodscha bekräftigt Engagement im globalen Kampf gegen Menschenhandel", 0),
            "seine fortgesetzte Entschlossenheit im globalen Kampf gegen Menschenhandel bekräftigt",
        ],
    },
    {
        "id": "event-type",
        "question": "Auf welcher Art von Treffen bekräftigte Kambodscha sein Engagement gegen Menschenhandel?",
        "question_en": "At what kind of meeting did Cambodia reaffirm its commitment against human trafficking?",
        "answers": [
            "auf einer hochrangigen Sitzung der Vereinten Nationen",
            "einer hochrangigen Sitzung der Vereinten Nationen",
            "auf einer Sitzung der Vereinten Nationen",
        ],
        "category": "event",
        "type": "factoid",
        "evidence": ["auf einer hochrangigen Sitzung der Vereinten Nationen"],
    },
    {
        "id": "session-topic",
        "question": "Womit befasste sich die Sitzung im UN-Hauptquartier?",
        "question_en": "What did the session at UN headquarters deal with?",
        "answers": [
            "mit der Bewertung des Globalen UN-Aktionsplans zur Bekämpfung des Menschenhandels",
            "Bewertung des Globalen UN-Aktionsplans zur Bekämpfung des Menschenhandels",
            "Bewertung des Globalen UN-Aktionsplans",
        ],
        "category": "event",
        "type": "factoid",
        "evidence": [
            "befasste sich mit der Bewertung des Globalen UN-Aktionsplans zur Bekämpfung des Menschenhandels"
        ],
    },
    {
        "id": "un-plan-name",
        "question": "Wie heißt der UN-Plan, dessen Bewertung Thema der Sitzung war?",
        "question_en": "What is the name of the UN plan whose review was the subject of the session?",
        "answers": [
            "Globaler UN-Aktionsplan zur Bekämpfung des Menschenhandels",
            "Globaler Aktionsplan der Vereinten Nationen zur Bekämpfung des Menschenhandels",
            "Globaler UN-Aktionsplan",
            "Globaler Aktionsplan zur Bekämpfung des Menschenhandels",
        ],
        "category": "event",
        "type": "factoid",
        "abstractive": True,  # nominative "Globaler ... Aktionsplan" vs. genitive in the text
        "evidence": ["Globalen UN-Aktionsplans zur Bekämpfung des Menschenhandels"],
    },
    {
        "id": "un-plan-anniversary",
        "question": "Welches Jubiläum feiert der Globale UN-Aktionsplan in diesem Jahr?",
        "question_en": "What anniversary does the UN Global Plan of Action celebrate this year?",
        "answers": ["sein 15-jähriges Bestehen", "15-jähriges Bestehen"],
        "category": "event",
        "type": "factoid",
        "evidence": ["in diesem Jahr sein 15-jähriges Bestehen feiert"],
    },
    {
        "id": "un-plan-age",
        "question": "Wie alt wird der Globale UN-Aktionsplan in diesem Jahr?",
        "question_en": "How old does the UN Global Plan of Action turn this year?",
        "answers": ["15 Jahre", "15", "fünfzehn Jahre", "15 Jahre alt"],
        "category": "event",
        "type": "number",
        "abstractive": True,  # "15 Jahre" paraphrases "15-jähriges Bestehen"
        "evidence": ["in diesem Jahr sein 15-jähriges Bestehen feiert"],
    },
    {
        "id": "un-plan-not-20",
        "question": "Feiert der Globale UN-Aktionsplan in diesem Jahr sein 20-jähriges Bestehen?",
        "question_en": "Is the UN Global Plan of Action celebrating its 20th anniversary this year?",
        "answers": ["Nein", "Nein, sein 15-jähriges Bestehen"],
        "category": "event",
        "type": "yes/no",
        "abstractive": True,
        "evidence": ["in diesem Jahr sein 15-jähriges Bestehen feiert"],
    },
    # --- date --------------------------------------------------------------
    {
        "id": "reaffirm-when",
        "question": "Wann bekräftigte Kambodscha vor den Vereinten Nationen seine Entschlossenheit im Kampf gegen Menschenhandel?",
        "question_en": "When did Cambodia reaffirm its determination to fight human trafficking before the United Nations?",
        "answers": ["diese Woche", "in dieser Woche"],
        "category": "date",
        "type": "date",
        "abstractive": True,  # "in dieser Woche" (dative) is not the text's form
        "evidence": ["Kambodscha hat diese Woche"],
    },
    {
        "id": "session-dates",
        "question": "Wann fand die Sitzung im UN-Hauptquartier statt?",
        "question_en": "When did the session at UN headquarters take place?",
        "answers": [
            "vom 24. bis 25. November",
            "24. bis 25. November",
            "24.–25. November",
            "24.-25. November",
            "24./25. November",
            "am 24. und 25. November",
            "vom 24. bis 25. November 2025",
            "24.–25. November 2025",
        ],
        "category": "date",
        "type": "date",
        "abstractive": True,  # the year 2025 is inferred from "diese Woche" + the source date
        "evidence": ["vom 24. bis 25. November"],
    },
    {
        "id": "session-year",
        "question": "In welchem Jahr fand die Sitzung statt?",
        "question_en": "In which year did the session take place?",
        "answers": ["2025", "im Jahr 2025"],
        "category": "date",
        "type": "date",
        "abstractive": True,  # inferred: "diese Woche" in an article dated 28 November 2025
        "evidence": ["Kambodscha hat diese Woche", "vom 24. bis 25. November", "28. November 2025"],
    },
    {
        "id": "session-duration",
        "question": "Wie viele Tage dauerte die Sitzung?",
        "question_en": "How many days did the session last?",
        "answers": ["zwei Tage", "2 Tage", "zwei", "2"],
        "category": "date",
        "type": "number",
        "abstractive": True,  # computed from 24-25 November
        "evidence": ["vom 24. bis 25. November"],
    },
    {
        "id": "plan-launch",
        "question": "Wann wurde der Nationale Strategieplan zur Bekämpfung des Menschenhandels eingeführt?",
        "question_en": "When was the National Strategic Plan to combat human trafficking launched?",
        "answers": ["im August 2024", "August 2024", "Aug. 2024"],
        "category": "date",
        "type": "date",
        "evidence": ["im August 2024 eingeführt"],
    },
    {
        "id": "plan-period",
        "question": "Welchen Zeitraum umfasst Kambodschas Nationaler Strategieplan zur Bekämpfung des Menschenhandels?",
        "question_en": "What period does Cambodia's National Strategic Plan to combat human trafficking cover?",
        "answers": ["2024–2028", "2024-2028", "2024 bis 2028", "von 2024 bis 2028", "2024 – 2028"],
        "category": "date",
        "type": "date",
        "evidence": ["Menschenhandels 2024–2028"],
    },
    {
        "id": "plan-end",
        "question": "Bis zu welchem Jahr läuft der Nationale Strategieplan?",
        "question_en": "Until which year does the National Strategic Plan run?",
        "answers": ["2028", "bis 2028"],
        "category": "date",
        "type": "date",
        "evidence": ["Menschenhandels 2024–2028"],
    },
    {
        "id": "plan-not-before-2024",
        "question": "Wurde der Nationale Strategieplan bereits vor 2024 eingeführt?",
        "question_en": "Was the National Strategic Plan introduced before 2024?",
        "answers": ["Nein", "Nein, im August 2024"],
        "category": "date",
        "type": "yes/no",
        "abstractive": True,
        "evidence": ["im August 2024 eingeführt"],
    },
    {
        "id": "un-plan-anniversary-when",
        "question": "Wann feiert der Globale UN-Aktionsplan sein 15-jähriges Bestehen?",
        "question_en": "When does the UN Global Plan of Action celebrate its 15th anniversary?",
        "answers": ["in diesem Jahr", "dieses Jahr", "2025", "im Jahr 2025"],
        "category": "date",
        "type": "date",
        "abstractive": True,  # "dieses Jahr"/2025 are inferred forms
        "evidence": ["in diesem Jahr sein 15-jähriges Bestehen feiert", "28. November 2025"],
    },
    {
        "id": "source-date",
        "question": "An welchem Datum erschien der Quellartikel in der Khmer Times?",
        "question_en": "On what date was the source article published in the Khmer Times?",
        "answers": [
            "28. November 2025",
            "am 28. November 2025",
            "28.11.2025",
            "2025-11-28",
            "28. Nov. 2025",
        ],
        "category": "date",
        "type": "date",
        "evidence": ["28. November 2025"],
    },
    # --- venue -------------------------------------------------------------
    {
        "id": "venue-city",
        "question": "In welcher Stadt fand die Sitzung der Vereinten Nationen statt?",
        "question_en": "In which city did the United Nations session take place?",
        "answers": ["New York", "in New York"],
        "category": "venue",
        "type": "factoid",
        "evidence": ["in New York"],
    },
    {
        "id": "venue-building",
        "question": "Wo genau fand die Sitzung vom 24. bis 25. November statt?",
        "question_en": "Where exactly did the session of 24–25 November take place?",
        "answers": [
            "im UN-Hauptquartier",
            "UN-Hauptquartier",
            "im UN-Hauptquartier in New York",
            "UN-Hauptquartier in New York",
            "im Hauptquartier der Vereinten Nationen in New York",
        ],
        "category": "venue",
        "type": "factoid",
        "evidence": ["im UN-Hauptquartier", "der Vereinten Nationen in New York"],
    },
    # --- priority ----------------------------------------------------------
    {
        "id": "priorities",
        "question": "Die Bekämpfung welcher drei Verbrechen hat laut Botschafter Chhea oberste Priorität auf Kambodschas nationaler Agenda?",
        "question_en": "Fighting which three crimes is a top priority on Cambodia's national agenda, according to Ambassador Chhea?",
        "answers": [
            "Menschenhandel, Zwangsarbeit und sexuelle Ausbeutung",
            "Menschenhandel, Zwangsarbeit und sexueller Ausbeutung",
            "von Menschenhandel, Zwangsarbeit und sexueller Ausbeutung",
            "Menschenhandel, Zwangsarbeit, sexuelle Ausbeutung",
        ],
        "category": "priority",
        "type": "list",
        "abstractive": True,  # nominative "sexuelle Ausbeutung"
        "evidence": ["die Bekämpfung von Menschenhandel, Zwangsarbeit und sexueller Ausbeutung"],
    },
    {
        "id": "priority-rank",
        "question": "Welchen Stellenwert hat die Bekämpfung des Menschenhandels auf der nationalen Agenda Kambodschas?",
        "question_en": "What standing does the fight against human trafficking have on Cambodia's national agenda?",
        "answers": ["oberste Priorität", "die oberste Priorität", "höchste Priorität"],
        "category": "priority",
        "type": "factoid",
        "abstractive": True,  # "höchste Priorität" paraphrases "oberste Priorität"
        "evidence": ["oberste Priorität auf der nationalen Agenda des Königreichs"],
    },
    # --- plan --------------------------------------------------------------
    {
        "id": "plan-name",
        "question": "Wie heißt Kambodschas nationaler Plan gegen Menschenhandel?",
        "question_en": "What is the name of Cambodia's national plan against human trafficking?",
        "answers": [
            "Nationaler Strategieplan zur Bekämpfung des Menschenhandels 2024–2028",
            "der Nationale Strategieplan zur Bekämpfung des Menschenhandels 2024–2028",
            "Nationaler Strategieplan zur Bekämpfung des Menschenhandels",
            "Nationaler Strategieplan",
        ],
        "category": "plan",
        "type": "factoid",
        "abstractive": True,  # standalone nominative "Nationaler" vs. "der Nationale" in the text
        "evidence": ["der Nationale Strategieplan zur Bekämpfung des Menschenhandels 2024–2028"],
    },
    {
        "id": "plan-central",
        "question": "Ist der Nationale Strategieplan ein zentrales Element von Kambodschas Bemühungen gegen Menschenhandel?",
        "question_en": "Is the National Strategic Plan a central element of Cambodia's efforts against human trafficking?",
        "answers": ["Ja"],
        "category": "plan",
        "type": "yes/no",
        "abstractive": True,
        "evidence": [
            "Ein zentrales Element von Kambodschas Bemühungen ist der Nationale Strategieplan"
        ],
    },
    {
        "id": "plan-instrument",
        "question": "Als was bezeichnete der Botschafter den Nationalen Strategieplan?",
        "question_en": "How did the ambassador describe the National Strategic Plan?",
        "answers": ["ein entscheidendes Instrument", "entscheidendes Instrument"],
        "category": "plan",
        "type": "factoid",
        "evidence": ["dieser Plan ein entscheidendes Instrument sei"],
    },
    {
        "id": "plan-scope",
        "question": "Auf welchen Ebenen leitet der Nationale Strategieplan laut dem Botschafter Kambodschas Anstrengungen?",
        "question_en": "At what levels does the National Strategic Plan guide Cambodia's efforts, according to the ambassador?",
        "answers": [
            "sowohl national als auch durch internationale Partnerschaften",
            "national und durch internationale Partnerschaften",
            "national und international",
        ],
        "category": "plan",
        "type": "factoid",
        "abstractive": True,  # "und"/"international" condense the text
        "evidence": ["sowohl national als auch durch internationale Partnerschaften leite"],
    },
    {
        "id": "un-plan-alignment",
        "question": "Ist Kambodscha weiterhin mit dem Globalen UN-Aktionsplan im Einklang?",
        "question_en": "Is Cambodia still in line with the UN Global Plan of Action?",
        "answers": ["Ja", "Ja, vollständig"],
        "category": "plan",
        "type": "yes/no",
        "abstractive": True,
        "evidence": ["dass Kambodscha weiterhin vollständig mit diesem Aktionsplan"],
    },
    {
        "id": "alignment-with-what",
        "question": "Mit welchen beiden Plänen stimmt Kambodscha laut Botschafter Chhea weiterhin vollständig überein?",
        "question_en": "Which two plans is Cambodia still fully aligned with, according to Ambassador Chhea?",
        "answers": [
            "mit dem Globalen UN-Aktionsplan und mit seiner eigenen nationalen Strategie",
            "dem Globalen UN-Aktionsplan zur Bekämpfung des Menschenhandels und der eigenen nationalen Strategie",
            "Globaler UN-Aktionsplan und eigene nationale Strategie",
        ],
        "category": "plan",
        "type": "list",
        "abstractive": True,  # resolves "diesem Aktionsplan" to the UN plan named earlier
        "evidence": [
            "Globalen UN-Aktionsplans zur Bekämpfung des Menschenhandels",
            "weiterhin vollständig mit diesem Aktionsplan sowie mit seiner eigenen nationalen Strategie übereinstimme",
        ],
    },
    # --- pillar ------------------------------------------------------------
    {
        "id": "pillar-count",
        "question": "Auf wie vielen Säulen basiert der Nationale Strategieplan?",
        "question_en": "How many pillars is the National Strategic Plan based on?",
        "answers": ["vier", "4", "vier Säulen", "4 Säulen", "auf vier Säulen"],
        "category": "pillar",
        "type": "number",
        "evidence": ["Dieser Plan basiert auf vier Säulen"],
    },
    {
        "id": "pillars",
        "question": "Welche vier Säulen hat der Nationale Strategieplan?",
        "question_en": "What are the four pillars of the National Strategic Plan?",
        "answers": [
            "Strafverfolgung stärken, Opferschutz verbessern, sektorübergreifende Koordination fördern und langfristige, nachhaltige Lösungen entwickeln",
            "die Strafverfolgung zu stärken, den Opferschutz zu verbessern, die sektorübergreifende Koordination zu fördern und langfristige, nachhaltige Lösungen zu entwickeln",
            "Stärkung der Strafverfolgung, Verbesserung des Opferschutzes, Förderung der sektorübergreifenden Koordination und Entwicklung langfristiger, nachhaltiger Lösungen",
        ],
        "category": "pillar",
        "type": "list",
        "abstractive": True,  # nominalised variant
        "evidence": [
            "die Strafverfolgung zu stärken, den Opferschutz zu verbessern, die sektorübergreifende "
            "Koordination zu fördern und langfristige, nachhaltige Lösungen zu entwickeln"
        ],
    },
    {
        "id": "pillar-1",
        "question": "Welche Säule des Nationalen Strategieplans wird als erste genannt?",
        "question_en": "Which pillar of the National Strategic Plan is named first?",
        "answers": [
            "die Strafverfolgung stärken",
            "Strafverfolgung stärken",
            "die Strafverfolgung zu stärken",
            "Stärkung der Strafverfolgung",
        ],
        "category": "pillar",
        "type": "factoid",
        "abstractive": True,  # nominalised "Stärkung"
        "evidence": ["die Strafverfolgung zu stärken"],
    },
    {
        "id": "pillar-2",
        "question": "Welche Säule des Nationalen Strategieplans wird als zweite genannt?",
        "question_en": "Which pillar of the National Strategic Plan is named second?",
        "answers": [
            "den Opferschutz verbessern",
            "Opferschutz verbessern",
            "den Opferschutz zu verbessern",
            "Verbesserung des Opferschutzes",
        ],
        "category": "pillar",
        "type": "factoid",
        "abstractive": True,  # nominalised "Verbesserung des Opferschutzes"
        "evidence": ["den Opferschutz zu verbessern"],
    },
    {
        "id": "pillar-3",
        "question": "Welche Säule des Nationalen Strategieplans wird als dritte genannt?",
        "question_en": "Which pillar of the National Strategic Plan is named third?",
        "answers": [
            "die sektorübergreifende Koordination fördern",
            "sektorübergreifende Koordination fördern",
            "die sektorübergreifende Koordination zu fördern",
            "Förderung der sektorübergreifenden Koordination",
        ],
        "category": "pillar",
        "type": "factoid",
        "abstractive": True,  # nominalised "Förderung der ... Koordination"
        "evidence": ["die sektorübergreifende Koordination zu fördern"],
    },
    {
        "id": "pillar-4",
        "question": "Welche Säule des Nationalen Strategieplans wird als vierte genannt?",
        "question_en": "Which pillar of the National Strategic Plan is named fourth?",
        "answers": [
            "langfristige, nachhaltige Lösungen entwickeln",
            "langfristige, nachhaltige Lösungen zu entwickeln",
            "langfristige und nachhaltige Lösungen entwickeln",
            "Entwicklung langfristiger, nachhaltiger Lösungen",
        ],
        "category": "pillar",
        "type": "factoid",
        "abstractive": True,  # nominalised "Entwicklung ... Lösungen"
        "evidence": ["langfristige, nachhaltige Lösungen zu entwickeln"],
    },
    # --- measure (socio-economic) ------------------------------------------
    {
        "id": "vulnerability-factors",
        "question": "Welche Faktoren machen Menschen laut Kambodscha anfällig für Menschenhandel?",
        "question_en": "According to Cambodia, what factors make people vulnerable to human trafficking?",
        "answers": ["sozioökonomische Faktoren", "die sozioökonomischen Faktoren"],
        "category": "measure",
        "type": "factoid",
        "abstractive": True,  # nominative "sozioökonomische"
        "evidence": [
            "die sozioökonomischen Faktoren anzugehen, die Menschen anfällig für Menschenhandel machen"
        ],
    },
    {
        "id": "socio-measures",
        "question": "Welche drei Maßnahmen nennt Kambodscha, um die sozioökonomischen Ursachen des Menschenhandels anzugehen?",
        "question_en": "Which three measures does Cambodia name to address the socio-economic causes of human trafficking?",
        "answers": [
            "Verringerung sozialer und wirtschaftlicher Ungleichheiten, Ausweitung des öffentlichen Bewusstseins und Förderung sicherer Migrationswege",
            "langfristige Strategien zur Verringerung sozialer und wirtschaftlicher Ungleichheiten, die Ausweitung des öffentlichen Bewusstseins und die Förderung sicherer Migrationswege",
            "Ungleichheiten verringern, öffentliches Bewusstsein ausweiten, sichere Migrationswege fördern",
        ],
        "category": "measure",
        "type": "list",
        "abstractive": True,  # verbal variant
        "evidence": [
            "langfristige Strategien zur Verringerung sozialer und wirtschaftlicher Ungleichheiten, "
            "die Ausweitung des öffentlichen Bewusstseins und die Förderung sicherer Migrationswege"
        ],
    },
    {
        "id": "measure-inequality",
        "question": "Welche Ungleichheiten sollen langfristige Strategien laut Kambodscha verringern?",
        "question_en": "Which inequalities are long-term strategies meant to reduce, according to Cambodia?",
        "answers": [
            "soziale und wirtschaftliche Ungleichheiten",
            "sozialer und wirtschaftlicher Ungleichheiten",
            "soziale und wirtschaftliche",
        ],
        "category": "measure",
        "type": "factoid",
        "abstractive": True,  # nominative forms
        "evidence": [
            "langfristige Strategien zur Verringerung sozialer und wirtschaftlicher Ungleichheiten"
        ],
    },
    {
        "id": "measure-awareness",
        "question": "Was soll laut Kambodscha ausgeweitet werden, um die Anfälligkeit für Menschenhandel zu verringern?",
        "question_en": "What should be expanded to reduce vulnerability to human trafficking, according to Cambodia?",
        "answers": [
            "das öffentliche Bewusstsein",
            "öffentliches Bewusstsein",
            "des öffentlichen Bewusstseins",
        ],
        "category": "measure",
        "type": "factoid",
        "abstractive": True,  # nominative forms
        "evidence": ["die Ausweitung des öffentlichen Bewusstseins"],
    },
    {
        "id": "measure-migration",
        "question": "Welche Art von Migrationswegen will Kambodscha fördern?",
        "question_en": "What kind of migration routes does Cambodia want to promote?",
        "answers": ["sichere Migrationswege", "sichere", "sicherer Migrationswege"],
        "category": "measure",
        "type": "factoid",
        "abstractive": True,  # nominative "sichere"
        "evidence": ["die Förderung sicherer Migrationswege"],
    },
    {
        "id": "structural-purpose",
        "question": "Wozu sind die strukturellen Maßnahmen laut Kambodscha unerlässlich?",
        "question_en": "What are the structural measures essential for, according to Cambodia?",
        "answers": [
            "um die Anfälligkeit zu verringern und die Gemeinschaft zu schützen",
            "die Anfälligkeit zu verringern und die Gemeinschaft zu schützen",
            "Anfälligkeit verringern und Gemeinschaft schützen",
        ],
        "category": "measure",
        "type": "factoid",
        "evidence": [
            "unerlässlich, um die Anfälligkeit zu verringern und die Gemeinschaft zu schützen"
        ],
    },
    # --- concern -----------------------------------------------------------
    {
        "id": "concern-ai",
        "question": "Worüber äußerte Kambodscha besondere Besorgnis?",
        "question_en": "What did Cambodia express particular concern about?",
        "answers": [
            "über den zunehmenden Missbrauch von künstlicher Intelligenz und sozialen Medien durch kriminelle Netzwerke für den Menschenhandel",
            "den zunehmenden Missbrauch von künstlicher Intelligenz und sozialen Medien durch kriminelle Netzwerke",
            "Missbrauch von künstlicher Intelligenz und sozialen Medien",
            "Missbrauch von KI und sozialen Medien durch kriminelle Netzwerke",
        ],
        "category": "concern",
        "type": "factoid",
        "abstractive": True,  # "KI" abbreviation
        "evidence": [
            "über den zunehmenden Missbrauch von künstlicher Intelligenz und sozialen Medien durch "
            "kriminelle Netzwerke für den Menschenhandel"
        ],
    },
    {
        "id": "concern-technologies",
        "question": "Welche Technologien werden laut Kambodscha zunehmend von kriminellen Netzwerken für den Menschenhandel missbraucht?",
        "question_en": "Which technologies are increasingly misused by criminal networks for human trafficking, according to Cambodia?",
        "answers": [
            "künstliche Intelligenz und soziale Medien",
            "künstlicher Intelligenz und sozialen Medien",
            "KI und soziale Medien",
        ],
        "category": "concern",
        "type": "list",
        "abstractive": True,  # nominative forms and "KI"
        "evidence": ["Missbrauch von künstlicher Intelligenz und sozialen Medien"],
    },
    {
        "id": "concern-actors",
        "question": "Wer missbraucht laut Kambodscha künstliche Intelligenz und soziale Medien für den Menschenhandel?",
        "question_en": "Who misuses artificial intelligence and social media for human trafficking, according to Cambodia?",
        "answers": ["kriminelle Netzwerke", "kriminelle Netzwerke für den Menschenhandel"],
        "category": "concern",
        "type": "factoid",
        "evidence": ["durch kriminelle Netzwerke für den Menschenhandel"],
    },
    # --- request -----------------------------------------------------------
    {
        "id": "urgent-global-action",
        "question": "Was forderte Kambodscha, um den digitalisierten kriminellen Operationen entgegenzuwirken?",
        "question_en": "What did Cambodia call for to counter digitised criminal operations?",
        "answers": ["dringende globale Maßnahmen", "globale Maßnahmen"],
        "category": "request",
        "type": "factoid",
        "evidence": [
            "forderte dringende globale Maßnahmen, um diesen digitalisierten kriminellen Operationen entgegenzuwirken"
        ],
    },
    {
        "id": "digital-measures",
        "question": "Welche drei Maßnahmen gegen digitalisierte kriminelle Operationen nennt Kambodscha?",
        "question_en": "Which three measures against digitised criminal operations does Cambodia name?",
        "answers": [
            "Stärkung regulatorischer Rahmenbedingungen, Verbesserung der Kapazitäten der Strafverfolgungsbehörden und erweiterte Zusammenarbeit mit Technologieunternehmen",
            "die Stärkung regulatorischer Rahmenbedingungen, die Verbesserung der Kapazitäten der Strafverfolgungsbehörden und eine erweiterte Zusammenarbeit mit Technologieunternehmen",
        ],
        "category": "measure",
        "type": "list",
        "evidence": [
            "die Stärkung regulatorischer Rahmenbedingungen, die Verbesserung der Kapazitäten der "
            "Strafverfolgungsbehörden und eine erweiterte Zusammenarbeit mit Technologieunternehmen"
        ],
    },
    {
        "id": "digital-regulation",
        "question": "Was soll im Kampf gegen digitalisierte kriminelle Operationen gestärkt werden?",
        "question_en": "What should be strengthened in the fight against digitised criminal operations?",
        "answers": [
            "regulatorische Rahmenbedingungen",
            "die regulatorischen Rahmenbedingungen",
            "regulatorischer Rahmenbedingungen",
        ],
        "category": "measure",
        "type": "factoid",
        "abstractive": True,  # nominative forms
        "evidence": ["die Stärkung regulatorischer Rahmenbedingungen"],
    },
    {
        "id": "digital-capacities",
        "question": "Wessen Kapazitäten sollen im Kampf gegen digitalisierte Kriminalität verbessert werden?",
        "question_en": "Whose capacities should be improved in the fight against digitised crime?",
        "answers": [
            "die der Strafverfolgungsbehörden",
            "Strafverfolgungsbehörden",
            "der Strafverfolgungsbehörden",
        ],
        "category": "measure",
        "type": "factoid",
        "evidence": ["die Verbesserung der Kapazitäten der Strafverfolgungsbehörden"],
    },
    {
        "id": "digital-tech-companies",
        "question": "Mit wem soll die Zusammenarbeit gegen digitalisierte kriminelle Operationen erweitert werden?",
        "question_en": "With whom should cooperation against digitised criminal operations be expanded?",
        "answers": ["mit Technologieunternehmen", "Technologieunternehmen"],
        "category": "measure",
        "type": "factoid",
        "evidence": ["eine erweiterte Zusammenarbeit mit Technologieunternehmen"],
    },
    {
        "id": "tech-cooperation-yes",
        "question": "Fordert Kambodscha eine erweiterte Zusammenarbeit mit Technologieunternehmen?",
        "question_en": "Does Cambodia call for expanded cooperation with technology companies?",
        "answers": ["Ja"],
        "category": "measure",
        "type": "yes/no",
        "abstractive": True,
        "evidence": ["eine erweiterte Zusammenarbeit mit Technologieunternehmen"],
    },
    {
        "id": "request-addressee",
        "question": "Wen rief Kambodscha dazu auf, die Unterstützung im Kampf gegen Menschenhandel zu intensivieren?",
        "question_en": "Whom did Cambodia call on to step up support in the fight against human trafficking?",
        "answers": ["die internationale Gemeinschaft", "internationale Gemeinschaft"],
        "category": "request",
        "type": "factoid",
        "evidence": ["Kambodscha rief die internationale Gemeinschaft auch dazu auf"],
    },
    {
        "id": "request-means",
        "question": "Wodurch soll die internationale Gemeinschaft ihre Unterstützung laut Kambodscha intensivieren?",
        "question_en": "Through what should the international community step up its support, according to Cambodia?",
        "answers": [
            "durch Informationsaustausch, koordinierte Opferschutzmechanismen und eine stärkere justizielle Zusammenarbeit",
            "Informationsaustausch, koordinierte Opferschutzmechanismen und stärkere justizielle Zusammenarbeit",
            "Informationsaustausch, koordinierte Opferschutzmechanismen, stärkere justizielle Zusammenarbeit",
        ],
        "category": "request",
        "type": "list",
        "evidence": [
            "durch Informationsaustausch, koordinierte Opferschutzmechanismen und eine stärkere justizielle Zusammenarbeit"
        ],
    },
    {
        "id": "request-judicial",
        "question": "Welche Art der Zusammenarbeit soll laut Kambodscha gestärkt werden, um kriminelle Syndikate zu zerschlagen?",
        "question_en": "Which kind of cooperation should be strengthened to dismantle criminal syndicates, according to Cambodia?",
        "answers": [
            "justizielle Zusammenarbeit",
            "die justizielle Zusammenarbeit",
            "eine stärkere justizielle Zusammenarbeit",
        ],
        "category": "request",
        "type": "factoid",
        "evidence": ["eine stärkere justizielle Zusammenarbeit"],
    },
    {
        "id": "request-goal",
        "question": "Wozu soll die internationale Unterstützung laut Kambodscha intensiviert werden?",
        "question_en": "What is the intensified international support meant to achieve, according to Cambodia?",
        "answers": [
            "um kriminelle Syndikate zu zerschlagen",
            "kriminelle Syndikate zu zerschlagen",
            "kriminelle Syndikate zerschlagen",
        ],
        "category": "request",
        "type": "factoid",
        "evidence": ["um kriminelle Syndikate zu zerschlagen"],
    },
    # --- source ------------------------------------------------------------
    {
        "id": "source-author",
        "question": "Wer ist der Autor des Quellartikels?",
        "question_en": "Who is the author of the source article?",
        "answers": ["Men Kiri"],
        "category": "source",
        "type": "factoid",
        "evidence": ["Men Kiri"],
    },
    {
        "id": "source-publication",
        "question": "Welches Medium veröffentlichte den Quellartikel?",
        "question_en": "Which outlet published the source article?",
        "answers": ["Khmer Times", "die Khmer Times"],
        "category": "source",
        "type": "factoid",
        "evidence": [("Khmer Times", 0)],
    },
    {
        "id": "source-title",
        "question": "Wie lautet der englische Originaltitel des Quellartikels?",
        "question_en": "What is the original English title of the source article?",
        "answers": ["Cambodia committed to global fight against human trafficking, UN told"],
        "category": "source",
        "type": "factoid",
        "evidence": ["Cambodia committed to global fight against human trafficking, UN told"],
    },
    # --- unanswerable ------------------------------------------------------
    {
        "id": "victims-rescued",
        "question": "Wie viele Opfer von Menschenhandel hat Kambodscha im Jahr 2025 gerettet?",
        "question_en": "How many victims of human trafficking did Cambodia rescue in 2025?",
        "answerable": False,
        "category": "measure",
        "type": "number",
        "note": "Der Artikel nennt keinerlei Opferzahlen oder Rettungsstatistiken.",
    },
    {
        "id": "session-chair",
        "question": "Wer leitete die Sitzung im UN-Hauptquartier?",
        "question_en": "Who chaired the session at UN headquarters?",
        "answerable": False,
        "category": "event",
        "type": "factoid",
        "note": "Es wird nur Kambodschas Redner Keo Chhea genannt, nicht der Vorsitz der Sitzung.",
    },
    {
        "id": "plan-budget",
        "question": "Wie viel Geld steht für den Nationalen Strategieplan 2024–2028 zur Verfügung?",
        "question_en": "How much money is available for the National Strategic Plan 2024–2028?",
        "answerable": False,
        "category": "plan",
        "type": "number",
        "note": "Über Budget oder Finanzierung des Plans sagt der Artikel nichts.",
    },
    {
        "id": "tech-company-names",
        "question": "Mit welchen Technologieunternehmen will Kambodscha enger zusammenarbeiten?",
        "question_en": "Which technology companies does Cambodia want to work more closely with?",
        "answerable": False,
        "category": "measure",
        "type": "list",
        "note": "Es ist nur allgemein von einer erweiterten Zusammenarbeit mit Technologieunternehmen die Rede; keine Firma wird genannt.",
    },
    {
        "id": "countries-attending",
        "question": "Wie viele Staaten nahmen an der Sitzung teil?",
        "question_en": "How many countries took part in the session?",
        "answerable": False,
        "category": "event",
        "type": "number",
        "note": "Der Artikel spricht nur von internationalen Staats- und Regierungschefs, ohne eine Zahl zu nennen.",
    },
    {
        "id": "secretary-general-statement",
        "question": "Was sagte der UN-Generalsekretär auf der Sitzung?",
        "question_en": "What did the UN Secretary-General say at the session?",
        "answerable": False,
        "category": "speaker",
        "type": "factoid",
        "note": "Der UN-Generalsekretär wird im Artikel nicht erwähnt; nur Kambodschas Position wird wiedergegeben.",
    },
    {
        "id": "next-session",
        "question": "Wann findet die nächste Sitzung zur Bewertung des Globalen UN-Aktionsplans statt?",
        "question_en": "When will the next session reviewing the UN Global Plan of Action take place?",
        "answerable": False,
        "category": "date",
        "type": "date",
        "note": "Der Artikel berichtet nur über die Sitzung vom 24. bis 25. November; eine Folgesitzung wird nicht erwähnt.",
    },
    {
        "id": "plan-agency",
        "question": "Welche kambodschanische Behörde ist für die Umsetzung des Nationalen Strategieplans zuständig?",
        "question_en": "Which Cambodian authority is responsible for implementing the National Strategic Plan?",
        "answerable": False,
        "category": "plan",
        "type": "factoid",
        "note": "Der Artikel nennt keine zuständige Behörde oder Institution.",
    },
    {
        "id": "speaker-in-office-since",
        "question": "Seit wann ist Keo Chhea Ständiger Vertreter Kambodschas bei den Vereinten Nationen?",
        "question_en": "Since when has Keo Chhea been Cambodia's Permanent Representative to the United Nations?",
        "answerable": False,
        "category": "speaker",
        "type": "date",
        "note": "Der Amtsantritt des Botschafters wird nicht erwähnt.",
    },
    {
        "id": "partner-countries",
        "question": "Mit welchen Staaten arbeitet Kambodscha im Rahmen internationaler Partnerschaften gegen Menschenhandel zusammen?",
        "question_en": "Which countries does Cambodia cooperate with in international partnerships against human trafficking?",
        "answerable": False,
        "category": "plan",
        "type": "list",
        "note": "Internationale Partnerschaften werden nur allgemein erwähnt; kein Partnerland wird genannt.",
    },
]

# ---------------------------------------------------------------------------
# Reference summaries
# ---------------------------------------------------------------------------

SUMMARIES: list[dict[str, Any]] = [
    {
        "id": "headline-de-a",
        "length": "headline",
        "language": "de",
        "text": "Kambodscha bekräftigt vor den Vereinten Nationen sein Engagement im Kampf gegen Menschenhandel.",
    },
    {
        "id": "headline-de-b",
        "length": "headline",
        "language": "de",
        "text": (
            "Bei einer UN-Sitzung in New York setzt Kambodscha auf seinen Strategieplan 2024–2028 "
            "und warnt vor dem Missbrauch von KI durch kriminelle Netzwerke."
        ),
    },
    {
        "id": "headline-en",
        "length": "headline",
        "language": "en",
        "text": "Cambodia reaffirms its commitment to the global fight against human trafficking at a UN meeting in New York.",
    },
    {
        "id": "abstract-de-a",
        "length": "abstract",
        "language": "de",
        "text": (
            "Kambodscha hat auf einer hochrangigen UN-Sitzung in New York (24.–25. November) sein "
            "Engagement gegen Menschenhandel bekräftigt. Botschafter Keo Chhea, Ständiger Vertreter bei "
            "den Vereinten Nationen, nannte die Bekämpfung von Menschenhandel, Zwangsarbeit und sexueller "
            "Ausbeutung oberste Priorität. Die Sitzung bewertete den Globalen UN-Aktionsplan, der sein "
            "15-jähriges Bestehen feiert. Zentral für Kambodscha ist der im August 2024 eingeführte "
            "Nationale Strategieplan 2024–2028 mit vier Säulen: Strafverfolgung, Opferschutz, "
            "Koordination und nachhaltige Lösungen."
        ),
    },
    {
        "id": "abstract-de-b",
        "length": "abstract",
        "language": "de",
        "text": (
            "Mit seinem Nationalen Strategieplan zur Bekämpfung des Menschenhandels 2024–2028, eingeführt "
            "im August 2024, will Kambodscha die Strafverfolgung stärken, Opfer besser schützen, die "
            "Koordination zwischen den Sektoren fördern und langfristige Lösungen entwickeln. Botschafter "
            "Keo Chhea nannte den Plan bei der Bewertung des Globalen UN-Aktionsplans in New York ein "
            "entscheidendes Instrument. Zugleich warnte Kambodscha vor dem "
            "Missbrauch künstlicher Intelligenz und sozialer Medien durch kriminelle Netzwerke und rief "
            "die internationale Gemeinschaft zu mehr Informationsaustausch und justizieller "
            "Zusammenarbeit auf."
        ),
    },
    {
        "id": "abstract-en",
        "length": "abstract",
        "language": "en",
        "text": (
            "At a UN meeting in New York on 24–25 November, Cambodia reaffirmed its "
            "commitment to fighting human trafficking. Ambassador Keo Chhea, Permanent Representative "
            "to the UN, called combating trafficking, forced labour and sexual exploitation a top "
            "priority. The meeting reviewed the UN Global Plan of Action, marking its 15th "
            "anniversary. He highlighted the National Strategic Plan 2024–2028, launched in August 2024 "
            "and built on four pillars. Cambodia warned of criminal networks misusing AI and social "
            "media."
        ),
    },
    {
        "id": "bullets-de-a",
        "length": "bullets",
        "language": "de",
        "text": "\n".join(
            [
                "- Kambodscha bekräftigt auf einer hochrangigen UN-Sitzung in New York (24.–25. November) sein Engagement gegen Menschenhandel.",
                "- Botschafter Keo Chhea, Ständiger Vertreter Kambodschas bei den Vereinten Nationen, nennt den Kampf gegen Menschenhandel, Zwangsarbeit und sexuelle Ausbeutung oberste Priorität.",
                "- Die Sitzung bewertete den Globalen UN-Aktionsplan zur Bekämpfung des Menschenhandels, der in diesem Jahr sein 15-jähriges Bestehen feiert.",
                "- Der im August 2024 eingeführte Nationale Strategieplan 2024–2028 ruht auf vier Säulen: Strafverfolgung stärken, Opferschutz verbessern, sektorübergreifende Koordination fördern, langfristige, nachhaltige Lösungen entwickeln.",
                "- Kambodscha warnt vor dem Missbrauch von KI und sozialen Medien durch kriminelle Netzwerke und fordert mehr internationale Zusammenarbeit, um kriminelle Syndikate zu zerschlagen.",
            ]
        ),
    },
    {
        "id": "bullets-de-b",
        "length": "bullets",
        "language": "de",
        "text": "\n".join(
            [
                "- Zentrales Instrument: Nationaler Strategieplan zur Bekämpfung des Menschenhandels 2024–2028, im August 2024 eingeführt",
                "- Vier Säulen: stärkere Strafverfolgung, besserer Opferschutz, Koordination über Sektoren hinweg, langfristige Lösungen",
                "- Hervorgehoben von Botschafter Keo Chhea bei einer UN-Sitzung am 24. und 25. November im UN-Hauptquartier in New York",
                "- Sozioökonomische Ursachen angehen: Ungleichheiten verringern, öffentliches Bewusstsein ausweiten, sichere Migrationswege fördern",
                "- Sorge über Missbrauch von KI und sozialen Medien durch kriminelle Netzwerke; Aufruf zu Informationsaustausch und justizieller Zusammenarbeit",
            ]
        ),
    },
    {
        "id": "bullets-en",
        "length": "bullets",
        "language": "en",
        "text": "\n".join(
            [
                "- Cambodia reaffirmed its commitment to fighting human trafficking at a high-level UN meeting in New York on 24–25 November.",
                "- Ambassador Keo Chhea, Cambodia's Permanent Representative to the UN, called the fight against trafficking, forced labour and sexual exploitation a top national priority.",
                "- The meeting reviewed the UN Global Plan of Action against human trafficking, which marks its 15th anniversary this year.",
                "- Cambodia's National Strategic Plan 2024–2028, launched in August 2024, rests on four pillars: law enforcement, victim protection, cross-sector coordination and long-term, sustainable solutions.",
                "- Cambodia warned that criminal networks increasingly misuse AI and social media and called for stronger international cooperation, including with technology companies.",
            ]
        ),
    },
]

# ---------------------------------------------------------------------------
# Key facts
# ---------------------------------------------------------------------------

FACTS: list[dict[str, Any]] = [
    {
        "id": "speaker",
        "statement": "Botschafter Keo Chhea sprach für Kambodscha.",
        "statement_en": "Ambassador Keo Chhea spoke for Cambodia.",
        "matcher": {"type": "person", "names": ["Keo Chhea", "Chhea"]},
        "weight": 3,
        "label": "Redner Keo Chhea",
        "evidence": ["Botschafter Keo Chhea"],
    },
    {
        "id": "speaker-role",
        "statement": "Keo Chhea ist Ständiger Vertreter Kambodschas bei den Vereinten Nationen.",
        "statement_en": "Keo Chhea is Cambodia's Permanent Representative to the United Nations.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Ständiger Vertreter Kambodschas bei den Vereinten Nationen",
                "Ständiger Vertreter",
                "Kambodschas UN-Botschafter",
                "Permanent Representative",
                "Cambodia's ambassador to the UN",
            ],
        },
        "weight": 2,
        "label": "Rolle: Ständiger Vertreter bei der UN",
        "evidence": ["Ständiger Vertreter Kambodschas bei den Vereinten Nationen"],
    },
    {
        "id": "reaffirmed-commitment",
        "statement": "Kambodscha bekräftigte sein Engagement im globalen Kampf gegen Menschenhandel.",
        "statement_en": "Cambodia reaffirmed its commitment to the global fight against human trafficking.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Kambodscha bekräftigt Engagement im Kampf gegen Menschenhandel",
                "Entschlossenheit im globalen Kampf gegen Menschenhandel bekräftigt",
                "Engagement gegen Menschenhandel bekräftigt",
                "Cambodia reaffirms commitment to the fight against human trafficking",
                "reaffirmed commitment to fighting human trafficking",
            ],
        },
        "weight": 3,
        "label": "Bekräftigtes Engagement gegen Menschenhandel",
        "evidence": [
            "seine fortgesetzte Entschlossenheit im globalen Kampf gegen Menschenhandel bekräftigt"
        ],
    },
    {
        "id": "un-session",
        "statement": "Die Erklärung fiel auf einer hochrangigen Sitzung der Vereinten Nationen.",
        "statement_en": "The statement was made at a high-level United Nations session.",
        "matcher": {
            "type": "text",
            "aliases": [
                "hochrangige Sitzung der Vereinten Nationen",
                "UN-Sitzung",
                "Sitzung der Vereinten Nationen",
                "UN-Treffen",
                "high-level UN meeting",
                "UN meeting",
                "United Nations meeting",
                "UN session",
            ],
        },
        "weight": 3,
        "label": "Hochrangige UN-Sitzung",
        "evidence": ["auf einer hochrangigen Sitzung der Vereinten Nationen"],
    },
    {
        "id": "venue",
        "statement": "Die Sitzung fand im UN-Hauptquartier in New York statt.",
        "statement_en": "The session took place at UN headquarters in New York.",
        "matcher": {
            "type": "text",
            "aliases": [
                "New York",
                "UN-Hauptquartier",
                "Hauptquartier der Vereinten Nationen",
                "UN headquarters",
            ],
        },
        "weight": 2,
        "label": "Ort: UN-Hauptquartier, New York",
        "evidence": ["in New York", "im UN-Hauptquartier"],
    },
    {
        "id": "session-dates",
        "statement": "Die Sitzung fand vom 24. bis 25. November statt.",
        "statement_en": "The session took place from 24 to 25 November.",
        "matcher": {"type": "date", "start": "--11-24", "end": "--11-25"},
        "weight": 2,
        "label": "Datum 24.–25. November",
        "evidence": ["vom 24. bis 25. November"],
    },
    {
        "id": "session-topic",
        "statement": "Die Sitzung bewertete den Globalen UN-Aktionsplan zur Bekämpfung des Menschenhandels.",
        "statement_en": "The session reviewed the UN Global Plan of Action to Combat Trafficking in Persons.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Bewertung des Globalen UN-Aktionsplans zur Bekämpfung des Menschenhandels",
                "Globaler UN-Aktionsplan",
                "Globaler Aktionsplan der Vereinten Nationen",
                "UN Global Plan of Action",
                "Global Plan of Action to Combat Trafficking in Persons",
            ],
        },
        "weight": 3,
        "label": "Thema: Bewertung des Globalen UN-Aktionsplans",
        "evidence": [
            "der Bewertung des Globalen UN-Aktionsplans zur Bekämpfung des Menschenhandels"
        ],
    },
    {
        "id": "un-plan-anniversary",
        "statement": "Der Globale UN-Aktionsplan feiert in diesem Jahr sein 15-jähriges Bestehen.",
        "statement_en": "The UN Global Plan of Action marks its 15th anniversary this year.",
        "matcher": {
            "type": "number",
            "value": 15,
            "near": ["Jahr", "jährig", "Bestehen", "anniversary", "years"],
        },
        "weight": 1,
        "label": "15 Jahre UN-Aktionsplan",
        "evidence": ["in diesem Jahr sein 15-jähriges Bestehen feiert"],
    },
    {
        "id": "priorities",
        "statement": "Die Bekämpfung von Menschenhandel, Zwangsarbeit und sexueller Ausbeutung hat oberste Priorität auf Kambodschas nationaler Agenda.",
        "statement_en": "Fighting human trafficking, forced labour and sexual exploitation is a top priority on Cambodia's national agenda.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Bekämpfung von Menschenhandel, Zwangsarbeit und sexueller Ausbeutung",
                "Zwangsarbeit und sexuelle Ausbeutung",
                "forced labour and sexual exploitation",
                "forced labor and sexual exploitation",
            ],
        },
        "weight": 2,
        "label": "Priorität: Menschenhandel, Zwangsarbeit, sexuelle Ausbeutung",
        "evidence": [
            "die Bekämpfung von Menschenhandel, Zwangsarbeit und sexueller Ausbeutung oberste Priorität"
        ],
    },
    {
        "id": "alignment",
        "statement": "Kambodscha stimmt weiterhin vollständig mit dem Globalen UN-Aktionsplan und seiner nationalen Strategie überein.",
        "statement_en": "Cambodia remains fully aligned with the UN Global Plan of Action and its own national strategy.",
        "matcher": {
            "type": "text",
            "aliases": [
                "weiterhin vollständig mit diesem Aktionsplan übereinstimme",
                "im Einklang mit dem Aktionsplan",
                "fully aligned with the Global Plan of Action",
                "in line with the plan of action",
            ],
        },
        "weight": 1,
        "label": "Übereinstimmung mit dem UN-Aktionsplan",
        "evidence": [
            "weiterhin vollständig mit diesem Aktionsplan sowie mit seiner eigenen nationalen Strategie übereinstimme"
        ],
    },
    {
        "id": "national-plan",
        "statement": "Zentral ist Kambodschas Nationaler Strategieplan zur Bekämpfung des Menschenhandels.",
        "statement_en": "Central to Cambodia's efforts is its National Strategic Plan to combat human trafficking.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Nationaler Strategieplan zur Bekämpfung des Menschenhandels",
                "Nationaler Strategieplan",
                "nationaler Plan gegen Menschenhandel",
                "National Strategic Plan",
                "national plan against human trafficking",
            ],
        },
        "weight": 3,
        "label": "Nationaler Strategieplan",
        "evidence": ["Nationale Strategieplan zur Bekämpfung des Menschenhandels"],
    },
    {
        "id": "plan-period",
        "statement": "Der nationale Strategieplan läuft von 2024 bis 2028.",
        "statement_en": "The national strategic plan runs from 2024 to 2028.",
        "matcher": {"type": "year_range", "start": 2024, "end": 2028},
        "weight": 2,
        "label": "Planzeitraum 2024–2028",
        "evidence": ["2024–2028"],
    },
    {
        "id": "plan-launch",
        "statement": "Der Plan wurde im August 2024 eingeführt.",
        "statement_en": "The plan was launched in August 2024.",
        "matcher": {"type": "date", "start": "2024-08", "end": "2024-08"},
        "weight": 2,
        "label": "Einführung August 2024",
        "evidence": ["im August 2024 eingeführt"],
    },
    {
        "id": "four-pillars",
        "statement": "Der Plan basiert auf vier Säulen.",
        "statement_en": "The plan rests on four pillars.",
        "matcher": {"type": "number", "value": 4, "near": ["Säulen", "Säule", "pillars"]},
        "weight": 3,
        "label": "Vier Säulen",
        "evidence": ["Dieser Plan basiert auf vier Säulen"],
    },
    {
        "id": "pillar-1",
        "statement": "Säule 1: die Strafverfolgung stärken.",
        "statement_en": "Pillar 1: strengthening law enforcement.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Strafverfolgung stärken",
                "Stärkung der Strafverfolgung",
                "stärkere Strafverfolgung",
                "Strafverfolgung",
                "strengthen law enforcement",
                "strengthening law enforcement",
            ],
        },
        "weight": 2,
        "label": "Säule 1 (Strafverfolgung)",
        "evidence": ["die Strafverfolgung zu stärken"],
    },
    {
        "id": "pillar-2",
        "statement": "Säule 2: den Opferschutz verbessern.",
        "statement_en": "Pillar 2: improving victim protection.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Opferschutz verbessern",
                "Verbesserung des Opferschutzes",
                "besserer Opferschutz",
                "Opfer besser schützen",
                "Opferschutz",
                "improve victim protection",
                "improving victim protection",
            ],
        },
        "weight": 2,
        "label": "Säule 2 (Opferschutz)",
        "evidence": ["den Opferschutz zu verbessern"],
    },
    {
        "id": "pillar-3",
        "statement": "Säule 3: die sektorübergreifende Koordination fördern.",
        "statement_en": "Pillar 3: promoting cross-sector coordination.",
        "matcher": {
            "type": "text",
            "aliases": [
                "sektorübergreifende Koordination fördern",
                "sektorübergreifende Koordination",
                "Koordination über Sektoren hinweg",
                "Koordination",
                "cross-sector coordination",
                "cross-sectoral coordination",
                "multi-sectoral coordination",
            ],
        },
        "weight": 2,
        "label": "Säule 3 (Koordination)",
        "evidence": ["die sektorübergreifende Koordination zu fördern"],
    },
    {
        "id": "pillar-4",
        "statement": "Säule 4: langfristige, nachhaltige Lösungen entwickeln.",
        "statement_en": "Pillar 4: developing long-term, sustainable solutions.",
        "matcher": {
            "type": "text",
            "aliases": [
                "langfristige, nachhaltige Lösungen entwickeln",
                "nachhaltige Lösungen",
                "langfristige Lösungen",
                "long-term sustainable solutions",
                "sustainable solutions",
            ],
        },
        "weight": 2,
        "label": "Säule 4 (nachhaltige Lösungen)",
        "evidence": ["langfristige, nachhaltige Lösungen zu entwickeln"],
    },
    {
        "id": "plan-instrument",
        "statement": "Der Botschafter nannte den Plan ein entscheidendes Instrument, das Kambodschas Anstrengungen national und in internationalen Partnerschaften leitet.",
        "statement_en": "The ambassador called the plan a crucial instrument guiding Cambodia's efforts nationally and through international partnerships.",
        "matcher": {
            "type": "text",
            "aliases": [
                "entscheidendes Instrument",
                "zentrales Instrument",
                "crucial instrument",
                "key instrument",
                "crucial tool",
            ],
        },
        "weight": 1,
        "label": "Plan als entscheidendes Instrument",
        "evidence": [
            "dieser Plan ein entscheidendes Instrument sei, das Kambodschas Anstrengungen sowohl "
            "national als auch durch internationale Partnerschaften leite"
        ],
    },
    {
        "id": "socio-inequality",
        "statement": "Gegen sozioökonomische Ursachen setzt Kambodscha auf Strategien zur Verringerung sozialer und wirtschaftlicher Ungleichheiten.",
        "statement_en": "To tackle socio-economic drivers, Cambodia relies on strategies to reduce social and economic inequalities.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Verringerung sozialer und wirtschaftlicher Ungleichheiten",
                "Ungleichheiten verringern",
                "reduce social and economic inequalities",
                "reducing inequalities",
            ],
        },
        "weight": 1,
        "label": "Ungleichheiten verringern",
        "evidence": ["Verringerung sozialer und wirtschaftlicher Ungleichheiten"],
    },
    {
        "id": "socio-awareness",
        "statement": "Das öffentliche Bewusstsein soll ausgeweitet werden.",
        "statement_en": "Public awareness is to be expanded.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Ausweitung des öffentlichen Bewusstseins",
                "öffentliches Bewusstsein ausweiten",
                "Bewusstsein schärfen",
                "public awareness",
            ],
        },
        "weight": 1,
        "label": "Öffentliches Bewusstsein",
        "evidence": ["die Ausweitung des öffentlichen Bewusstseins"],
    },
    {
        "id": "socio-migration",
        "statement": "Sichere Migrationswege sollen gefördert werden.",
        "statement_en": "Safe migration pathways are to be promoted.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Förderung sicherer Migrationswege",
                "sichere Migrationswege",
                "safe migration pathways",
                "safe migration",
            ],
        },
        "weight": 1,
        "label": "Sichere Migrationswege",
        "evidence": ["die Förderung sicherer Migrationswege"],
    },
    {
        "id": "ai-concern",
        "statement": "Kambodscha äußerte Besorgnis über den zunehmenden Missbrauch von künstlicher Intelligenz und sozialen Medien durch kriminelle Netzwerke.",
        "statement_en": "Cambodia voiced concern about criminal networks' growing misuse of artificial intelligence and social media.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Missbrauch von künstlicher Intelligenz und sozialen Medien",
                "Missbrauch von KI und sozialen Medien",
                "KI und soziale Medien",
                "misuse of artificial intelligence and social media",
                "AI and social media",
            ],
        },
        "weight": 2,
        "label": "Sorge: Missbrauch von KI und sozialen Medien",
        "evidence": [
            "Missbrauch von künstlicher Intelligenz und sozialen Medien durch kriminelle Netzwerke"
        ],
    },
    {
        "id": "digital-regulation",
        "statement": "Gegen digitalisierte Kriminalität sollen regulatorische Rahmenbedingungen gestärkt werden.",
        "statement_en": "Regulatory frameworks should be strengthened against digitised crime.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Stärkung regulatorischer Rahmenbedingungen",
                "regulatorische Rahmenbedingungen",
                "regulatory frameworks",
            ],
        },
        "weight": 1,
        "label": "Regulatorische Rahmenbedingungen",
        "evidence": ["die Stärkung regulatorischer Rahmenbedingungen"],
    },
    {
        "id": "digital-capacities",
        "statement": "Die Kapazitäten der Strafverfolgungsbehörden sollen verbessert werden.",
        "statement_en": "The capacities of law enforcement agencies should be improved.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Kapazitäten der Strafverfolgungsbehörden",
                "law enforcement capacities",
                "capacity of law enforcement agencies",
            ],
        },
        "weight": 1,
        "label": "Kapazitäten der Strafverfolgungsbehörden",
        "evidence": ["die Verbesserung der Kapazitäten der Strafverfolgungsbehörden"],
    },
    {
        "id": "tech-cooperation",
        "statement": "Kambodscha fordert eine erweiterte Zusammenarbeit mit Technologieunternehmen.",
        "statement_en": "Cambodia calls for expanded cooperation with technology companies.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Zusammenarbeit mit Technologieunternehmen",
                "Technologieunternehmen",
                "cooperation with technology companies",
                "technology companies",
                "tech companies",
            ],
        },
        "weight": 1,
        "label": "Zusammenarbeit mit Technologieunternehmen",
        "evidence": ["eine erweiterte Zusammenarbeit mit Technologieunternehmen"],
    },
    {
        "id": "international-request",
        "statement": "Kambodscha rief die internationale Gemeinschaft zu Informationsaustausch, koordinierten Opferschutzmechanismen und stärkerer justizieller Zusammenarbeit auf.",
        "statement_en": "Cambodia urged the international community to step up information sharing, coordinated victim protection mechanisms and stronger judicial cooperation.",
        "matcher": {
            "type": "text",
            "aliases": [
                "Informationsaustausch, koordinierte Opferschutzmechanismen und justizielle Zusammenarbeit",
                "justizielle Zusammenarbeit",
                "Informationsaustausch",
                "judicial cooperation",
                "information sharing",
                "information exchange",
            ],
        },
        "weight": 2,
        "label": "Aufruf: Informationsaustausch und justizielle Zusammenarbeit",
        "evidence": [
            "durch Informationsaustausch, koordinierte Opferschutzmechanismen und eine stärkere justizielle Zusammenarbeit"
        ],
    },
    {
        "id": "dismantle-syndicates",
        "statement": "Ziel ist es, kriminelle Syndikate zu zerschlagen.",
        "statement_en": "The aim is to dismantle criminal syndicates.",
        "matcher": {
            "type": "text",
            "aliases": [
                "kriminelle Syndikate zerschlagen",
                "Zerschlagung krimineller Syndikate",
                "dismantle criminal syndicates",
                "dismantling criminal syndicates",
            ],
        },
        "weight": 1,
        "label": "Kriminelle Syndikate zerschlagen",
        "evidence": ["um kriminelle Syndikate zu zerschlagen"],
    },
]

# ---------------------------------------------------------------------------
# Offsets
# ---------------------------------------------------------------------------

_ID_RE = re.compile(r"^[a-z0-9-]+$")
_QA_KEYS = (
    "id",
    "question",
    "question_en",
    "answers",
    "category",
    "type",
    "answerable",
    "abstractive",
    "evidence",
    "note",
)
_SUMMARY_KEYS = ("id", "length", "language", "text")
_FACT_KEYS = ("id", "statement", "statement_en", "matcher", "weight", "label", "evidence")
_QA_TYPES = {"factoid", "list", "date", "number", "yes/no"}


class GoldError(Exception):
    """Raised for any inconsistency; the script exits non-zero."""


def find_span(article: str, ev: Ev, where: str) -> dict[str, Any]:
    """Locate one evidence text and return ``{"start", "end", "text"}``."""
    text, index = (ev, None) if isinstance(ev, str) else ev
    if not text:
        raise GoldError(f"{where}: empty evidence text")
    starts = [m.start() for m in re.finditer(re.escape(text), article)]
    if not starts:
        raise GoldError(f"{where}: evidence text not found in article: {text!r}")
    if index is None:
        if len(starts) > 1:
            raise GoldError(
                f"{where}: evidence text occurs {len(starts)} times at {starts}; "
                f"give an occurrence index: {text!r}"
            )
        index = 0
    if not 0 <= index < len(starts):
        raise GoldError(
            f"{where}: occurrence {index} requested, only {len(starts)} found: {text!r}"
        )
    start = starts[index]
    end = start + len(text)
    assert article[start:end] == text
    return {"start": start, "end": end, "text": text}


def spans(article: str, evs: list[Ev], where: str) -> list[dict[str, Any]]:
    out = [find_span(article, ev, f"{where} evidence[{i}]") for i, ev in enumerate(evs)]
    keys = [(s["start"], s["end"]) for s in out]
    if len(set(keys)) != len(keys):
        raise GoldError(f"{where}: duplicate evidence span")
    return out


# ---------------------------------------------------------------------------
# Support check: is an answer literally in the evidence, modulo case,
# punctuation, dash style, German articles, number words and date forms?
# ---------------------------------------------------------------------------

_ARTICLES = {
    "der",
    "die",
    "das",
    "den",
    "dem",
    "des",
    "ein",
    "eine",
    "einer",
    "eines",
    "einem",
    "einen",
}
# Words that only connect parts of a date or range ("vom 24. bis 25.", "im August").
_DATE_GLUE = {"von", "vom", "bis", "im", "am", "zum", "und"}
_NUMBER_WORDS = {
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
    "zehn": 10,
    "elf": 11,
    "zwölf": 12,
    "fünfzehn": 15,
    "zwanzig": 20,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "fifteen": 15,
}
_MONTHS = {
    "januar": 1,
    "jan": 1,
    "january": 1,
    "februar": 2,
    "feb": 2,
    "february": 2,
    "märz": 3,
    "mär": 3,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "may": 5,
    "juni": 6,
    "jun": 6,
    "june": 6,
    "juli": 7,
    "jul": 7,
    "july": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "dezember": 12,
    "dez": 12,
    "december": 12,
    "dec": 12,
}
_MONTH_NAMES = {v: k for k, v in reversed(list(_MONTHS.items())) if len(k) > 4 or k == "mai"}
_NUM_DATE_RE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DASH_RE = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d-]")


def _norm_text(s: str) -> str:
    s = unicodedata.normalize("NFC", s).lower()
    s = _NUM_DATE_RE.sub(lambda m: f"{m[1]} {_MONTH_NAMES[int(m[2])]} {m[3]}", s)
    s = _ISO_DATE_RE.sub(lambda m: f"{m[3]} {_MONTH_NAMES[int(m[2])]} {m[1]}", s)
    s = _DASH_RE.sub("-", s)
    s = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in s)
    return " ".join(s.split())


def _tokens(s: str) -> list[str]:
    out = []
    for tok in _norm_text(s).split():
        if tok in _ARTICLES:
            continue
        if tok in _NUMBER_WORDS:
            tok = str(_NUMBER_WORDS[tok])
        elif tok in _MONTHS:
            tok = f"<month{_MONTHS[tok]}>"
        elif tok.isdigit():
            tok = str(int(tok))
        out.append(tok)
    return out


def supported(answer: str, evidence_texts: list[str]) -> bool:
    ans = _tokens(answer)
    if any(c.isdigit() for c in answer) or any(t.isdigit() for t in ans):
        ans = [t for t in ans if t not in _DATE_GLUE]
    if not ans:
        return False
    joined = " ".join(ans)
    ev_tokens: list[str] = []
    for text in evidence_texts:
        toks = _tokens(text)
        if joined in " ".join(toks):  # plain substring, as the README says "occurs in"
            return True
        ev_tokens.extend(toks)
    return set(ans) <= set(ev_tokens)


# ---------------------------------------------------------------------------
# Fact matcher self-check (approximate: crude German stemming for `text`).
# ---------------------------------------------------------------------------

_STOP = _ARTICLES | {
    "und",
    "oder",
    "von",
    "vom",
    "zu",
    "zur",
    "zum",
    "im",
    "in",
    "am",
    "an",
    "auf",
    "für",
    "mit",
    "bei",
    "durch",
    "über",
    "als",
    "auch",
    "sowie",
    "sich",
    "sein",
    "seine",
    "seiner",
    "the",
    "a",
    "of",
    "and",
    "to",
    "for",
    "on",
    "with",
    "by",
    "s",
}


def _stem(tok: str) -> str:
    tok = tok.replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ß", "ss")
    for suf in ("ern", "em", "er", "en", "es", "e", "s", "n"):
        if tok.endswith(suf) and len(tok) - len(suf) >= 4:
            return tok[: -len(suf)]
    return tok


def _content_stems(s: str) -> set[str]:
    return {_stem(t) for t in _norm_text(s).split() if t not in _STOP}


def _date_values(s: str) -> set[str]:
    return set(_tokens(s))


def check_fact_matcher(fact: dict[str, Any], ev_texts: list[str]) -> None:
    m = fact["matcher"]
    where = f"facts {fact['id']}"
    ev = " ".join(ev_texts)
    toks = _date_values(ev)
    kind = m["type"]
    if kind == "date":
        for key in ("start", "end"):
            val = m[key]
            mm = re.fullmatch(r"(?:(\d{4})|-)-(\d{2})(?:-(\d{2}))?", val)
            if not mm:
                raise GoldError(f"{where}: bad date {val!r}")
            year, month, day = mm.groups()
            need = {f"<month{int(month)}>"}
            if year:
                need.add(str(int(year)))
            if day:
                need.add(str(int(day)))
            if not need <= toks:
                raise GoldError(f"{where}: date {val} not in evidence {ev!r}")
    elif kind == "year_range":
        if not {str(m["start"]), str(m["end"])} <= toks:
            raise GoldError(f"{where}: years not in evidence")
    elif kind == "person":
        if not any(f" {_norm_text(n)} " in f" {_norm_text(ev)} " for n in m["names"]):
            raise GoldError(f"{where}: no name in evidence")
    elif kind == "number":
        if str(m["value"]) not in toks:
            raise GoldError(f"{where}: number {m['value']} not in evidence")
        if m.get("near") and not any(w.lower() in ev.lower() for w in m["near"]):
            raise GoldError(f"{where}: no 'near' word in evidence")
    elif kind == "text":
        ev_stems = _content_stems(ev)
        best = max(
            len(_content_stems(a) & ev_stems) / max(1, len(_content_stems(a))) for a in m["aliases"]
        )
        if best < m.get("min_overlap", 0.6):
            raise GoldError(f"{where}: no alias reaches min_overlap in evidence (best {best:.2f})")
        if len(set(m["aliases"])) != len(m["aliases"]):
            raise GoldError(f"{where}: duplicate alias")
    else:
        raise GoldError(f"{where}: unknown matcher type {kind!r}")


# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------


def _ordered(obj: dict[str, Any], keys: tuple[str, ...], where: str) -> dict[str, Any]:
    extra = set(obj) - set(keys)
    if extra:
        raise GoldError(f"{where}: unknown keys {sorted(extra)}")
    return {k: obj[k] for k in keys if k in obj}


def _check_ids(items: list[dict[str, Any]], name: str) -> None:
    seen: set[str] = set()
    for item in items:
        iid = item["id"]
        if not _ID_RE.match(iid):
            raise GoldError(f"{name}: bad id {iid!r}")
        if iid in seen:
            raise GoldError(f"{name}: duplicate id {iid!r}")
        seen.add(iid)


def build_qa(article: str) -> list[dict[str, Any]]:
    _check_ids(QA, "qa")
    out = []
    for raw in QA:
        item = dict(raw)
        where = f"qa {item['id']}"
        if item["type"] not in _QA_TYPES:
            raise GoldError(f"{where}: bad type {item['type']!r}")
        for key in ("question", "question_en", "category"):
            if not item.get(key):
                raise GoldError(f"{where}: missing {key}")
        answerable = item.setdefault("answerable", True)
        if not answerable:
            if item.get("answers") or item.get("evidence") or item.get("abstractive"):
                raise GoldError(f"{where}: unanswerable item with answers/evidence/abstractive")
            if not item.get("note"):
                raise GoldError(f"{where}: unanswerable item needs a note")
            item["answers"], item["evidence"] = [], []
        else:
            if not item.get("answers") or not item.get("evidence") or "note" in item:
                raise GoldError(f"{where}: answerable item needs answers and evidence, no note")
            if len(set(item["answers"])) != len(item["answers"]):
                raise GoldError(f"{where}: duplicate answer")
            item["evidence"] = spans(article, item["evidence"], where)
            texts = [s["text"] for s in item["evidence"]]
            unsupported = [a for a in item["answers"] if not supported(a, texts)]
            if item.get("abstractive"):
                if not unsupported:
                    raise GoldError(f"{where}: marked abstractive but every answer is extractive")
            else:
                item.pop("abstractive", None)
                if unsupported:
                    raise GoldError(f"{where}: answers not supported by evidence: {unsupported}")
        out.append(_ordered(item, _QA_KEYS, where))
    n_ans = sum(1 for i in out if i["answerable"])
    n_unans = len(out) - n_ans
    if n_ans < MIN_ANSWERABLE or n_unans < MIN_UNANSWERABLE:
        raise GoldError(f"qa: {n_ans} answerable / {n_unans} unanswerable, below minimum")
    return out


def word_count(text: str) -> int:
    return len(text.split())


def build_summaries() -> list[dict[str, Any]]:
    _check_ids(SUMMARIES, "summaries")
    per: dict[tuple[str, str], int] = {}
    out = []
    for item in SUMMARIES:
        where = f"summaries {item['id']}"
        text = item["text"]
        if text != text.strip() or "  " in text:
            raise GoldError(f"{where}: stray whitespace")
        if item["length"] == "abstract" and not 40 <= word_count(text) <= 80:
            raise GoldError(f"{where}: {word_count(text)} words, need 40-80")
        if item["length"] == "bullets":
            lines = text.split("\n")
            if len(lines) != 5 or not all(ln.startswith("- ") for ln in lines):
                raise GoldError(f"{where}: need exactly five lines starting with '- '")
        if item["length"] == "headline" and "\n" in text:
            raise GoldError(f"{where}: headline must be one line")
        per[(item["length"], item["language"])] = per.get((item["length"], item["language"]), 0) + 1
        out.append(_ordered(item, _SUMMARY_KEYS, where))
    for length in ("headline", "abstract", "bullets"):
        if per.get((length, "de"), 0) < 2 or per.get((length, "en"), 0) < 1:
            raise GoldError(f"summaries: {length} needs >=2 de and >=1 en references")
    return out


def build_facts(article: str) -> list[dict[str, Any]]:
    _check_ids(FACTS, "facts")
    out = []
    for raw in FACTS:
        item = dict(raw)
        where = f"facts {item['id']}"
        if item["weight"] not in (1, 2, 3):
            raise GoldError(f"{where}: weight must be 1-3")
        item["evidence"] = spans(article, item["evidence"], where)
        check_fact_matcher(item, [s["text"] for s in item["evidence"]])
        out.append(_ordered(item, _FACT_KEYS, where))
    if len(out) < MIN_FACTS:
        raise GoldError(f"facts: only {len(out)}, need {MIN_FACTS}")
    return out


def render(items: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="verify files are up to date; write nothing"
    )
    args = parser.parse_args(argv)
    article = ARTICLE_PATH.read_text(encoding="utf-8")
    try:
        files = {
            "qa.jsonl": render(build_qa(article)),
            "summaries.jsonl": render(build_summaries()),
            "facts.jsonl": render(build_facts(article)),
        }
    except GoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stale = []
    for name, content in files.items():
        path = DOC_DIR / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                stale.append(name)
        else:
            path.write_text(content, encoding="utf-8")
    if stale:
        print(
            f"error: out of date: {', '.join(stale)} (run tools/make_gold_offsets.py)",
            file=sys.stderr,
        )
        return 1
    print(("up to date: " if args.check else "wrote: ") + ", ".join(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
