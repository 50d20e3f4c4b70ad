"""Cast discovery: the characters of a story nobody listed, with their other names and gender.

A capitalised name counts as a character when the text shows it speaking (next to a speech verb),
gives it an honorific (Mr. Darcy, Miss Bennet), addresses it inside a quote ("Tara, wait"), or makes
it the subject of actions ("Buffy feels a tear"), unless it reads as a place or a time ("at Longbourn",
"on Sunday") or a common word ("an American"). A name mostly given with "the" goes by it ("The Queen").
Names that are forms of one another are grouped when the text shows it: "Mr. Darcy" with "Darcy" (unless
several people share the surname), "Elizabeth" with "Elizabeth Bennet". Gender comes from honorifics
and titles, from the pronouns that follow the name, from gendered nouns beside it ("her brother Tom")
and from the pronoun tags of answers to quotes addressing it. Every step is one pass over the text.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

import yaml

from .names import HONORIFICS, NOT_NAMES, NOTHING
from .config import AttributionRules
from .model import Character
from .structure import is_hard_wrapped, split_paragraphs

_MALE_HONORIFICS = frozenset(
    "Mr Mister Sir Lord Uncle Father Captain Colonel King Prince Duke Master Count Baron Earl Monsieur Signor "
    "Senor Herr Don Brother".split()
)
_FEMALE_HONORIFICS = frozenset(
    "Mrs Ms Miss Lady Madam Aunt Mother Queen Princess Duchess Mistress Countess Baroness Madame Mme Mademoiselle "
    "Mlle Signora Signorina Senora Senorita Frau Fraulein Sister".split()
)
_WORD = r"[A-Z][a-z]+(?:[-'\u2019][A-Z][a-z]+)?"  # Tara, Mary-Jane, O'Brien; not Don't or Tara's
# The lookahead rejects at once what cannot start a name, so that a story of a million quote marks
# is not tried against every honorific at each of them.
_NAME = rf"(?=[A-Z])(?:{HONORIFICS}\.?\s+)?{_WORD}(?:\s+{_WORD})?"
_QUOTE_CLOSE = "[\"\u201d\u2019]"
_QUOTE_OPEN = "[\"\u201c\u2018]"
_NOT_VERBS = "(?:and|or|nor|of|the|a|an|to|in|at|on|by|for|with|from|is|was|has|had|who|which|that|but|as|if)"
_EVIDENCE_NEEDED = 2  # sightings (honorific, vocative, action, mention) a name needs without a speech tag
_PLACE_SHARE = 0.25  # of a name's mentions after "at", "in"… that make it a place
_DOMINANT = 3  # how many times more often one honorific form must occur to own the bare surname
_SUBJECT_PRONOUNS = frozenset({"he", "she"})
_SUBJECT_VOTE = 2  # a subject pronoun after a name counts this many times an object or possessive one
_PRONOUN_WINDOW = 80  # characters after a name searched for the pronoun that refers back to it
_GENDER_MARGIN = 2  # pronoun votes one gender needs over the other…
_GENDER_RATIO = 2  # …or how many times the other's it needs


@dataclass(frozen=True)
class Discovered:
    character: Character
    mentions: int  # how often the text names the character, by any of its names


def discover_cast(text: str, rules: AttributionRules) -> list[Discovered]:
    """The characters the story shows, most often named first."""
    verbs = "|".join(sorted(map(re.escape, rules.speech_verbs), key=len, reverse=True))
    if not verbs:
        return []
    speaking = Counter()
    for pattern in (
        rf"{_QUOTE_CLOSE}\s*,?\s*(?=\w)(?:{verbs})\s+(?P<name>{_NAME})",  # "…," said Tara
        rf"{_QUOTE_CLOSE}\s*,?\s*(?P<name>{_NAME})\s+(?:\w+ly\s+)?(?:{verbs})\b",  # "…," Tara said
        rf"(?:^|[.!?]\s+)(?P<name>{_NAME})\s+(?:\w+ly\s+)?(?:{verbs})\b[^.!?\"\u201c]{{0,40}}[,:]\s*{_QUOTE_OPEN}",
    ):
        speaking.update(_names(re.finditer(pattern, text, re.MULTILINE)))
    addressed = Counter(_names(re.finditer(rf"{_QUOTE_OPEN}(?P<name>{_NAME}),", text)))
    addressed.update(_names(re.finditer(rf",\s+(?P<name>{_NAME})[.!?]{_QUOTE_CLOSE}", text)))
    honoured = Counter(_names(re.finditer(rf"\b(?P<name>{HONORIFICS}\.?\s+{_WORD}(?:\s+{_WORD})?)", text)))
    # "Buffy feels a tear", "Spike looked away": a name as the subject of an action
    acting = Counter(_names(re.finditer(rf"(?<![\w.])(?P<name>{_NAME})\s+(?:\w+ly\s+)?(?!{_NOT_VERBS}\b)[a-z]+\b", text)))

    evidence = speaking + addressed + honoured + acting
    candidates = {n for n in evidence if _plausible(n, rules)}
    if not candidates:
        return []
    counts = _mention_counts(text, candidates)
    # "at Longbourn", "in Hertfordshire", "through the Haunted Wood": a name that often follows these
    # is a place; "on Sunday", "last June": a time.
    placed = Counter(_names(re.finditer(
        rf"\b(?:(?:at|on|since|until|till|last|next|every)\s+|(?:in|into|near|from|through|across|along|past)\s+(?:the\s+)?)"
        rf"(?P<name>{_NAME})(?![\w'\u2019])", text)))
    # "an American", "some American", "a little English": a word after an article or a quantifier is a
    # common noun or an adjective, unless the story then gives it as a title ("a Heron", "the Heron").
    determined = Counter(_names(re.finditer(
        rf"\b(?:a|an|its|their|these|those|some|every)\s+(?:[a-z]+\s+)?"
        rf"(?P<name>{_NAME})(?![\w'\u2019])", text)))
    # Words the story also writes in lower case ("Come, now", "Don't") are ordinary words; a name of
    # several ("the Grey Lady") is judged whole, as its last word alone ("lady") may be common.
    lower = Counter(m.group(0) for m in re.finditer(r"\b[a-z][a-z']+\b", text))
    lower.update(_mention_counts(text, {n.lower() for n in candidates if " " in _bare(n)}))
    # Names turn up inside sentences ("said Tara", "to Spike", '"Wait," Tara said'); "Yeah" and
    # "Because" only open them.
    inside = _mention_counts(text, candidates, after=r"(?<=[a-z,;:\"\u201d\u2019] )")
    # "the Queen", "the Night Porter": a name the story mostly gives with "the" goes by it.
    titles = _mention_counts(text, {n for n in candidates if _bare(n) == n}, after=r"(?<=\b[Tt]he\s)")
    titled = {n for n in candidates if titles[n] * 2 > counts[n]}
    common = {n: determined[n] if _bare(n) == n and n not in titled else 0 for n in candidates}
    candidates = {
        n for n in candidates
        if evidence[n] and counts[n] >= _EVIDENCE_NEEDED and inside[n]
        and (_bare(n) != n or lower[n.lower()] < counts[n])
        and placed[n] + common[n] < counts[n] * _PLACE_SHARE
    }
    if not candidates:
        return []
    genders = _genders(text, candidates, rules)
    groups = _group_aliases(candidates, counts, genders)
    found = []
    for members in groups:
        name = max(members, key=lambda n: (counts[n], len(n)))
        votes = Counter()
        for member in members:
            votes.update(genders[member])
        if name in titled:
            members, name = members | {f"The {name}"}, f"The {name}"
        found.append(
            Discovered(
                Character(name=name, aliases=tuple(sorted(members - {name})), gender=_gender(votes)),
                sum(counts[m] for m in members),
            )
        )
    found.sort(key=lambda d: (-d.mentions, d.character.name))
    return found


def _names(matches) -> list[str]:
    return [" ".join(m.group("name").split()) for m in matches]


def _plausible(name: str, rules: AttributionRules) -> bool:
    words = name.split()
    pronouns = {p.lower() for p in rules.male_pronouns + rules.female_pronouns + rules.first_person_pronouns}
    if re.fullmatch(HONORIFICS + r"\.?", words[0]) and len(words) == 1:
        return False
    return not any(w in NOT_NAMES or w.lower() in pronouns for w in words)


def _mention_counts(text: str, candidates: set[str], after: str = "") -> Counter:
    """How often each name occurs (only where ``after``, a lookbehind, allows)."""
    if not candidates:
        return Counter()
    pattern = "|".join(r"\s+".join(map(re.escape, n.split())) for n in sorted(candidates, key=len, reverse=True))
    # The lookahead rejects at once the places no name starts at, before the alternation is tried.
    initials = "".join(sorted({re.escape(n[0]) for n in candidates}))
    found = re.finditer(rf"(?=[{initials}]){after}(?<![\w.])(?:{pattern})(?!\w)", text)
    return Counter(" ".join(m.group(0).split()) for m in found)


def _bare(name: str) -> str:
    """The name without its honorific: "Mr. Darcy" -> "Darcy"."""
    return re.sub(rf"^{HONORIFICS}\.?\s+", "", name)


def _group_aliases(candidates: set[str], counts: Counter, genders: dict[str, Counter]) -> list[set[str]]:
    """Names that stand for one person, as far as the text shows it."""
    parent = {n: n for n in candidates}

    def root(n: str) -> str:
        while parent[n] != n:
            n = parent[n]
        return n

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    # A surname carried by several honorifics (Mr. Bennet, Mrs. Bennet) names nobody in particular.
    honorifics_of = defaultdict(set)
    for n in candidates:
        if _bare(n) != n:
            honorifics_of[_bare(n).split()[-1]].add(n.split()[0])
    def owns_surname(n: str) -> bool:
        """Mr. Darcy owns "Darcy" when no one else is called that, or far less often (Miss Darcy).
        When Mr. and Mrs. Hall share it, the pronouns after "Hall" alone say whose it is."""
        rivals = [m for m in candidates if m != n and _bare(m) != m and _bare(m).split()[-1] == _bare(n).split()[-1]]
        if {"male", "female"} <= {_honorific_gender(m) for m in (n, *rivals)}:
            said = _gender(genders.get(_bare(n), Counter()))
            unlike = {"male": "female", "female": "male"}.get(said)
            if _honorific_gender(n) == unlike:
                return False
            rivals = [m for m in rivals if _honorific_gender(m) != unlike]
        return all(counts[n] >= _DOMINANT * counts[m] for m in rivals)

    ending_with = Counter(n.split()[-1] for n in candidates if len(n.split()) > 1)
    for n in candidates:
        bare = _bare(n)
        if bare != n and bare in candidates and owns_surname(n):
            join(n, bare)  # "Mr. Darcy" and "Darcy"
        words = bare.split()
        if len(words) == 2:
            first, last = words
            if first in candidates:
                join(n, first)  # "Elizabeth Bennet" and "Elizabeth"
            if last in candidates and bare == n and not honorifics_of[last] and ending_with[last] == 1:
                join(n, last)  # "White Rabbit" and "Rabbit"
    groups = defaultdict(set)
    for n in candidates:
        groups[root(n)].add(n)
    return list(groups.values())


def _genders(text: str, candidates: set[str], rules: AttributionRules) -> dict[str, Counter]:
    """Per name: votes for male and female, from its honorific, the pronoun that follows it, and the
    pronoun tags of answers to it."""
    male = {p.lower() for p in rules.male_pronouns} | {"his"}
    female = {p.lower() for p in rules.female_pronouns}
    votes: dict[str, Counter] = {n: Counter() for n in candidates}
    for n in candidates:
        if _honorific_gender(n) != "unknown":
            votes[n][_honorific_gender(n)] += 10
    names = "|".join(r"\s+".join(map(re.escape, n.split())) for n in sorted(candidates, key=len, reverse=True))
    pronoun = re.compile(r"\b(?:" + "|".join(map(re.escape, male | female)) + r")\b", re.IGNORECASE)
    mentions = list(re.finditer(rf"(?<![\w.])(?P<name>{names})(?!\w)", text))
    for m, following in zip(mentions, mentions[1:] + [None]):
        # The first pronoun after a name, before anyone else is named or a quote opens, most often
        # refers back to it: "Margaret said. She put down her book."
        end = min(m.end() + _PRONOUN_WINDOW, following.start() if following else len(text))
        rest = re.split("[\"\u201c\u201d]", text[m.end() : end], maxsplit=1)[0]
        found = pronoun.search(rest)
        if found:
            word = found.group(0).lower()
            # "Spike took her hand": "her", "him" and "his" after a name are often someone else, "she"
            # and "he" most often the one just named.
            votes[" ".join(m.group("name").split())]["male" if word in male else "female"] += (
                _SUBJECT_VOTE if word in _SUBJECT_PRONOUNS else 1
            )
    # "Spike, the old man," / "her brother Tom": a noun that says a gender set beside the name
    nouns = {n.lower(): "male" for n in rules.male_nouns} | {n.lower(): "female" for n in rules.female_nouns}
    noun = "|".join(sorted(map(re.escape, nouns), key=len, reverse=True)) or NOTHING
    apposed = re.compile(
        rf"(?<![\w.])(?P<name>{names}),\s+(?:the|a|an|his|her|my|their|our|your)\s+(?:[a-z-]+\s+){{0,2}}(?P<noun>{noun})\b"
        rf"|\b(?i:the|his|her|my|their|our|your)\s+(?:[a-z-]+\s+){{0,2}}(?P<noun2>{noun}),?\s+(?P<name2>{names})(?!\w)"
    )
    for m in apposed.finditer(text):
        name = " ".join((m.group("name") or m.group("name2")).split())
        votes[name][nouns[(m.group("noun") or m.group("noun2")).lower()]] += _SUBJECT_VOTE
    for name, pronoun in _answers(text, names, rules, male | female):
        votes[name]["male" if pronoun in male else "female"] += _SUBJECT_VOTE
    return votes


def _answers(text: str, names: str, rules: AttributionRules, pronouns: set[str]) -> list[tuple[str, str]]:
    """(name, pronoun) for each quote addressing someone by name that the next paragraph answers under
    a pronoun tag: "Everyone gets lost, Tam." / "I didn't," he mutters. The one addressed answers,
    and the tag of the answer says whether they are a he or a she."""
    verbs = "|".join(sorted(map(re.escape, rules.speech_verbs), key=len, reverse=True))
    subjects = "|".join(sorted(map(re.escape, pronouns & _SUBJECT_PRONOUNS)))
    if not subjects or not verbs:
        return []
    answer = re.compile(
        rf"{_QUOTE_OPEN}[^\"\u201c\u201d]*{_QUOTE_CLOSE}\s*,?\s*(?P<pronoun>{subjects})\s+(?:\w+ly\s+)?(?:{verbs})\b",
        re.IGNORECASE,
    )
    quote = re.compile(r"[\"\u201c]([^\"\u201c\u201d]*)[\"\u201d]")
    # A name opening the words or set off by a comma: "Spike, it's okay", "mistakes, Spike. You're…"
    vocative = re.compile(rf"(?:^|,\s+)(?P<name>{names})(?=\s*(?:[,.!?;\u2014-]|$))")
    paragraphs = split_paragraphs(text, 0, len(text), is_hard_wrapped(text))
    found = []
    for said, reply in zip(paragraphs, paragraphs[1:]):
        answered = answer.match(text, reply.start, reply.end)
        addressed = [m.group("name") for q in quote.finditer(text, said.start, said.end) for m in vocative.finditer(q.group(1))]
        if answered and addressed:
            found.append((" ".join(addressed[-1].split()), answered.group("pronoun").lower()))
    return found


def _honorific_gender(name: str) -> str:
    """ "male" for Mr. Hall, "female" for Mrs. Hall, else "unknown"."""
    honorific, _, rest = name.partition(" ")
    if rest and honorific.rstrip(".") in _MALE_HONORIFICS:
        return "male"
    if rest and honorific.rstrip(".") in _FEMALE_HONORIFICS:
        return "female"
    return "unknown"


def _gender(votes: Counter) -> str:
    for gender, other in (("male", "female"), ("female", "male")):
        # Few votes can still be clear: one "she" and one "her" against one "his" ("Buffy can see the
        # tears in his eyes" is about someone else).
        clear = votes[gender] > 1 and votes[gender] >= _GENDER_RATIO * votes[other]
        if votes[gender] >= votes[other] + _GENDER_MARGIN or clear:
            return gender
    return "unknown"


def with_discovered(
    configured: tuple[Character, ...], discovered: list[Discovered], narrator: str | None = None
) -> tuple[Character, ...]:
    """The configured characters, then the discovered ones that voices.yaml does not already name.

    Names in voices.yaml always win: a discovered name that a configured character uses is dropped.
    A first-person narrator's character also takes the names the others call them by ("Sam" or
    "Reed" when the narrator is Sam Reed), whatever else voices.yaml says of them.
    """
    if narrator and any(c.name == narrator for c in configured):
        configured, discovered = _with_narrator(configured, discovered, narrator)
    taken = {n.casefold() for c in configured for n in c.names}
    added = []
    for d in discovered:
        names = [n for n in d.character.names if n.casefold() not in taken]
        if d.character.name.casefold() in taken or not names:
            continue
        taken.update(n.casefold() for n in names)
        added.append(Character(names[0], tuple(names[1:]), d.character.gender))
    return (*configured, *added)


def _with_narrator(
    configured: tuple[Character, ...], discovered: list[Discovered], narrator: str
) -> tuple[tuple[Character, ...], list[Discovered]]:
    """The narrator's character with the discovered names that are their name, first name or surname."""
    words = _bare(narrator).split()
    own = {narrator, _bare(narrator), words[0], words[-1]}

    def is_theirs(name: str) -> bool:
        # "Monsieur Reed" too: a title and their surname
        return _bare(name) in own or (_honorific_gender(name) != "unknown" and name.split()[-1] == words[-1])

    theirs = [d for d in discovered if any(map(is_theirs, d.character.names))]
    if not theirs:
        return configured, discovered
    aliases = {n for d in theirs for n in d.character.names} - {narrator}
    # Not their gender: "he" in a first-person story is never the narrator, so it must not find them.
    replaced = tuple(
        replace(c, aliases=tuple(sorted(aliases | set(c.aliases)))) if c.name == narrator else c
        for c in configured
    )
    return replaced, [d for d in discovered if d not in theirs]


def cast_block(
    text: str, configured: tuple[Character, ...], rules: AttributionRules, narrator: str | None = None
) -> list[str]:
    """A ready-to-edit ``characters:`` block: the configured characters and those discovered, most
    often named first, each with its mention count as a comment."""
    discovered = discover_cast(text, rules)
    characters = with_discovered(configured, discovered, narrator)
    counts = _mention_counts(text, {n for c in characters for n in c.names}) if characters else Counter()
    total = {c.name: sum(counts[" ".join(n.split())] for n in c.names) for c in characters}
    lines = ["characters:"]
    for character in sorted(characters, key=lambda c: (-total[c.name], c.name)):
        lines.append(f"  {_yaml_text(character.name)}:  # {total[character.name]} mentions")
        lines.append(f"    aliases: [{', '.join(map(_yaml_text, character.aliases))}]")
        lines.append(f"    gender: {character.gender}")
        if character.voice is not None:
            voice = character.voice
            if voice.id:
                lines.append(f"    voice: {voice.id}")
            lines.append(f"    rate: {voice.rate}")
            lines.append(f"    pitch: {voice.pitch}")
            lines.append(f"    volume: {voice.volume}")
    return lines


def _yaml_text(name: str) -> str:
    """A name as YAML reads it back as the same text ("No" and "1984" need quotes)."""
    plain = yaml.safe_load(name) if re.fullmatch(r"[\w .'-]+", name) else None
    return name if plain == name else json.dumps(name, ensure_ascii=False)
