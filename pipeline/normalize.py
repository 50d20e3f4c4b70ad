"""Text for the ear: what eSpeak NG should hear for one sentence of the story.

eSpeak NG reads what it is given: ``*very*`` as "asterisk very asterisk", ``A/N`` as "A slash N",
``Shh`` as "S H H", ``<3`` as "three", ``Chapter IV`` as "chapter roman four", and it barely pauses at
``…`` or ``—``. These rules rewrite only what the engine receives; segments keep
``text == story[start:end]``, so offsets never move. A sentence comes back as pieces to be read with
a real pause between them (cut at ellipses and dashes), each with the stretches marked for emphasis
(``*word*``, ``_word_``, ``-word-``, HTML italics) kept aside for an engine that can stress them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Where a reader pauses: an ellipsis ("…", "...", ". . ."), a dash ("—", "--", a bare "–"), "***".
_PAUSE = re.compile(r"\s*(?:\u2026|\.(?:\s?\.){2,}|\u2014+|-{2,}|(?<=\s)-(?=\s)|(?<!\d)\u2013(?!\d)|\*{3,})\s*")
# *word*, _word words_, -word-: a marker hugging its words, not touching a letter outside them.
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=\S)(?P<star>[^*\n]*?\S)\*(?![\w*])"
    r"|(?<![\w_])_(?=\S)(?P<under>[^_\n]*?\S)_(?![\w_])"
    r"|(?<![\w-])-(?=\w)(?P<dash>[^-\n]*?\w)-(?![\w-])"
)
# I-I-'m, li-life, w-w-what: a short stem said again before the word it starts.
_STUTTER = re.compile(r"\b(?P<stem>[a-z]{1,3})(?:-(?P=stem))*-(?P<word>'?[a-z][\w']*)", re.IGNORECASE)
_PREFIXES = frozenset({"re", "co", "de", "ex", "pre", "non", "un", "bi", "mid", "sub", "pro", "anti"})
_ELONGATED = re.compile(r"([a-z])\1{2,}", re.IGNORECASE)  # Pleeeease, Nooooo: no English word has three
_ROMAN = re.compile(r"\b(?P<label>chapter|part|book|volume|act|episode)(?P<space>\s+)(?P<numeral>[IVXLCDM]+)\b", re.IGNORECASE)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
# Words eSpeak NG spells out letter by letter ("Grr" is "G R R"), and what to say instead.
_INTERJECTIONS = (
    (r"s+h+", "shush"),
    (r"h?m{2,}|hm", "hmm"),
    (r"m+h+m+", "hmm hmm"),  # Mhm: yes
    (r"h+u?m+p+h+", "humph"),  # Hmph
    (r"p+f+t*", "puh"),  # Pfft
    (r"g+r{2,}h*", "grur"),  # Grr
    (r"b+r{2,}", "burr"),  # Brr
    (r"t+c+h+", "tsk"),  # Tch
)
# The only words the word pass rewrites: interjections (group said<k> for the k-th) and words with a
# letter three times or more. Matching just these, rather than calling back on every word, keeps a
# novel's pass well under a second.
_INTERJECTION = "|".join(f"(?P<said{k}>{pattern})" for k, (pattern, _) in enumerate(_INTERJECTIONS))
_REWRITTEN_WORD = re.compile(
    rf"(?<![A-Za-z])(?:(?:{_INTERJECTION})(?![A-Za-z])|[A-Za-z]*?(?P<letter>[A-Za-z])(?P=letter){{2}}[A-Za-z]*)",
    re.IGNORECASE,
)
_AUTHORS_NOTE = re.compile(r"\bA/N\b", re.IGNORECASE)
_HEART = re.compile(r"(?P<before>\w\s+)?<3+(?P<after>\s+\w)?")
# Said aloud as "asterisk", "underscore", "tilde"; "#" before a space is a Markdown heading mark ("hash").
_STRAY_MARKS = re.compile(r"[*_~]+|#+(?=\s|$)")


@dataclass(frozen=True)
class Spoken:
    """One piece of a sentence as the engine should hear it; ``emphasis`` spans index ``text``."""

    text: str
    emphasis: tuple[tuple[int, int], ...] = ()


def roman_to_int(numeral: str) -> int | None:
    """The value of a well-formed Roman numeral ("IV" -> 4), else None ("IIII", "VX", "Hello")."""
    if not re.fullmatch("[IVXLCDM]+", numeral.upper()):
        return None
    values = [_ROMAN_VALUES[ch] for ch in numeral.upper()]
    total = sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    return total if 0 < total < 4000 and _int_to_roman(total) == numeral.upper() else None


def _int_to_roman(number: int) -> str:
    result = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        result += letters * count
    return result


def _numbered(match: re.Match) -> str:
    value = roman_to_int(match.group("numeral"))
    return match.group(0) if value is None else f"{match.group('label')}{match.group('space')}{value}"


def _unstutter(match: re.Match) -> str:
    stem, word = match.group("stem"), match.group("word")
    whole = stem + word if word.startswith("'") else word
    repeats = match.group(0).count("-") - (1 if word.startswith("'") else 0)
    if not whole.lower().startswith(stem.lower()) or (stem.lower() in _PREFIXES and repeats < 2):
        return match.group(0)  # "to-do", "re-read": a hyphenated word, not a stutter
    if not re.search("[aeiou]", stem, re.IGNORECASE):  # "y-you" would be "why, you"
        # "W-what": a lone consonant would be spelled out ("double-u what"); the word keeps its capital.
        return whole[0].upper() + whole[1:] if stem[0].isupper() else whole
    return ", ".join([stem] * repeats + [whole])


def _unelongate(match: re.Match) -> str:
    word = match.group(0)
    if re.fullmatch("[IVXLCDM]+", word):  # "XXX", "VIII": numerals, not shouting
        return word
    if match.lastgroup.startswith("said"):  # _REWRITTEN_WORD matched it as an interjection
        spoken = _INTERJECTIONS[int(match.lastgroup.removeprefix("said"))][1]
        return spoken if word[0].islower() else spoken.capitalize()
    return _ELONGATED.sub(r"\1", word)


def _heart(match: re.Match) -> str:
    # "I <3 you" says love; a heart at the end of a line is a smile, not a word.
    if match.group("before") and match.group("after"):
        return f"{match.group('before')}love{match.group('after')}"
    return (match.group("before") or "") + (match.group("after") or "")


def _lexicon_pattern(lexicon: tuple[tuple[str, str], ...]) -> re.Pattern | None:
    if not lexicon:
        return None
    words = sorted((word for word, _ in lexicon), key=len, reverse=True)  # "Mr Giles" before "Giles"
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def say(text: str, lexicon: tuple[tuple[str, str], ...] = ()) -> str:
    """*text* (no emphasis markers left) rewritten for the ear: words eSpeak NG would misread."""
    text = _AUTHORS_NOTE.sub("Author's note", text)
    text = _HEART.sub(_heart, text)
    text = _ROMAN.sub(_numbered, text)
    text = _STUTTER.sub(_unstutter, text)
    text = _REWRITTEN_WORD.sub(_unelongate, text)
    pattern = _lexicon_pattern(lexicon)
    if pattern is not None:
        spoken = {word.casefold(): said for word, said in lexicon}
        text = pattern.sub(lambda m: spoken[m.group(0).casefold()], text)
    return _STRAY_MARKS.sub(" ", text)


def _squeezed(run: str) -> str:
    """One space for any run of white space, keeping one at either end if there was one."""
    core = " ".join(run.split())
    if not core:
        return " " if run else ""
    return (" " if run[0].isspace() else "") + core + (" " if run[-1].isspace() else "")


def _with_emphasis(piece: str, lexicon: tuple[tuple[str, str], ...]) -> Spoken:
    """The piece said for the ear, emphasis markers dropped and their stretches recorded."""
    runs: list[tuple[str, bool]] = []
    cursor = 0
    for match in _EMPHASIS.finditer(piece):
        runs.append((piece[cursor : match.start()], False))
        runs.append((match.group("star") or match.group("under") or match.group("dash"), True))
        cursor = match.end()
    runs.append((piece[cursor:], False))
    text, spans = "", []
    for run, emphasised in runs:
        spoken = _squeezed(say(run, lexicon))
        if spoken.startswith(" ") and (not text or text.endswith(" ")):
            spoken = spoken[1:]
        if emphasised and spoken.strip():
            start = len(text) + len(spoken) - len(spoken.lstrip())
            spans.append((start, len(text) + len(spoken.rstrip())))
        text += spoken
    return Spoken(text.rstrip(), tuple(spans))


def for_the_ear(sentence: str, lexicon: tuple[tuple[str, str], ...] = ()) -> list[Spoken]:
    """The pieces of one sentence as the engine should hear them, to be read with a pause between."""
    pieces = []
    for part in _PAUSE.split(sentence):
        spoken = _with_emphasis(part, lexicon)
        if any(ch.isalnum() for ch in spoken.text):
            pieces.append(spoken)
    return pieces
