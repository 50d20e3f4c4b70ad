"""The characters a story may name: their names, aliases and descriptions, and whom the narration is about.

``Names`` knows every name and alias in the cast (and names met later in speech tags); ``Mentions``
follows the narration to say whom "she" or "the old man" means at a given point.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Collection

from .config import AttributionRules
from .model import Character

HONORIFICS = r"(?:Mr|Mrs|Ms|Miss|Dr|Mister|Professor|Aunt|Uncle|Lady|Lord|Sir|Madam|Captain|Colonel|Father|Mother)"
# Capitalised words that start sentences but are never a speaker's name.
NOT_NAMES = frozenset(
    "I He She It We They You His Her Its Our Their My Your The A An This That These Those There Here Then "
    "But And Or So If When While As After Before Now Still Yet Just Even Not No Yes Oh Well What Who Why "
    "How Where Which Maybe Perhaps Again Once Soon God Hey Okay Ok Sorry Please Thanks Both All Some "
    "Everyone Someone Nobody Somebody Everybody One Another Each Instead Finally Suddenly Meanwhile "
    "Chapter Part Book Mom Dad Mum By Afraid Sometimes Tonight Today Later Like "
    "On In At To For From With Without Into Upon Through Though Although Because Since Until Very".split()
)


POSSESSIVE_GENDER = {"his": "male", "her": "female", "my": "narrator"}
_SPOUSES = {"wife": ("Mr", "Mrs"), "lady": ("Mr", "Mrs"), "husband": ("Mrs", "Mr")}  # his/her honorific
_ELDERS = {"father": "Mr", "mother": "Mrs", "uncle": "Mr", "aunt": "Mrs"}  # the honorific they go by
STYLES = {"ladyship": "lady", "lordship": "lord"}  # "her ladyship" is a Lady, "his lordship" a Lord
NOTHING = r"(?!x)x"  # an alternation of no words: matches nothing
NARRATOR_PERSON = "narrator"  # the "gender" of first-person pronouns: they stand for the narrator
_ARTICLES = ("the", "a", "an")
_DETERMINERS = r"(?:the|his|her|my|their|our|a|an|this|that|its)"


class Names:
    """The characters the text may name, found by name or alias, plus names met in speech tags."""

    def __init__(
        self, characters: tuple[Character, ...], rules: AttributionRules, narrator_character: str | None = None
    ):
        self.canonical: dict[str, str] = {}
        self.gender: dict[str, str] = {}
        for character in characters:
            self.gender[character.name] = character.gender
            for name in character.names:
                self.canonical[name] = character.name
        # Descriptions ("his sister", "the Queen") are looked up without regard to case.
        self.folded = {name.casefold(): canonical for name, canonical in self.canonical.items()}
        self.pronoun_gender = {p.lower(): "male" for p in rules.male_pronouns}
        self.pronoun_gender.update({p.lower(): "female" for p in rules.female_pronouns})
        self.narrator = self.canonical.get(narrator_character or "")
        if self.narrator:
            self.pronoun_gender.update({p.lower(): NARRATOR_PERSON for p in rules.first_person_pronouns})
        self.noun_gender = {n.lower(): "male" for n in rules.male_nouns}
        self.noun_gender.update({n.lower(): "female" for n in rules.female_nouns})
        self.noun_gender.update({n.lower(): "unknown" for n in rules.person_nouns})
        self.configured = frozenset(self.gender)
        # "his face", "her voice": what of a character's stands for them ("Ida's face fell.")
        self.speaker_parts = frozenset(p.lower() for p in rules.speaker_parts)
        # "Count Orlov", "Inspector Lark": "the count", "the inspector" in a tag is one of them.
        self.titled: dict[str, set[str]] = {}
        for name, canonical in self.canonical.items():
            title, _, rest = name.partition(" ")
            if rest and title[:1].isupper() and not re.fullmatch(_DETERMINERS, title, re.IGNORECASE):
                self.titled.setdefault(title.rstrip(".").casefold(), set()).add(canonical)
        self._compile()

    def _compile(self) -> None:
        known = sorted(self.canonical, key=len, reverse=True)
        # Hard-wrapped text may break a name across lines: "Sir\nRowan".
        known_pattern = "|".join(r"\s+".join(map(re.escape, n.split())) for n in known) or NOTHING
        self.known_pattern = known_pattern
        self.known = re.compile(rf"(?<![\w.])(?:{known_pattern})(?!\w)")
        # Narration naming a character, or "I" when the narrator is one: who was last on stage.
        me = r"|\bI\b(?!\.)" if self.narrator else ""
        pronouns = "|".join(re.escape(p) for p in self.pronoun_gender if p != "i")
        pronouns = rf"|\b(?i:{pronouns})\b" if pronouns else ""
        # A description the cast lists, "The Stranger" or "An Old Woman", is "the stranger" or "an old
        # woman" in the narration too.
        listed = "|".join(
            r"\s+".join(map(re.escape, n.split()[1:])) for n in known if " " in n and n.split()[0].lower() in _ARTICLES
        )
        whole = rf"(?:the|an?)\s+(?:{listed})(?!\w)|" if listed else ""
        listed = rf"|(?i:(?:the|an?)\s+(?:{listed}))" if listed else ""
        # "her mother", "his wife": someone the cast may say who is, for the one "her" or "his" means
        kin = "|".join([*_SPOUSES, *_ELDERS, *STYLES])
        relatives = rf"|(?P<relative>(?i:his|her)\s+(?:[a-z]+\s+)?(?:{kin}))"
        self.mentioned = re.compile(rf"(?<![\w.])(?:{known_pattern}{listed}{relatives}){me}{pronouns}(?!\w)")
        # "the old man", "that brisk official", "the station-master": resolved by described()
        # A description the cast lists is read whole, however long: "the woman in the green coat".
        self.description = rf"(?i:{whole}{_DETERMINERS}(?:\s+[a-z][\w-]*){{1,3}})"
        self.any_name = rf"(?:{known_pattern}|{HONORIFICS}\.? [A-Z][a-z]+|[A-Z][a-z]+)"

    def of(self, name: str) -> str:
        """The character a known name (as found in the text) stands for: "the stranger" is "The Stranger"."""
        name = " ".join(name.split())
        return self.canonical.get(name) or self.listed(name)

    def listed(self, phrase: str) -> str | None:
        """The character the cast lists by this description, whatever its article: "a white rabbit"
        when the cast lists "The White Rabbit", "the old woman" for "An Old Woman"."""
        folded = phrase.casefold()
        article, _, rest = folded.partition(" ")
        keys = [folded, *(f"{other} {rest}" for other in _ARTICLES if article in _ARTICLES and rest)]
        return next((self.folded[key] for key in keys if key in self.folded), None)

    def resolve(self, word: str, discover: bool) -> str | None:
        """The character a name stands for; with ``discover``, an unknown capitalised word joins the cast."""
        word = " ".join(word.split())
        if word in self.canonical:
            return self.canonical[word]
        honorific, _, rest = word.partition(" ")
        if rest and re.fullmatch(HONORIFICS + r"\.?", honorific) and rest in self.canonical:
            return self.canonical[rest]  # "Mr. Darcy" when only "Darcy" is listed
        if re.fullmatch(HONORIFICS + r"\.?", word):
            return None  # "Sir" alone is a form of address, not a name
        if not discover or word.split()[0] in NOT_NAMES or word.lower() in self.pronoun_gender:
            return None
        self.canonical[word] = word
        self.gender.setdefault(word, "unknown")
        self._compile()
        return word

    def spouse(self, owner: str, noun: str) -> str | None:
        """ "his wife" when he is Mr. Bennet: Mrs. Bennet, if the cast has her."""
        if noun not in _SPOUSES:
            return None
        for name in (n for n, canonical in self.canonical.items() if canonical == owner):
            honorific, _, surname = name.partition(" ")
            if honorific.rstrip(".") == _SPOUSES[noun][0] and surname:
                for form in (f"{_SPOUSES[noun][1]}. {surname}", f"{_SPOUSES[noun][1]} {surname}"):
                    if form in self.canonical:
                        return self.canonical[form]
        return None

    def elders(self, owner: str | None, noun: str) -> tuple[set[str], set[str]]:
        """Who "her father" or "his aunt" may be, most likely first: the "Mr." or "Mrs." of the
        owner's maiden name ("Miss Hale": Mrs. Hale), then anyone of that honorific whose spouse is
        in the cast too (parents are married couples), but not the owner's own spouse."""
        honorific = _ELDERS.get(noun)
        if not honorific:
            return set(), set()
        own = [name for name, canonical in self.canonical.items() if canonical == owner]
        maiden = {name.partition(" ")[2] for name in own if name.startswith("Miss ")}
        married_to_owner = {self.spouse(owner, partner) for partner in ("husband", "wife")} if owner else set()
        by_surname, married = set(), set()
        for name, canonical in self.canonical.items():
            title, _, surname = name.partition(" ")
            if title.rstrip(".") != honorific or not surname or canonical in (owner, *married_to_owner):
                continue
            if surname in maiden:
                by_surname.add(canonical)
            partner = "Mrs" if honorific == "Mr" else "Mr"
            if f"{partner}. {surname}" in self.canonical or f"{partner} {surname}" in self.canonical:
                married.add(canonical)
        return by_surname, married

    def discovered(self) -> list[str]:
        """Speakers found in speech tags that voices.yaml does not list, in order of discovery."""
        return [name for name in self.gender if name not in self.configured]


_FADE = 0.5  # how much of a mention's weight is left after each sentence
_SUBJECT, _OBJECT = 1.0, 0.5  # the weight of a mention as a subject, and as an object
# Weights of at most _SUBJECT a sentence, fading, never sum past _SUBJECT / (1 - _FADE): a character
# named this many sentences before the last-named one of their gender can no longer outweigh them.
_REACH = math.log(_OBJECT * (1 - _FADE) / _SUBJECT, _FADE)
# Titles whose full stop ends no sentence: "Mrs. Hale".
ABBREVIATED_TITLES = ("Mr", "Mrs", "Ms", "Dr", "St")
# The end of a sentence; not the full stop of "Mrs. Hale".
_NOT_ABBREVIATED = "".join(rf"(?<!\b{word}\.)" for word in ABBREVIATED_TITLES)
SENTENCE_END = re.compile(rf"(?:[!?\u2026]|\.{_NOT_ABBREVIATED})[\"\u201d\u2019']?\s")
_NOMINATIVE = frozenset({"he", "she", "i"})
# Words that make the name after them an oblique, less prominent than a subject: "a letter to Jane".
_PREPOSITIONS = frozenset("about at by for from in into of on to toward towards upon with".split())
_POSSESSIVE = re.compile(r"['\u2019]s\s+([A-Za-z]+)")
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\s+$")


class Mentions:
    """Who was last named (or last spoke), and how prominently, to resolve "she said".

    A pronoun means the most salient character of its gender, not simply the last one named
    (Lappin & Leass 1994): each sentence that mentions them counts, halved with every sentence since,
    twice as much as a subject ("she", a name) as otherwise ("her", "to Jane"). In
    "Elizabeth's mind was eased. She had told Jane everything, and she slept." both "she" are
    Elizabeth, though Jane was named last.
    """

    def __init__(self, names: Names):
        self.names = names
        self.recent: list[str] = []  # most recent last
        # name -> (salience from earlier sentences, weight in its last sentence, which sentence that was)
        self._salience: dict[str, tuple[float, float, int]] = {}
        self._sentence = 0  # sentences read so far

    def saw(self, name: str, weight: float = _SUBJECT) -> None:
        if name in self.recent:
            self.recent.remove(name)
        self.recent.append(name)
        earlier, in_sentence, sentence = self._salience.get(name, (0.0, 0.0, self._sentence))
        if sentence == self._sentence:  # "She clasped her hands": a sentence counts her once, as its subject
            self._salience[name] = (earlier, max(in_sentence, weight), sentence)
        else:
            self._salience[name] = (self.salience(name), weight, self._sentence)

    def salience(self, name: str) -> float:
        earlier, in_sentence, sentence = self._salience.get(name, (0.0, 0.0, self._sentence))
        return (earlier + in_sentence) * _FADE ** (self._sentence - sentence)

    def scan(self, text: str, start: int, end: int) -> list[tuple[int, str]]:
        """Sees the characters named (or meant by a pronoun) in text[start:end]; returns them in order,
        each with where it was named."""
        seen = []
        self._sentence += 1  # the quote before this narration
        sentence_ends = [found.end() for found in SENTENCE_END.finditer(text, start, end)]
        counted = 0
        for match in self.names.mentioned.finditer(text, start, end):
            ended = bisect.bisect_right(sentence_ends, match.start())
            self._sentence += ended - counted
            counted = ended
            word = match.group(0)
            gender = self.names.pronoun_gender.get(word.lower()) if word not in self.names.canonical else None
            if match.group("relative"):
                owner, *_, noun = word.lower().split()
                name = self.relative(self.latest(POSSESSIVE_GENDER[owner]), noun)
            else:
                name = self.latest(gender) if gender else self.names.of(word)
            if name:
                self.saw(name, _SUBJECT if _is_subject(text, match, gender, self.names.speaker_parts) else _OBJECT)
                seen.append((match.start(), name))
        self._sentence += len(sentence_ends) - counted
        return seen

    def relative(self, owner: str | None, noun: str) -> str | None:
        """Whom the cast says is the owner's "father", "aunt" or "wife": of those who may be that elder,
        the one named last (or the only one); else the owner's spouse. "Her ladyship" is no one's
        relative: she is the Lady named last."""
        styled = (self.names.titled.get(STYLES[noun], set()),) if noun in STYLES else ()
        for elders in styled or self.names.elders(owner, noun):
            elder = next((name for name in reversed(self.recent) if name in elders), None)
            if elder or len(elders) == 1:
                return elder or next(iter(elders))
        return self.names.spouse(owner, noun) if owner else None

    def latest(self, gender: str, excluding: Collection[str] = ()) -> str | None:
        """The most salient character of this gender, of equals the last named; before any is named,
        the only one there is."""
        if gender == NARRATOR_PERSON:
            return self.names.narrator
        # A first-person narrator is "I", never "he".
        others = [name for name in reversed(self.recent) if name != self.names.narrator and name not in excluding]
        if gender == "unknown":  # "the stranger said": whoever was last on stage
            return others[0] if others else None
        of_gender = (name for name in others if self.names.gender.get(name) == gender)
        last_named = next(of_gender, None)
        if last_named:
            since = self._salience[last_named][2]
            within_reach = itertools.takewhile(lambda name: since - self._salience[name][2] < _REACH, of_gender)
            return max((last_named, *within_reach), key=self.salience)  # the first of equals: the last named
        of_gender = [
            name for name, g in self.names.gender.items()
            if g == gender and name != self.names.narrator and name not in excluding
        ]
        if len(of_gender) == 1:
            return of_gender[0]
        return next((name for name in others if self.names.gender.get(name) == "unknown"), None)


def _is_subject(text: str, match: re.Match, gender: str | None, parts: Collection[str]) -> bool:
    """Whether a mention counts as the subject of its clause: "she", "he" and "I" do, "her" and "him"
    do not; a name does unless a preposition comes just before it ("a letter to Jane") or it owns
    something other than its face or voice ("Jane's letter"; but "Jane's face fell" is about her)."""
    if gender:
        return match.group(0).lower() in _NOMINATIVE
    possessive = _POSSESSIVE.match(text, match.end())
    if possessive and possessive.group(1).lower() not in parts:
        return False
    before = _WORD_BEFORE.search(text, max(0, match.start() - 20), match.start())
    return not before or before.group(1).lower() not in _PREPOSITIONS
