"""Conversation rules: who speaks the quotes no tag in their paragraph names.

Paragraphs of speech are turns. People take turns (A-B-A-B), the one addressed by name answers, someone
who answers without words hands the turn back, and narration about a character leads into their words.
These rules run after the paragraph rules of ``attribution`` and fill in what those left open, each
recording its name with the speaker it gives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from .names import NARRATOR_PERSON, Names
from .quotes import Attribution, QuoteInContext


def speech_turns(quotes: list[QuoteInContext]) -> list[tuple[int, int]]:
    """One entry per paragraph with speech: (paragraph number, index of its first quote)."""
    turns: list[tuple[int, int]] = []
    for i, q in enumerate(quotes):
        if not turns or turns[-1][0] != q.paragraph:
            turns.append((q.paragraph, i))
    return turns


def _turn_quotes(turns, quotes, t: int) -> range:
    """The indices of the quotes in turn t."""
    end = turns[t + 1][1] if t + 1 < len(turns) else len(quotes)
    return range(turns[t][1], end)


def _speaker_of_turn(turns, quotes, found, t: int) -> str | None:
    return next((found[i].speaker for i in _turn_quotes(turns, quotes, t) if found[i].speaker), None)


def _named_in_turn(turns, quotes, named: list[Collection[str]], t: int) -> frozenset[str]:
    """Everyone the quotes of turn t name, given who each quote names (addressed, or narrated)."""
    return frozenset().union(*(named[i] for i in _turn_quotes(turns, quotes, t)))


def vocative_reply(turns, quotes, found, addressed) -> None:
    """The person a speaker addresses by name answers in the next paragraph of speech."""
    for t in range(1, len(turns)):
        if not _adjacent(turns, t - 1, t) or _speaker_of_turn(turns, quotes, found, t):
            continue
        speaker_before = _speaker_of_turn(turns, quotes, found, t - 1)
        candidates = _named_in_turn(turns, quotes, addressed, t - 1) - {speaker_before}
        candidates -= _named_in_turn(turns, quotes, addressed, t)
        if len(candidates) == 1:
            (speaker,) = candidates
            for i in _turn_quotes(turns, quotes, t):
                found[i] = Attribution(speaker, "vocative_reply")


def nearest_mention(turns, quotes, found, addressed, on_stage, interludes, lead_subjects, held=()) -> None:
    """Last resort: the character most recently named or heard before the quote, unless the quote
    addresses them or, when anyone else is at hand, they spoke the paragraph of speech just before
    (people take turns). Narration between the two paragraphs that is mostly about the last speaker
    gives them the next one too: "Nell scrubbed the table hard. … she carried the bucket out." """
    turn_of = {}
    for t, (_, first) in enumerate(turns):
        turn_of[first] = t
    t = -1
    for i, q in enumerate(quotes):
        t = turn_of.get(i, t)
        if found[i].speaker:
            continue
        candidates = [name for name in reversed(on_stage[i]) if name not in addressed[i]]
        if t > 0 and turns[t][1] == i and _adjacent(turns, t - 1, t, _CONVERSATION_GAP):
            spoke_last = _speaker_of_turn(turns, quotes, found, t - 1)
            if spoke_last and t in held:  # "He made no answer.": the last speaker goes on
                found[i] = Attribution(spoke_last, "silent_reply")
                continue
            if spoke_last in interludes[i] and spoke_last not in addressed[i]:
                candidates = [spoke_last]
            else:
                candidates = [name for name in candidates if name != spoke_last] or candidates
        if lead_subjects[i] and lead_subjects[i] not in addressed[i]:
            candidates = [lead_subjects[i]]
        if candidates:
            found[i] = Attribution(candidates[0], "nearest_mention")


def mostly_about(mentioned: list[str], named: Collection[str], names: Names, focus: str | None) -> frozenset[str]:
    """Whom narration is mostly about, given everyone it names or means by a pronoun, in order: those
    mentioned most. Not the character a third-person story follows when only "she" means her there:
    the narration follows her throughout, whoever speaks next."""
    counts = Counter(mentioned)
    most = max(counts.values(), default=0)
    return frozenset(
        name for name, count in counts.items()
        if count == most and (name in named or names.narrator or not focus or names.gender.get(name) != focus)
    )


def silent_reply(text, turns, quotes, found, patterns, names: Names) -> list[int]:
    """ "He made no answer." / "I shook my head.": a paragraph of narration between two paragraphs of
    speech that opens by saying someone other than the last speaker answered without words hands the
    turn back to the last speaker. It overrules the introduction read from the same narration ("Tam
    said nothing." is not Tam's cue), but not narration that names anyone else, who may be the one
    about to speak, nor one ending in a lead-in to the speech ("…, and said,").

    Returns the turns handed back to a last speaker not yet known, for the last resort: whoever it
    gives the line before the silence keeps the line after it."""
    held = []
    for t in range(1, len(turns)):
        first = turns[t][1]
        q = quotes[first]
        if found[first].rule not in (None, "introduced_by_narration") or turns[t][0] - turns[t - 1][0] != 2:
            continue
        spoke_last = _speaker_of_turn(turns, quotes, found, t - 1)
        narration = text[quotes[first - 1].after[1] : q.quote.open_start].strip()
        match = patterns["silent_reply"].match(narration)
        if not match or q.before[0] != q.quote.open_start or narration.endswith((",", ":")):
            continue
        gender = names.pronoun_gender.get(match.group("who").lower())
        if gender and gender != NARRATOR_PERSON:
            # "He made no answer.": someone not named, and not the last speaker unless they may be a "he" too
            if spoke_last and names.gender.get(spoke_last, "unknown") in (gender, "unknown"):
                continue
            silent = None
        else:
            silent = names.narrator if gender else names.resolve(match.group("who"), discover=False)
            if not silent or silent == spoke_last:
                continue
        if match.group("gesture") and (silent is None or silent != names.narrator):
            continue
        if {names.of(m.group(0)) for m in names.known.finditer(narration)} <= {silent, spoke_last}:
            for i in _turn_quotes(turns, quotes, t):
                found[i] = Attribution(spoke_last, "silent_reply" if spoke_last else None)
            if not spoke_last:
                held.append(t)
    return held


# Paragraphs of narration between two paragraphs of speech that break an exchange: any, for
# alternation and replies (narration often brings someone else in); three, for "the last speaker
# does not speak again" in the last resort.
_EXCHANGE_GAP = 0
_CONVERSATION_GAP = 2


def _adjacent(turns, t: int, u: int, gap: int = _EXCHANGE_GAP) -> bool:
    """Whether turns t and u are at most ``gap`` paragraphs of narration apart."""
    return 0 <= min(t, u) and abs(turns[t][0] - turns[u][0]) <= gap + 1


def turn_taking(turns, quotes, found, addressed, narrated) -> None:
    """In a two-person exchange, untagged paragraphs of speech alternate between the two."""

    def fill_turn(t: int, speaker: str) -> None:
        for i in _turn_quotes(turns, quotes, t):
            if quotes[i].continues and t and _speaker_of_turn(turns, quotes, found, t - 1):
                speaker = _speaker_of_turn(turns, quotes, found, t - 1)
            found[i] = Attribution(speaker, "turn_taking")

    for _ in range(2):  # a second sweep fills turns whose neighbours the first sweep decided
        for t in range(len(turns)):
            if _speaker_of_turn(turns, quotes, found, t):
                continue
            votes = set()
            for a, b in ((t - 2, t - 1), (t + 2, t + 1)):
                if not (0 <= a < len(turns) and 0 <= b < len(turns)):
                    continue
                if not (_adjacent(turns, a, b) and _adjacent(turns, b, t)):
                    continue
                two_away = _speaker_of_turn(turns, quotes, found, a)
                one_away = _speaker_of_turn(turns, quotes, found, b)
                if two_away and one_away and two_away != one_away:
                    votes.add(two_away)
            # Both sides must agree: an exchange that changes partners here is not guessed.
            votes -= _named_in_turn(turns, quotes, addressed, t)
            named = _named_in_turn(turns, quotes, narrated, t)
            if len(votes) == 1 and (not named or votes & named):
                fill_turn(t, votes.pop())


# Rules whose decision is evidence enough to anchor an exchange; the others are guesses it may correct,
# except a reply to the person named in the line before, which is evidence of its own.
_ANCHORS = frozenset({"script_line", "tag_after_verb_first", "tag_after", "tag_before", "same_paragraph", "action_after"})
_KEPT = frozenset({"vocative_reply"})


def _anchor_of_turn(turns, quotes, found, t: int) -> str | None:
    return next((found[i].speaker for i in _turn_quotes(turns, quotes, t) if found[i].rule in _ANCHORS), None)


def alternation(turns, quotes, found, addressed, narrated) -> None:
    """In a run of paragraphs of speech with no narration between them, two people take turns.

    The tagged paragraphs say who speaks the odd ones and who the even ones; the untagged paragraphs
    follow, backward from a later tag as well as forward from an earlier one. A tag that breaks the
    pattern (a third speaker) ends one exchange and starts the next. A paragraph with no tag that
    addresses one person by name says that person speaks the other turns, where no tag says otherwise.
    When only one of the two is known, only that one's turns are filled.
    """
    # Whose turn by parity: a paragraph carrying on the speech of the one before is the same turn.
    parity = [0] * len(turns)
    for t in range(1, len(turns)):
        parity[t] = parity[t - 1] if quotes[turns[t][1]].continues else 1 - parity[t - 1]
    start = 0
    for end in range(1, len(turns) + 1):
        if end < len(turns) and _adjacent(turns, end - 1, end):
            continue
        for first, last, pair in _exchanges(turns, quotes, found, addressed, range(start, end), parity):
            # A reply to a name that does not fit the pair: someone else joined in, so the guesses of
            # the turn rules are kept and only the turns left open are filled.
            contradicted = any(
                found[i].rule in _KEPT and found[i].speaker not in (pair.get(parity[t]), None)
                for t in range(first, last + 1) for i in _turn_quotes(turns, quotes, t)
            )
            for t in range(first, last + 1):
                speaker = pair.get(parity[t])
                turn = _turn_quotes(turns, quotes, t)
                named = _named_in_turn(turns, quotes, narrated, t)
                if not speaker or _anchor_of_turn(turns, quotes, found, t) or (named and speaker not in named):
                    continue
                if quotes[turns[t][1]].continues and found[turns[t][1]].speaker:
                    continue  # a speech carried on from the paragraph before is that paragraph's speaker's
                if contradicted and _speaker_of_turn(turns, quotes, found, t):
                    continue
                if not any(found[i].rule in _KEPT for i in turn):
                    for i in turn:
                        if found[i].speaker != speaker:  # a guess that agrees keeps its rule
                            found[i] = Attribution(speaker, "alternation")
        start = end


def _exchanges(turns, quotes, found, addressed, run: range, parities: list[int]) -> list[tuple[int, int, dict]]:
    """The exchanges of a run of adjacent turns: (first turn, last turn, parity -> speaker), given
    the parity of each turn."""
    exchanges: list[tuple[list[int], dict[int, str]]] = []  # (anchored turns, parity -> speaker)
    for t in run:
        speaker = _anchor_of_turn(turns, quotes, found, t)
        parity = parities[t]
        soft = False
        if not speaker:
            named = _named_in_turn(turns, quotes, addressed, t)
            if len(named) != 1:
                continue
            (speaker,), parity, soft = named, 1 - parity, True
        if exchanges:
            anchored, pair = exchanges[-1]
            if pair.get(parity, speaker) == speaker and pair.get(1 - parity) != speaker:
                pair[parity] = speaker
                anchored.append(t)
                continue
        if soft and exchanges:
            continue
        exchanges.append(([t], {parity: speaker}))
    # The first exchange reaches back to the start of the run; the last one on to its end only while
    # one of its two is unknown: past the last tag of a known pair, someone else often joins in.
    return [
        (anchored[0] if k else run.start, anchored[-1] if k + 1 < len(exchanges) or len(pair) == 2 else run.stop - 1, pair)
        for k, (anchored, pair) in enumerate(exchanges)
    ]
