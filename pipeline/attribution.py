"""Who speaks each quote: a sieve of small named rules, most confident first.

Each rule looks at one quote in its paragraph and either names a speaker or passes. Rules read their
words (speech verbs, pronouns) from the ``attribution`` section of voices.yaml. The name of the rule
that decided is kept with the segment, so ``script`` output can be explained. The rules that read a
quote's own paragraph and the narration just around it (tags, beats, the paragraph's other quotes, an
introduction or reaction next to it) are here; the rules of the exchange, which fill in what they
leave open (turns, replies, answers without words, the last resort), are in ``conversation``.
"""

from __future__ import annotations

import re
from collections import Counter

from .config import AttributionRules
from .names import (
    ABBREVIATED_TITLES, HONORIFICS, NARRATOR_PERSON, NOTHING, POSSESSIVE_GENDER, SENTENCE_END, STYLES, Mentions, Names,
)
from .conversation import (
    alternation, mostly_about, nearest_mention, silent_reply, speech_turns, turn_taking, vocative_reply,
)
from .quotes import Attribution, QuoteInContext

# After a full stop, not that of "Mr. Giles"
_NOT_ABBREVIATED = "".join(rf"(?<!\b{word}\.\s)" for word in ABBREVIATED_TITLES)
# Pronouns that are never the subject of a clause ("her" may be the object; "him" always is)
_OBJECT_PRONOUNS = frozenset({"her", "him", "me"})
# Words that may open a sentence before its subject: "Finally Nell stepped in."
_OPENER = r"(?:(?:[A-Z][a-z]+ly|Then|And|But|So|Now|At last),?\s+)?"


def _tag_patterns(rules: AttributionRules, names: Names):
    verbs = "|".join(sorted((re.escape(v) for v in rules.speech_verbs + rules.thought_verbs), key=len, reverse=True))
    verbs = verbs or NOTHING
    pronouns = "|".join(re.escape(p) for p in names.pronoun_gender) or NOTHING
    who = rf"(?:(?P<desc>{names.description})|(?P<who>{names.any_name}|(?i:{pronouns})))"
    # "she quietly said" / "Nell soon added"
    adverb = r"(?:(?:\w+ly|soon|then|now|still|also|again|at last|at length|once more)\s+)?"
    # "…, and when she had finished, said" / "and, while pretending to read the letter, said": a clause between
    # the "and" and the verb, opened by a conjunction, preposition or participle
    aside = r"(?:,?\s+(?:when|while|as|after|before|on|in|at|with|without|having|[a-z]+ing)\b[^.!?\"\u201c\u201d]{0,60}?,)?"
    # What may part a tag or beat from the quote before it: a comma or a dash ("--" in plain-text books)
    after_quote = r"\s*(?:--|[,\u2014\-])?\s*"
    parts = "|".join(map(re.escape, rules.speaker_parts)) or NOTHING
    participles = "|".join(map(re.escape, rules.speech_participles)) or NOTHING
    subject_pronouns = "|".join(re.escape(p) for p in names.pronoun_gender if p not in _OBJECT_PRONOUNS) or NOTHING
    wordless, gestures = (
        "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases) or NOTHING
        for phrases in (rules.wordless_replies, rules.narrator_gestures)
    )
    return {
        # "…," said Tara / "…," said he / "…," flashed Ida: before a name, any verb in the past tense is
        # a speech verb when it follows a quote. "…," sighed Ida's father: her father, not Ida.
        "tag_after_verb_first": re.compile(
            rf"{after_quote}{adverb}(?:{verbs}|[a-z]+ed(?=\s+(?:{names.known_pattern})(?!\w)))\s+{who}"
            rf"(?:(?<=\w)['\u2019]s\s+(?P<relation>[a-z]+))?(?![\w'\u2019])"
        ),
        # "…," was Nell's dry answer / "…," was her answer
        "tag_after_possessive": re.compile(
            rf"{after_quote}was\s+(?:(?P<whose>(?i:his|her|my))|(?P<who>{names.any_name})(?:'s|\u2019s))"
            rf"\s+[a-z]+\b(?!['\u2019]s)"
        ),
        # "…," Tara said / "…," she asks quietly
        "tag_after": re.compile(rf"{after_quote}{who}\s+{adverb}(?:{verbs})(?!\w)"),
        # "…" Tara nods. / "…" She turns away. / "…" His voice cracks. / "…" her face drops: the
        # speaker's own action beat
        "action_after": re.compile(
            rf"{after_quote}(?:(?P<whose>(?i:his|her|my))\s+(?:{parts})\b|{who}(?:'s|\u2019s)?\s+{adverb}[a-z]+)"
        ),
        # Tara said, "…" / Then she asked: "…" / Nell caught the look and said drily: "…" /
        # Ida, who had been watching, called out: "…" / Nell, seeing the mud, said: "…"
        "tag_before": re.compile(
            rf"\b{who}(?:,\s+[^.!?\"\u201c\u201d]{{0,80}}?,\s+|\s+|,?\s+[^.!?\"\u201c\u201d]{{0,80}}?\b(?:and|then){aside}\s+)"
            rf"{adverb}(?P<verb>{verbs})\b[^.!?\"\u201c\u201d]{{0,60}}[,:]?\s*$"
        ),
        # I heard Mrs. Hale call "…" / she could hear his voice calling, "…": whoever is heard
        # speaks, whatever the verb
        "overheard": re.compile(
            rf"\b(?:hear|hears|heard|hearing)\s+(?:(?P<whose>(?i:his|her|my))\s+(?:{parts})|{who})"
            rf"\s+{adverb}[a-z]+\b[^.!?\"\u201c\u201d]{{0,60}}[,:]?\s*$"
        ),
        # "I told her that the road was closed." / "He agreed to it at once.": words already answered, reported
        "reported": re.compile(rf"\b(?:{verbs})\s+(?:(?:him|her|me|them|us)\s+)?(?:that|to it)\b"),
        # …, saying: "…" / …, and muttering to himself all the way up, "…" / …the chance of adding, "…"
        "participle": re.compile(
            rf"(?:[,;\u2014-]|\band|\bwhile|\bthen|\bof|\bby)\s+{adverb}(?:{participles})\b[^.!?\"\u201c\u201d]{{0,60}}[,:]?\s*$"
        ),
        # Who may be the subject of the clause before it: a name, or a pronoun other than "her" or "him"
        "subject": re.compile(rf"(?<![\w'\u2019.])(?:{names.known_pattern}|(?i:{subject_pronouns}))(?![\w'\u2019])"),
        # Nell turned and handed him the lamp, "…" / Ida jumped. "…": the subject of the
        # sentence just before the quote, finished or not
        "action_before": re.compile(
            rf"(?:^|[.!?\u2026]\s+|\n){_OPENER}{who}\b[^.!?\"\u201c\u201d]*[.!?\u2026]?\s*$"
        ),
        # "…; but Rowan, stung, put his cup down hard and said,": the subject of the last
        # clause of narration leading into a quote
        "lead_in": re.compile(
            rf"(?:^|[.!?\u2026;]\s+|\n|\s(?:and|but|yet|so|then)\s+){_OPENER}{who}\b(?=[^.!?;\"\u201c\u201d]*$)"
        ),
        # "She went out, and Ida looked after her.": the subject of a sentence's last clause
        "clause_subject": re.compile(rf"(?:^|[;,]\s+|\s(?:and|but|yet|so|then)\s+){_OPENER}{who}\b"),
        # A paragraph opening "His voice cracks.": how the last words were spoken
        "reaction": re.compile(rf"\b(?P<whose>(?i:his|her))\s+(?:{parts})\b"),
        # "He made no answer." / "I shrugged.": an answer without words, opening a paragraph of narration
        "silent_reply": re.compile(
            rf"{_OPENER}(?P<who>{names.any_name}|(?i:{pronouns}))\s+{adverb}(?:{wordless}|(?P<gesture>{gestures}))\b"
        ),
        # "Tara, come here." / "Come here, Mr. Giles!" / "Sit down. Tara, listen.": a name set off by a
        # comma is the person addressed
        "vocative": re.compile(
            rf"(?:^|(?<=,\s)|(?<=!\s)|(?<=\?\s)|(?<=\.\s){_NOT_ABBREVIATED}|(?<=[Oo]h\s)|(?<=[Dd]ear\s))"
            rf"(?P<name>{names.known_pattern})(?=\s*(?:[,.!?;\u2014\u2026]|$))"
        ),
    }


def attribute(text: str, quotes: list[QuoteInContext], names: Names, rules: AttributionRules) -> list[Attribution]:
    """A speaker (or None) for every quote, in order."""
    patterns = _tag_patterns(rules, names)
    mentions = Mentions(names)
    found: list[Attribution] = [Attribution(None, None)] * len(quotes)
    subject_of_narration: str | None = None  # who the sentence before the current quote is about
    answering: tuple[str, ...] = ()  # whom the last paragraph's line spoke to, likely to answer it

    def who(match: re.Match, discover: bool = True, objects: tuple[str, ...] = ()) -> str | None:
        """The speaker a tag names. Only speech-verb tags may add a name the cast lacks: an action
        beat's capitalised first word is too often not a name ("Afraid he'd…"). A pronoun or
        description never means someone the quote calls by name: "Why, Mara, how tall you are!" she said,
        nor anyone named after it (``objects``): "she said to Ida".
        """
        if match.groupdict().get("whose"):
            return mentions.latest(POSSESSIVE_GENDER[match.group("whose").lower()], excluding=addressed[-1])
        if match.groupdict().get("desc"):
            return described(match.group("desc"))
        word = match.group("who")
        if match.groupdict().get("relation"):  # "Ida's father": whom the cast says that is, if anyone
            return mentions.relative(names.resolve(word, discover=False), match.group("relation").lower())
        gender = names.pronoun_gender.get(word.lower())
        others = (*addressed[-1], *objects)
        if gender and names.gender.get(subject_of_narration) == gender and subject_of_narration not in others:
            return subject_of_narration
        return mentions.latest(gender, excluding=others) if gender else names.resolve(word, discover)

    def described(phrase: str) -> str | None:
        """ "his wife", "the Queen": a character listed by that description, else the last one on stage
        whom the noun fits."""
        words = phrase.casefold().split()
        # The longest reading first: "the old man quietly" is "the old man".
        for end in range(len(words), 1, -1):
            for key in (" ".join(words[:end]), " ".join(words[1:end])):
                if key in names.folded:
                    return names.folded[key]
        for end in range(len(words), 1, -1):
            # "the doctor" is one of the cast's "Dr." too
            titled = names.titled.get(words[end - 1]) or names.titled.get(_TITLE_ABBREVIATIONS.get(words[end - 1], ""))
            if titled and words[0] == "the" and names.noun_gender.get(words[end - 1]) in (None, "unknown"):
                # "the count" when the cast has Count Orlov; of several colonels, the one named last.
                recent = next((name for name in reversed(mentions.recent) if name in titled), None)
                if recent or len(titled) == 1:
                    return recent or next(iter(titled))
            styled = mentions.relative(None, words[end - 1]) if words[end - 1] in STYLES else None
            if styled and words[0] in POSSESSIVE_GENDER:
                return styled  # "her ladyship" is a Lady, not anyone's relative
            if words[end - 1] in names.noun_gender:
                gender = names.noun_gender[words[end - 1]]
                owner_gender = POSSESSIVE_GENDER.get(words[0])
                # "Oh, Jane…" / "…," replied her sister: the one answering is the sister, not the "her".
                owner = mentions.latest(owner_gender, excluding=answering) if owner_gender else None
                relative = mentions.relative(owner, words[end - 1]) if owner_gender else None
                if relative and owner_gender:
                    # "…," said her mother, when several wives may be her mother: the one in the exchange.
                    by_surname, married = names.elders(owner, words[end - 1])
                    elders = by_surname or married
                    if len(elders) > 1:
                        talking = next((n for n in exchange()[0] if n in elders), None)
                        relative = talking or relative
                if relative:
                    return relative
                # "…," said his companion: someone in the exchange, not the one who spoke last.
                talking = in_exchange(gender, (owner, *addressed[-1])) if owner_gender else None
                if talking:
                    return talking
                # "her mother" is not the "her" it belongs to.
                return mentions.latest(gender, excluding=(owner, *addressed[-1]))
        return None

    def in_exchange(gender: str, excluding: tuple[str | None, ...]) -> str | None:
        """ "…," said his companion / returned her friend: of the people speaking in the exchange the
        current quote is part of, the latest whom the noun fits, other than the one who spoke the line
        before (a tag in a paragraph of its own names whoever answers it) and the one the description
        belongs to. Only when that line's speaker is known: else whoever spoke before it may be the one
        answering."""
        speakers, previous = exchange()
        if previous is None:
            return None
        return next((
            name for name in speakers
            if name != previous and name not in excluding and name != names.narrator
            and (gender == "unknown" or names.gender.get(name) in (gender, "unknown"))
        ), None)

    def exchange() -> tuple[list[str], str | None]:
        """The speakers so far of the exchange the current quote is part of (its quotes at most
        _EXCHANGE_REACH paragraphs apart), latest first, and who spoke the line before it in an earlier
        paragraph (None when that line is not yet decided)."""
        current = len(subjects_before)  # the quote being read in pass 1
        if current >= len(quotes):
            return [], None
        speakers: list[str] = []
        previous = None
        paragraph = quotes[current].paragraph
        for k in range(current - 1, -1, -1):
            if paragraph - quotes[k].paragraph > _EXCHANGE_REACH:
                break
            paragraph = quotes[k].paragraph
            speaker = found[k].speaker
            if previous is None and quotes[k].paragraph < quotes[current].paragraph:
                previous = speaker or ""
            if speaker and speaker not in speakers:
                speakers.append(speaker)
        return speakers, previous or None

    def clause_subject(start: int, end: int) -> str | None:
        """ "She went out, and Ida looked after her." / "…, her mother followed her.": the subject
        of the last clause of the sentence before a quote, if a name or a description, is whom a "she
        said" after the quote most likely means."""
        narration = text[start:end].rstrip(" \t\n,:;\u2014-")
        cut = max((m.end() for m in SENTENCE_END.finditer(narration)), default=0)
        clause = next(reversed(list(patterns["clause_subject"].finditer(narration, cut))), None)
        if not clause or (clause.group("who") and clause.group("who").lower() in names.pronoun_gender):
            return None
        return who(clause, discover=False)

    def explicit(q: QuoteInContext) -> Attribution | None:
        if q.quote.label:
            return Attribution(names.resolve(q.quote.label, discover=False), "script_line")
        inner_end = text[q.quote.start : q.quote.end].rstrip()
        ends_sentence = inner_end.endswith(".") and not inner_end.endswith("..")
        # The narration before a quote is its own, unless it is the tag of a quote just before in the
        # paragraph ('"…," he said, "…"'); a tag of its own comes first: in 'When Nell said, "…" Ida
        # answered, "…"', the narration after the first quote is the second one's.
        after_a_quote = q.before[0] > 0 and text[q.before[0] - 1] in _CLOSING_MARKS
        shared = after_a_quote and any(patterns[p].match(text, *q.before) for p, _ in _TAGS_AFTER_BY_PATTERN)
        before = tag_before(q.before[0], q.before[1]) or participle_tag(q.before[0], q.before[1])
        if before and not shared:
            return Attribution(before, "tag_before")
        for pattern, rule in _TAGS_AFTER_BY_PATTERN:
            match = patterns[pattern].match(text, q.after[0], q.after[1])
            if match and not ends_sentence:
                return Attribution(who(match), rule)
        if before:
            return Attribution(before, "tag_before")
        heard = patterns["overheard"].search(text, q.before[0], q.before[1])
        speaker = who(heard, discover=False) if heard else None
        if speaker:
            return Attribution(speaker, "tag_before")
        if q.before[0] == q.quote.open_start:
            # The tag may end the paragraph before: "Mr. Hale answered with great patience,"
            lead_start = max(0, q.quote.open_start - _LEAD)
            lead = text[lead_start : q.quote.open_start].rstrip()
            if lead.endswith((",", ":")):
                lead_end = lead_start + len(lead)
                speaker = tag_before(lead_start, lead_end) or participle_tag(lead_start, lead_end)
                if speaker:
                    return Attribution(speaker, "tag_before")
        return None

    def tag_before(start: int, end: int) -> str | None:
        """The speaker of the "NAME said," ending the narration that resolves to someone, the verb
        nearest the quote first: in "Nell thought it late, and Rowan said," Rowan speaks; in "At the door
        he said," the capitalised "At" is no one, and "he" is the speaker."""
        matches = []
        match = patterns["tag_before"].search(text, start, end)
        while match:
            # "…and, still holding her, said"; "the whole time she went on" is not "the time" speaking
            description = (match.group("desc") or "").lower().split()[1:]
            if (match.group("who") or "").lower() not in _OBJECT_PRONOUNS and not any(
                word in names.pronoun_gender for word in description
            ):
                matches.append(match)
            match = patterns["tag_before"].search(text, match.start() + 1, end)
        # Of the subjects of one verb, a known one before a name not yet met: in "Therefore he rang the
        # bell, and … ordered", the speaker is "he", not "Therefore".
        for verb in sorted({m.start("verb") for m in matches}, reverse=True):
            for discover in (False, True):
                for match in (m for m in matches if m.start("verb") == verb):
                    subject_end = match.end("who") if match.group("who") else match.end("desc")
                    speaker = who(match, discover, objects=_named_in(text, subject_end, end, names))
                    if speaker:
                        return speaker
        return None

    def participle_tag(start: int, end: int) -> str | None:
        """ "…, muttering to himself all the way up," / "Nell set the kettle down, saying": the
        speaker is the subject of the clause the participle hangs on, the last one named before it in
        its sentence, though not after a preposition ("he turned to Ida, saying" is his)."""
        tail = patterns["participle"].search(text, start, end)
        if not tail:
            return None
        sentence = max((m.end() for m in _SENTENCE_END.finditer(text, start, tail.start())), default=start)
        subjects = [
            m for m in patterns["subject"].finditer(text, sentence, tail.start())
            if not _AFTER_PREPOSITION.search(text, max(sentence, m.start() - 6), m.start())
        ]
        if not subjects:
            return None
        subject = subjects[-1]
        gender = names.pronoun_gender.get(subject.group(0).lower())
        if not gender:
            return names.of(subject.group(0))
        return mentions.latest(gender, excluding=(*addressed[-1], *_named_in(text, subject.end(), end, names)))

    def beat(q: QuoteInContext) -> Attribution | None:
        """The speaker's own action right after the quote: "…" Tara nods."""
        match = patterns["action_after"].match(text, q.after[0], q.after[1])
        if match:
            # "She flinches at his voice.": the voice tells whose the words were. Only in
            # the pronoun's own clause: "Tara nods, stepping closer so he needn't raise his voice".
            clause = re.split(r"[.!?,;\u2026\u2014]", text[match.end() : q.after[1]], maxsplit=1)[0]
            voice = patterns["reaction"].search(clause)
            subject = who(match, discover=False)
            pronoun = (match.group("who") or "").lower() in names.pronoun_gender
            if voice and pronoun:
                owner = mentions.latest(POSSESSIVE_GENDER[voice.group("whose").lower()])
                if owner and names.gender.get(owner) != names.gender.get(subject):
                    return Attribution(owner, "action_after")
            return Attribution(subject, "action_after")
        return None

    def subject_before(q: QuoteInContext) -> Attribution | None:
        # Searched in a slice: "^" must mean the start of this narration, not of the story.
        # Stripped: narration after a quote mark opens with a space ('"…" Ida turned away. "…"').
        narration = text[q.before[0] : q.before[1]].lstrip()
        match = patterns["action_before"].search(narration)
        if not match:
            return None
        subject_end = match.end("who") if match.group("who") else match.end("desc")
        if narration.startswith(("'s", "\u2019s"), subject_end):  # "Mrs. Hale's house was…" is not her doing
            return None
        objects = _named_in(narration, subject_end, len(narration), names)
        return Attribution(who(match, discover=False, objects=objects), "action_before")

    # Pass 1, in reading order so pronouns see the names before them: tags and action beats.
    scanned_to = 0  # narration is scanned for names up to here; quoted words name addressees, not speakers
    addressed: list[tuple[str, ...]] = []  # per quote: who it speaks to by name, in the quote's order
    narrated: list[frozenset[str]] = []  # per quote: who the narration of its paragraph names
    on_stage: list[tuple[str, ...]] = []  # per quote: characters last named or heard before it, latest last
    referents: list[dict[str, str | None]] = []  # per quote: whom "he" and "she" mean just before it
    # The subject before a quote is weaker evidence than its neighbours' tags: kept for after them.
    subjects_before: list[Attribution | None] = []
    tagged_paragraph = -1  # the last paragraph in which a tag named a speaker
    # per quote: whom the paragraphs of narration since the last paragraph of speech are mostly about
    interludes: list[frozenset[str]] = []
    lead_subjects: list[str | None] = []  # per quote: who the narration leading into it is about
    focus = _focal_gender(text, names)
    for i, q in enumerate(quotes):
        # The narration just before the quote: in its paragraph, else a paragraph of narration
        # between it and the last quote (not the last quote's own tag).
        narration_paragraph = not i or q.paragraph - quotes[i - 1].paragraph >= 2
        seen = mentions.scan(text, scanned_to, q.quote.open_start)
        if i and narration_paragraph:
            interlude = (quotes[i - 1].after[1], q.before[0])  # from the end of the last quote's paragraph
            named = frozenset(names.of(m.group(0)) for m in names.known.finditer(text, *interlude))
            # "She sighs." is about someone only if the cast knows her to be a woman: with genders
            # unknown, "she" falls back on whoever was last on stage.
            in_interlude = [
                name for at, name in seen
                if interlude[0] <= at < interlude[1] and (name in named or names.gender.get(name) in ("male", "female"))
            ]
            interludes.append(mostly_about(in_interlude, named, names, focus))
        else:
            interludes.append(frozenset())
        since = q.before[0] if text[q.before[0] : q.before[1]].strip() or not narration_paragraph else scanned_to
        subject_of_narration = _sentence_subject(text, since, q.quote.open_start, names)
        in_tag_sentence = (
            i and quotes[i - 1].paragraph == q.paragraph and found[i - 1].rule in _TAGS_AFTER
            and not re.search(r"[.!?]\s", text[q.before[0] : q.before[1]])
        )
        if subject_of_narration is None and in_tag_sentence:
            # '"Nonsense!" said Nell, …; and, turning to Ida, she went on,': the sentence the last
            # quote's tag began is still about its speaker.
            subject_of_narration = found[i - 1].speaker
        lead = text[since : q.quote.open_start].rstrip()
        scanned_to = q.quote.close_end
        answering = ()
        if i and q.paragraph - quotes[i - 1].paragraph == 1:
            # Whom the last paragraph's line spoke to is likely to answer: "he replied". Not within a
            # paragraph: in "Ida," she called, "is…", she is still the one calling.
            answering = addressed[i - 1]
            for name in answering:
                mentions.saw(name)
        narrated.append(frozenset(
            names.of(m.group(0)) for span in (q.before, q.after) for m in names.known.finditer(text, *span)
        ))
        inside = text[q.quote.start : q.quote.end]
        # "Yes, Sir.": a form of address alone says nothing of who is addressed, even if the cast lists it.
        # A tuple in the quote's order, not a set: who is seen last above must not depend on hashing.
        addressed.append(tuple(dict.fromkeys(
            names.of(m.group("name")) for m in patterns["vocative"].finditer(inside)
            if not re.fullmatch(HONORIFICS + r"\.?", m.group("name"), re.IGNORECASE) and not _not_called(inside, m)
        )))
        if not in_tag_sentence:
            # "Nell smiled, and Ida laughed aloud.": the subject of the last clause, nearest the quote
            subject_of_narration = clause_subject(since, q.quote.open_start) or subject_of_narration
        on_stage.append(tuple(mentions.recent[-_ON_STAGE:]))
        # "Rowan was pleased; and … replied," / "Ida walked on ahead and I took my chance of
        # whispering to Nell:": whom narration leading into the quote is about, whether or not a tag
        # was read in it: the subject of its last clause, else of its last sentence.
        leading_in = lead.endswith((",", ":", "-", "\u2014"))
        clause = next(reversed(list(patterns["lead_in"].finditer(lead))), None) if leading_in else None
        lead_subject = who(clause, discover=False) if clause else None
        lead_subjects.append(lead_subject or (subject_of_narration if leading_in else None))
        referents.append({g: mentions.latest(g) for g in ("male", "female")})
        # A beat after a quote whose paragraph a tag has already given a speaker is most often the
        # listener's: '"…," said Nell. "Do you like boats?" Rowan did not answer, so …'
        for rule in (explicit,) if tagged_paragraph == q.paragraph else (explicit, beat):
            attribution = rule(q)
            if attribution and attribution.speaker:
                found[i] = attribution
                break
        if found[i].speaker:
            mentions.saw(found[i].speaker)
        if found[i].rule in _TAGS:
            tagged_paragraph = q.paragraph
        subjects_before.append(None if found[i].speaker else subject_before(q))

    aside = _in_parentheses(text, quotes)
    _same_paragraph(quotes, found, subjects_before, aside)
    _continued_quotes(quotes, found)
    for i, attribution in enumerate(subjects_before):
        if not found[i].speaker and attribution and attribution.speaker:
            found[i] = attribution
    _reaction_after(text, quotes, found, patterns, referents)
    turns = speech_turns(quotes)
    vocative_reply(turns, quotes, found, addressed)
    silent_reply(text, turns, quotes, found, patterns, names)
    _introduced_by_narration(text, quotes, found, patterns, names, referents, on_stage, focus)
    if rules.turn_taking:
        turn_taking(turns, quotes, found, addressed, narrated)
        alternation(turns, quotes, found, addressed, narrated)
    # Again for the exchanges that the turn rules have just decided.
    held = silent_reply(text, turns, quotes, found, patterns, names)
    nearest_mention(turns, quotes, found, addressed, on_stage, interludes, lead_subjects, held)
    _resumed_after_aside(quotes, found, aside)
    return found


def _sentence_subject(text: str, start: int, end: int, names: Names) -> str | None:
    """The character named first in the last sentence of narration before a quote: its subject,
    more likely than the ones named after it to be "she" in the tag."""
    narration = text[start:end].rstrip(" \t\n,:;\u2014-")
    cut = max((m.end() for m in SENTENCE_END.finditer(narration)), default=0)
    found = names.known.search(text, start + cut, start + len(narration))
    if not found:
        return None
    # "she explained to Ida,": a pronoun before the name is the subject, the name is not.
    words = text[start + cut : found.start()].split()
    if len(words) > 3 or any(word.strip(",;:").lower() in names.pronoun_gender for word in words):
        return None
    return names.of(found.group(0))


def _named_in(text: str, start: int, end: int, names: Names) -> tuple[str, ...]:
    """The characters named in text[start:end], in order: after a pronoun, they are not whom it means."""
    return tuple(names.of(m.group(0)) for m in names.known.finditer(text, start, end))


def _not_called(inside: str, match: re.Match) -> bool:
    """Whether a name set off in a quote is someone spoken of, not spoken to:
    "Mara. She left at noon." / "Tam? Of course he did.": a name that opens a quote as a
    sentence of its own answers or echoes a question (only "Mara," or "Mara!" calls to her);
    "Who? Rowan, of course!" answers one; "her younger brother, Tam?" / "I, Nell Hale,
    promise" name someone in apposition; "The Queen! The Queen!" announces her: a description
    with "the" is never how anyone is called; "We need Xander, Willow, and Oz" lists them."""
    if match.start() == 0 and inside[match.end() : match.end() + 1] in (".", "?"):
        return True
    if re.match(r"the\s", match.group("name"), re.IGNORECASE):
        return True
    if _LISTED_NEXT.match(inside, match.end()):
        return True
    before = inside[max(0, match.start() - 40) : match.start()]
    return bool(_APPOSITION.search(before) or _ANSWERED.search(before))


# A relation and a comma right before a name: the name is in apposition to it.
_APPOSITION = re.compile(
    r"(?:\b(?:my|your|his|her|our|their)\s+(?:[a-z]+\s+)?(?:relation|cousin|son|stepson|daughter|brother|sister|wife|husband"
    r"|father|mother|uncle|aunt|nephew|niece|friend)|\bI),\s+$"
)
# "and Oz", "or Giles" right after a name: it is one of a list, not someone called.
_LISTED_NEXT = re.compile(r",?\s+(?:and|or|nor)\s+[A-Z]")
# A question asking who, right before a name: the name answers it.
_ANSWERED = re.compile(r"\b(?:[Ww]ho|[Ww]hom|[Ww]hich)\b[^.!?]*\?\s+$")


# The end of a sentence or clause, not the point of "Mrs. Hale"
_SENTENCE_END = re.compile(rf"(?<![\w.])(?!{HONORIFICS}\.)\w*[.!?;]\s")
_AFTER_PREPOSITION = re.compile(r"\b(?:to|at|with|by|of|for|from|on|in|upon)\s+$")
_CLOSING_MARKS = "\"'\u201d\u2019\u00bb"
_TAGS_AFTER = ("tag_after_verb_first", "tag_after")  # the rules of tags that follow their quote
# The patterns of tags after a quote, most telling first, with the rule each counts for
_TAGS_AFTER_BY_PATTERN = (
    ("tag_after_verb_first", "tag_after_verb_first"), ("tag_after", "tag_after"), ("tag_after_possessive", "tag_after")
)
_TAGS = (*_TAGS_AFTER, "tag_before", "script_line")
# Titles the cast may abbreviate: "Dr. Hale" is "the doctor" in a tag
_TITLE_ABBREVIATIONS = {"doctor": "dr", "professor": "prof", "reverend": "rev", "mister": "mr", "sergeant": "sgt"}
_EXCHANGE_REACH = 2  # paragraphs from one quote of an exchange to the next, at most (so one of narration between)
_LEAD = 200  # characters of the paragraph before a quote searched for a tag or an introduction
_ON_STAGE = 6  # how many recently named characters an untagged quote may fall back on
_FOCUS_RATIO = 1.5  # how much more often one gender's pronoun must open sentences to be the story's focus


def _reaction_after(text, quotes, found, patterns, referents) -> None:
    """An untagged paragraph of speech followed by narration opening "His voice cracks." or "Her
    eyes fill." is the speaker's: the narration describes how the words came out."""
    for i, q in enumerate(quotes):
        last_in_paragraph = i + 1 == len(quotes) or quotes[i + 1].paragraph != q.paragraph
        if found[i].speaker or not last_in_paragraph or text[q.after[0] : q.after[1]].strip():
            continue
        follows = text[q.after[1] : q.after[1] + _LEAD].lstrip()
        next_quote = quotes[i + 1].quote.open_start - q.after[1] if i + 1 < len(quotes) else _LEAD
        match = patterns["reaction"].match(follows)
        if match and match.end() < next_quote:
            speaker = referents[i].get(POSSESSIVE_GENDER[match.group("whose").lower()])
            if speaker:
                for k in range(i, -1, -1):  # the whole untagged paragraph
                    if quotes[k].paragraph != q.paragraph or found[k].speaker:
                        break
                    found[k] = Attribution(speaker, "reaction_after")


def _continued_quotes(quotes: list[QuoteInContext], found: list[Attribution]) -> None:
    """A quote carried over from the previous paragraph keeps that paragraph's speaker."""
    for i, q in enumerate(quotes):
        if q.continues and not found[i].speaker and i and found[i - 1].speaker:
            found[i] = Attribution(found[i - 1].speaker, "continued_quote")


def _focal_gender(text: str, names: Names) -> str | None:
    """The gender of the character a third-person story follows, when its sentences start with one
    gender's pronoun far more often than the other's ("She …" half as often again as "He …", _FOCUS_RATIO)."""
    starts = Counter(
        names.pronoun_gender.get(m.group(1).lower())
        for m in re.finditer(r"(?:^|[.!?]\s+)([A-Z][a-z]*)\b", text, re.MULTILINE)
        if m.group(1).lower() in names.pronoun_gender
    )
    for gender, other in (("male", "female"), ("female", "male")):
        if starts[gender] >= _FOCUS_RATIO * max(1, starts[other]):
            return gender
    return None


def _introduced_by_narration(text, quotes, found, patterns, names: Names, referents, on_stage, focus) -> None:
    """An untagged quote opening a paragraph right after narration about a character is theirs.

    ("Nell cleared her throat." then a paragraph of speech.) Only when the paragraph before held no
    speech, so that exchanges are left to turn-taking. Narration ending in "remarked:" is a lead-in,
    read by the last resort.
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
        if not match or not match.group("who"):
            continue
        gender = names.pronoun_gender.get(match.group("who").lower())
        if gender == NARRATOR_PERSON:
            # "I stood up." after someone else's line is the narrator's turn; after the narrator's own
            # line (or one not yet known) it is a pause before the other's answer.
            speaker = names.narrator if i and found[i - 1].speaker not in (names.narrator, None) else None
        elif gender:
            # "He turned to me." introduces him when the story is told in the first person, or
            # follows a character of the other gender. "She turns away." about the character the
            # story follows is most often followed by someone else's speech.
            speaker = referents[i][gender] if names.narrator or (focus and gender != focus) else None
            # Never someone named after the pronoun: "She turned to Ida." introduces the other woman.
            later = _named_in(lead, match.end("who"), len(lead), names)
            if speaker in later:
                others = (n for n in reversed(on_stage[i]) if names.gender.get(n) == gender and n not in later)
                speaker = next(others, None)
        else:
            speaker = names.resolve(match.group("who"), discover=False)
        spoke_last = found[i - 1].speaker if i else None
        if speaker and spoke_last not in (speaker, None) and patterns["reported"].search(lead, match.start()):
            # "I told her that the road was closed.": their answer is told, and the one it answered goes on.
            speaker = spoke_last
        if speaker:
            found[i] = Attribution(speaker, "introduced_by_narration")


def _in_parentheses(text: str, quotes: list[QuoteInContext]) -> list[bool]:
    """Per quote: whether it stands inside parentheses opened earlier in its paragraph."""
    inside: list[bool] = []
    paragraph, depth, counted_to = None, 0, 0
    for q in quotes:
        if q.paragraph != paragraph:
            paragraph, depth, counted_to = q.paragraph, 0, q.before[0]
        # Counted on from the last quote, so a long paragraph is read once, not once per quote.
        depth += text.count("(", counted_to, q.quote.open_start) - text.count(")", counted_to, q.quote.open_start)
        counted_to = q.quote.open_start
        inside.append(depth > 0)
    return inside


def _resumed_after_aside(quotes: list[QuoteInContext], found: list[Attribution], aside: list[bool]) -> None:
    """ '"You may not know--" ("I do," said Ida) "--but it is cold."': the words after an interjection in
    parentheses go on with the speaker of the words before it, unless a tag of their own says otherwise."""
    for i in range(2, len(quotes)):
        before, interjection = i - 2, i - 1
        same_paragraph = quotes[before].paragraph == quotes[i].paragraph
        if same_paragraph and aside[interjection] and not aside[i] and not aside[before] and found[i].rule not in _TAGS:
            if found[before].speaker:
                found[i] = Attribution(found[before].speaker, "same_paragraph")


def _same_paragraph(quotes: list[QuoteInContext], found: list[Attribution], subjects_before, aside: list[bool]) -> None:
    """An untagged quote shares the speaker of a tagged one in its paragraph, or of the quote it continues.

    The speaker carries on through the paragraph's untagged quotes that follow, unless the narration
    just before one of them has a subject of its own ("…" Nell laughed. Ida shook her head. "…").
    A quote in parentheses is someone else's interjection ('"…" ("I know," said Ida) "…"'): it shares
    no speaker with the quotes outside them (``aside``).
    """
    for i, q in enumerate(quotes):
        if found[i].speaker:
            continue
        own_subject = subjects_before[i] and subjects_before[i].speaker
        neighbours = [
            j for j in (i - 1, i + 1)
            if 0 <= j < len(quotes) and quotes[j].paragraph == q.paragraph and aside[j] == aside[i]
        ]
        for j in neighbours:
            carried_on = j < i and not own_subject
            if found[j].speaker and (found[j].rule != "same_paragraph" or carried_on):
                found[i] = Attribution(found[j].speaker, "same_paragraph")
                break
