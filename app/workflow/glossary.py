"""A glossary per target language: French terms found in a segment despite inflection, and their required English.

Matching folds case and diacritics, drops elided articles and pronouns (``l'``, ``d'``, ``qu'``…)
and reduces each word to a light inflectional stem (plural and feminine endings), so
*l'entreprise*, *entreprises* and *Entreprise* all match the term *entreprise*, and
*directrices* matches *directeur*. It is deliberately lighter than a Snowball stemmer, which
also strips derivational suffixes (*gouvernement* and *gouverner* would match). The English
side is checked with plain English plurals. Everything here is linear in the text's length.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.IGNORECASE)
#: Feminine and plural endings, longest first, with what they become (Savoy's light French stemmer, reduced).
_ENDINGS = (("trices", "teur"), ("trice", "teur"), ("euses", "eur"), ("euse", "eur"), ("ives", "if"), ("ive", "if"),
            ("elles", "el"), ("elle", "el"), ("ennes", "en"), ("enne", "en"), ("ettes", "et"), ("ette", "et"),
            ("eaux", "eau"), ("aux", "al"), ("ees", "e"), ("es", ""), ("s", ""), ("x", ""), ("e", ""))
CSV_FIELDS = ("french", "english", "note", "do_not_translate")
#: What spreadsheets separate cells with: French Excel writes ``;``, "Unicode text" tabs.
CSV_DELIMITERS = (",", ";", "\t")
#: Characters XML 1.0 cannot hold (a TBX file must stay well-formed): controls, surrogates, U+FFFE/U+FFFF.
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_TERM_LENGTH = 200


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """The light stem of a French word: folded, without elision, plural or feminine ending."""
    word = _fold(_ELISION.sub("", word))
    if len(word) <= 3:
        return word
    for ending, replacement in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: len(word) - len(ending)] + replacement
    return word


def term_key(term: str) -> str:
    """The key identifying a French term (its stems joined): one glossary entry per key and language."""
    return " ".join(stem(m.group(0)) for m in _TOKEN.finditer(term))


@dataclass(frozen=True)
class Term:
    """One glossary entry."""

    french: str
    english: str = ""
    note: str = ""
    do_not_translate: bool = False
    id: int | None = None

    @property
    def required(self) -> str:
        """What the translation must contain: the English, or the French itself when not to be translated."""
        return self.french if self.do_not_translate or not self.english else self.english


@dataclass(frozen=True)
class Match:
    """A term found in a French segment: where (character offsets) and which term."""

    start: int
    end: int
    term: Term

    def api(self) -> dict:
        """The API form."""
        return {"start": self.start, "end": self.end, "french": self.term.french, "english": self.term.required,
                "note": self.term.note, "do_not_translate": self.term.do_not_translate}


class Glossary:
    """The terms of one language, indexed by the stem of their first word."""

    def __init__(self, terms: list[Term]):
        self.terms = terms
        self._index: dict[str, list[tuple[list[str], Term]]] = {}
        for term in terms:
            stems = term_key(term.french).split()
            if stems:
                self._index.setdefault(stems[0], []).append((stems, term))
        for candidates in self._index.values():
            candidates.sort(key=lambda item: -len(item[0]))  # longest term first

    def find(self, text: str) -> list[Match]:
        """Every term in ``text``, left to right, the longest at each place, never overlapping."""
        if not self._index:
            return []
        tokens = [(m.start(), m.end(), stem(m.group(0))) for m in _TOKEN.finditer(text)]
        matches, i = [], 0
        while i < len(tokens):
            for stems, term in self._index.get(tokens[i][2], ()):
                if [t[2] for t in tokens[i:i + len(stems)]] == stems:
                    start = tokens[i][0] + _elided_prefix(text[tokens[i][0]:tokens[i][1]])
                    matches.append(Match(start, tokens[i + len(stems) - 1][1], term))
                    i += len(stems) - 1
                    break
            i += 1
        return matches


def _elided_prefix(word: str) -> int:
    found = _ELISION.match(word)
    return found.end() if found else 0


def _english_words(text: str) -> list[str]:
    return [_fold(m.group(0)).replace("’", "'") for m in _TOKEN.finditer(text)]


def _english_forms(word: str) -> set[str]:
    forms = {word, word + "s", word + "es"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    return forms


def contains_term(translation: str, required: str) -> bool:
    """Tell whether ``translation`` contains ``required`` (case, accents and English plurals aside)."""
    wanted = _english_words(required)
    if not wanted:
        return True
    words = _english_words(translation)
    for i in range(len(words) - len(wanted) + 1):
        if all(words[i + k] in _english_forms(w) for k, w in enumerate(wanted)):
            return True
    return False


# --- exchange formats ----------------------------------------------------------------------------

class GlossaryFormatError(ValueError):
    """A CSV file that cannot be imported; ``line`` is where (1-based) when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


def _flag(value: str) -> bool:
    return value.strip().casefold() in {"1", "true", "yes", "oui", "x", "vrai"}


def _reader(text: str):
    """A CSV reader over ``text`` splitting cells as its header line does (comma, semicolon or tab)."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first.count)  # ties (none of them): the comma, listed first
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)


def _cell(value: str) -> str:
    """A cell as written, without the quote :func:`to_csv` puts before formula-looking text."""
    value = value.strip()
    return value[1:] if value[:1] == "'" and value[1:2] in _FORMULA_START else value


def parse_csv(text: str) -> list[Term]:
    """Terms from CSV text with a header row (``french,english,note,do_not_translate``; the last two optional).

    Cells may be separated by commas, semicolons (French Excel) or tabs, as the header line shows;
    a byte order mark is ignored; a quote before a formula-looking cell (see :func:`to_csv`) is removed.
    """
    reader = _reader(text)
    try:
        header = [h.strip().casefold() for h in next(reader)]
    except StopIteration:
        raise GlossaryFormatError("the file is empty") from None
    except csv.Error as exc:
        raise GlossaryFormatError(str(exc), 1) from None
    if "french" not in header or "english" not in header:
        raise GlossaryFormatError('the first line must name the columns, at least "french" and "english"', 1)
    terms = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            values = {name: _cell(cell) for name, cell in zip(header, row)}
            french, english = values.get("french", ""), values.get("english", "")
            if not french or not term_key(french):
                raise GlossaryFormatError("a term needs its French", reader.line_num)
            if len(french) > MAX_TERM_LENGTH or len(english) > MAX_TERM_LENGTH:
                raise GlossaryFormatError(f"terms are at most {MAX_TERM_LENGTH} characters", reader.line_num)
            terms.append(Term(french, english, values.get("note", ""), _flag(values.get("do_not_translate", ""))))
    except csv.Error as exc:
        raise GlossaryFormatError(str(exc), reader.line_num) from None
    return terms


def to_csv(terms: list[Term]) -> str:
    """The terms as CSV with a header row, importable back with :func:`parse_csv`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for term in terms:
        writer.writerow([_csv_safe(term.french), _csv_safe(term.english), _csv_safe(term.note),
                         "yes" if term.do_not_translate else ""])
    return out.getvalue()


def _csv_safe(value: str) -> str:
    """Keep spreadsheets from running a cell as a formula (CSV injection); :func:`parse_csv` removes the quote."""
    return "'" + value if value[:1] in _FORMULA_START or (value[:1] == "'" and value[1:2] in _FORMULA_START) else value


def _xml(value: str) -> str:
    """``value`` escaped for XML text, without the characters XML 1.0 cannot hold."""
    return escape(NOT_XML.sub("", value))


def to_tbx(terms: list[Term], source_lang: str, target_lang: str) -> str:
    """The terms as TBX-Basic (ISO 30042, DCA style), for CAT tools.

    TBX-Basic has no "do not translate" status (``administrativeStatus`` takes only the
    preferred, admitted, deprecated and superseded values): such a term's English is the French
    itself, preferred, with a note saying so.
    """
    source, target = _xml(source_lang), _xml(target_lang)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<tbx type="TBX-Basic" style="dca" xml:lang="{source}" xmlns="urn:iso:std:iso:30042:ed-2">',
             "<tbxHeader><fileDesc><sourceDesc><p>Passerelle glossary</p></sourceDesc></fileDesc></tbxHeader>",
             "<text><body>"]
    for number, term in enumerate(terms, 1):
        note = f"<note>{_xml(term.note)}</note>" if term.note else ""
        status = '<termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>'
        keep = "<note>Do not translate: keep the French term.</note>" if term.do_not_translate else ""
        parts.append(f'<conceptEntry id="c{number}">{note}'
                     f'<langSec xml:lang="{source}"><termSec><term>{_xml(term.french)}</term></termSec></langSec>'
                     f'<langSec xml:lang="{target}"><termSec><term>{_xml(term.required)}</term>{status}{keep}'
                     "</termSec></langSec></conceptEntry>")
    parts.append("</body></text></tbx>")
    return "\n".join(parts) + "\n"
