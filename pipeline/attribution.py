"""Who speaks each quote: a sieve of small named rules, most confident first.

Each rule looks at one quote in its paragraph and either names a speaker or passes. Rules read their
words (speech verbs, pronouns) from the ``attribution`` section of voices.yaml. The name of the rule
that decided is kept with the segment, so ``script`` output can be explained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .config import AttributionRules
from .model import Character
from .quotes import Quote

HONORIFICS = r"(?:Mr|Mrs|Ms|Miss|Dr|Mister|Professor|Aunt|Uncle|Lady|Lord|Sir|Madam|Captain|Colonel|Father|Mother)"
# Capitalised words that start sentences but are never a speaker's name.
_NOT_NAMES = frozenset(
    "I He She It We They You His Her Its Our Their My Your The A An This That These Those There Here Then "
    "But And Or So If When While As After Before Now Still Yet Just Even Not No Yes Oh Well What Who Why "
    "How Where Which Maybe Perhaps Again Once Soon God Hey Okay Ok Sorry Please Thanks Both All Some "
    "Everyone Someone Nobody Somebody Everybody One Another Each Instead Finally Suddenly Meanwhile "
    "Chapter Part Book Mom Dad Mum By Afraid Sometimes Tonight Today Later Like".split()
)


_POSSESSIVE_GENDER = {"his": "male", "her": "female"}
_NOTHING = r"(?!x)x"  # an alternation of no words: matches nothing


@dataclass(frozen=True)
class QuoteInContext:
    """A quote with the narration around it inside its paragraph."""

    quote: Quote
    paragraph: int  # index among the story's paragraphs
    before: tuple[int, int]  # narration from the previous quote (or paragraph start) to this one
    after: tuple[int, int]  # narration from this quote to the next (or paragraph end)
    continues: bool  # carries on a quote left open at the end of the previous paragraph


@dataclass(frozen=True)
class Attribution:
    speaker: str | None
    rule: str | None


class Names:
    """The characters the text may name, found by name or alias, plus names met in speech tags."""

    def __init__(self, characters: tuple[Character, ...], rules: AttributionRules):
        self.canonical: dict[str, str] = {}
        self.gender: dict[str, str] = {}
        for character in characters:
            self.gender[character.name] = character.gender
            for name in character.names:
                self.canonical[name] = character.name
        self.pronoun_gender = {p.lower(): "male" for p in rules.male_pronouns}
        self.pronoun_gender.update({p.lower(): "female" for p in rules.female_pronouns})
        self.configured = frozenset(self.gender)
        self._compile()

    def _compile(self) -> None:
        known = sorted(self.canonical, key=len, reverse=True)
        known_pattern = "|".join(re.escape(n) for n in known) or _NOTHING
        self.known = re.compile(rf"(?<![\w.])(?:{known_pattern})(?!\w)")
        self.any_name = rf"(?:{known_pattern}|{HONORIFICS}\.? [A-Z][a-z]+|[A-Z][a-z]+)"

    def resolve(self, word: str, discover: bool) -> str | None:
        """The character a name stands for; with ``discover``, an unknown capitalised word joins the cast."""
        word = " ".join(word.split())
        if word in self.canonical:
            return self.canonical[word]
        if not discover or word.split()[0] in _NOT_NAMES or word.lower() in self.pronoun_gender:
            return None
        self.canonical[word] = word
        self.gender.setdefault(word, "unknown")
        self._compile()
        return word

    def discovered(self) -> list[str]:
        """Speakers found in speech tags that voices.yaml does not list, in order of discovery."""
        return [name for name in self.gender if name not in self.configured]


class Mentions:
    """Where each character was last named (or last spoke), to resolve "she said"."""

    def __init__(self, names: Names):
        self.names = names
        self.recent: list[str] = []  # most recent last

    def saw(self, name: str) -> None:
        if name in self.recent:
            self.recent.remove(name)
        self.recent.append(name)

    def scan(self, text: str, start: int, end: int) -> None:
        for match in self.names.known.finditer(text, start, end):
            self.saw(self.names.canonical[match.group(0)])

    def latest(self, gender: str) -> str | None:
        """The last-named character of this gender; before any is named, the only one there is."""
        for name in reversed(self.recent):
            if self.names.gender.get(name) == gender:
                return name
        of_gender = [name for name, g in self.names.gender.items() if g == gender]
        if len(of_gender) == 1:
            return of_gender[0]
        for name in reversed(self.recent):
            if self.names.gender.get(name) == "unknown":
                return name
        return None


def _tag_patterns(rules: AttributionRules, names: Names):
    verbs = "|".join(sorted((re.escape(v) for v in rules.speech_verbs + rules.thought_verbs), key=len, reverse=True))
    verbs = verbs or _NOTHING
    pronouns = "|".join(re.escape(p) for p in names.pronoun_gender) or _NOTHING
    who = rf"(?P<who>{names.any_name}|(?i:{pronouns}))"
    adverb = r"(?:\w+ly\s+)?"
    return {
        # "…," said Tara / "…," said he
        "tag_after_verb_first": re.compile(rf"\s*[,\u2014\-]?\s*(?:{verbs})\s+{who}(?!\w)"),
        # "…," Tara said / "…," she asks quietly
        "tag_after": re.compile(rf"\s*[,\u2014\-]?\s*{who}\s+{adverb}(?:{verbs})(?!\w)"),
        # "…" Tara nods. / "…" She turns away. / "…" His voice cracks.: the speaker's own action beat
        "action_after": re.compile(
            rf"\s*[,\u2014\-]?\s*(?:{who}(?:'s|\u2019s)?\s+{adverb}[a-z]+|(?P<whose>(?i:his|her))\s+voice\b)"
        ),
        # Tara said, "…" / Then she asked: "…"
        "tag_before": re.compile(rf"{who}\s+{adverb}(?:{verbs})\b[^.!?\"\u201c\u201d]{{0,40}}[,:]?\s*$"),
        # Buffy turned and handed her something, "…" / Willow jumped. "…": the subject of the
        # sentence just before the quote, finished or not
        "action_before": re.compile(
            rf"(?:^|[.!?\u2026]\s+|\n){who}\b[^.!?\"\u201c\u201d]*[.!?\u2026]?\s*$"
        ),
    }


def attribute(text: str, quotes: list[QuoteInContext], names: Names, rules: AttributionRules) -> list[Attribution]:
    """A speaker (or None) for every quote, in order."""
    patterns = _tag_patterns(rules, names)
    mentions = Mentions(names)
    found: list[Attribution] = [Attribution(None, None)] * len(quotes)

    def who(match: re.Match, discover: bool = True) -> str | None:
        """The speaker a tag names. Only speech-verb tags may add a name the cast lacks: an action
        beat's capitalised first word is too often not a name ("Afraid he'd…")."""
        if match.groupdict().get("whose"):
            return mentions.latest(_POSSESSIVE_GENDER[match.group("whose").lower()])
        word = match.group("who")
        gender = names.pronoun_gender.get(word.lower())
        return mentions.latest(gender) if gender else names.resolve(word, discover)

    def explicit(q: QuoteInContext) -> Attribution | None:
        inner_end = text[q.quote.start : q.quote.end].rstrip()
        ends_sentence = inner_end.endswith(".") and not inner_end.endswith("..")
        for rule in ("tag_after_verb_first", "tag_after"):
            match = patterns[rule].match(text, q.after[0], q.after[1])
            if match and not ends_sentence:
                return Attribution(who(match), rule)
        match = patterns["tag_before"].search(text, q.before[0], q.before[1])
        if match:
            return Attribution(who(match), "tag_before")
        return None

    def beat(q: QuoteInContext) -> Attribution | None:
        match = patterns["action_after"].match(text, q.after[0], q.after[1])
        if match:
            return Attribution(who(match, discover=False), "action_after")
        # Searched in a slice: "^" must mean the start of this narration, not of the story.
        match = patterns["action_before"].search(text[q.before[0] : q.before[1]])
        if match:
            return Attribution(who(match, discover=False), "action_before")
        return None

    # Pass 1, in reading order so pronouns see the names before them: tags and action beats.
    scanned_to = 0  # narration is scanned for names up to here; quoted words name addressees, not speakers
    for i, q in enumerate(quotes):
        mentions.scan(text, scanned_to, q.quote.open_start)
        scanned_to = q.quote.close_end
        for rule in (explicit, beat):
            attribution = rule(q)
            if attribution and attribution.speaker:
                found[i] = attribution
                break
        if found[i].speaker:
            mentions.saw(found[i].speaker)

    _same_paragraph(quotes, found)
    if rules.turn_taking:
        _turn_taking(quotes, found)
    _continued_quotes(quotes, found)
    _introduced_by_narration(text, quotes, found, patterns, names)
    _continued_quotes(quotes, found)
    return found


def _continued_quotes(quotes: list[QuoteInContext], found: list[Attribution]) -> None:
    """A quote carried over from the previous paragraph keeps that paragraph's speaker."""
    for i, q in enumerate(quotes):
        if q.continues and not found[i].speaker and i and found[i - 1].speaker:
            found[i] = Attribution(found[i - 1].speaker, "continued_quote")


def _introduced_by_narration(text, quotes, found, patterns, names: Names) -> None:
    """An untagged quote opening a paragraph right after narration about a character is theirs.

    ("Nell cleared her throat." then a paragraph of speech.) Only a named subject counts, and only
    when the paragraph before held no speech, so that exchanges are left to turn-taking.
    """
    previous_quote_paragraph = -2
    for i, q in enumerate(quotes):
        first_in_paragraph = q.paragraph != previous_quote_paragraph
        gap_is_narration = q.paragraph - previous_quote_paragraph >= 2
        previous_quote_paragraph = q.paragraph
        if found[i].speaker or not first_in_paragraph or not gap_is_narration or q.before[0] != q.quote.open_start:
            continue
        lead = text[max(0, q.quote.open_start - 400) : q.quote.open_start].rstrip()
        if not lead or lead[-1] not in ".!?\u2026":
            continue
        match = patterns["action_before"].search(lead[: -1])
        if match and match.group("who").lower() not in names.pronoun_gender:
            speaker = names.resolve(match.group("who"), discover=False)
            if speaker:
                found[i] = Attribution(speaker, "introduced_by_narration")


def _same_paragraph(quotes: list[QuoteInContext], found: list[Attribution]) -> None:
    """An untagged quote shares the speaker of a tagged one in its paragraph, or of the quote it continues."""
    for i, q in enumerate(quotes):
        if found[i].speaker:
            continue
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(quotes) and quotes[j].paragraph == q.paragraph]
        for j in neighbours:
            if found[j].speaker and found[j].rule != "same_paragraph":
                found[i] = Attribution(found[j].speaker, "same_paragraph")
                break


_CONVERSATION_GAP = 2  # paragraphs without speech that end a conversation


def _turn_taking(quotes: list[QuoteInContext], found: list[Attribution]) -> None:
    """In a two-person exchange, untagged paragraphs of speech alternate between the two."""
    # One entry per paragraph with speech: (paragraph number, index of its first quote).
    turns: list[tuple[int, int]] = []
    for i, q in enumerate(quotes):
        if not turns or turns[-1][0] != q.paragraph:
            turns.append((q.paragraph, i))

    def speaker_of_turn(t: int) -> str | None:
        paragraph, i = turns[t]
        while i < len(quotes) and quotes[i].paragraph == paragraph:
            if found[i].speaker:
                return found[i].speaker
            i += 1
        return None

    def fill_turn(t: int, speaker: str) -> None:
        paragraph, i = turns[t]
        while i < len(quotes) and quotes[i].paragraph == paragraph:
            if quotes[i].continues and t and speaker_of_turn(t - 1):
                speaker = speaker_of_turn(t - 1)
            found[i] = Attribution(speaker, "turn_taking")
            i += 1

    def adjacent(t: int, u: int) -> bool:
        return abs(turns[t][0] - turns[u][0]) <= _CONVERSATION_GAP + 1 and 0 <= min(t, u)

    for _ in range(2):  # a second sweep fills turns whose neighbours the first sweep decided
        for t in range(len(turns)):
            if speaker_of_turn(t):
                continue
            for a, b in ((t - 2, t - 1), (t + 2, t + 1)):
                if not (0 <= a < len(turns) and 0 <= b < len(turns)):
                    continue
                if not (adjacent(a, b) and adjacent(b, t)):
                    continue
                two_back, one_back = speaker_of_turn(a), speaker_of_turn(b)
                if two_back and one_back and two_back != one_back:
                    fill_turn(t, two_back)
                    break
