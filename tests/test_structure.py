"""The story's shape: chapter headings, paragraphs in both layouts, scene breaks, and offsets that stay exact."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.frontmatter import find_matter
from pipeline.model import Chapter
from pipeline.structure import find_chapters, is_hard_wrapped, split_paragraphs, story_paragraphs

PROSE = "The lamp had gone out an hour before anyone noticed.\n"


def story(fixture_path, name: str) -> str:
    return fixture_path(name).read_text(encoding="utf-8")


def titles(chapters) -> list[str]:
    return [chapter.title for chapter in chapters]


def paragraph_texts(text: str, chapters=None) -> list[tuple[int, str, str]]:
    """(chapter number, H for heading / S for scene break / blank, text) for every paragraph."""
    chapters = chapters if chapters is not None else find_chapters(text, "Book")
    return [
        (chapter.number, "H" if p.heading else "S" if p.scene_break else " ", text[p.start : p.end])
        for chapter, p in story_paragraphs(text, chapters)
    ]


def assert_chapters_tile(text: str, chapters, start: int = 0) -> None:
    assert [c.number for c in chapters] == list(range(1, len(chapters) + 1))
    assert chapters[0].start == start
    assert chapters[-1].end == len(text)
    for before, after in zip(chapters, chapters[1:]):
        assert before.end == after.start
    for chapter in chapters:
        assert chapter.start <= chapter.end
        if chapter.body_start is not None:
            assert chapter.start < chapter.body_start <= chapter.end


# --- headings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading, title",
    [
        ("Chapter 2", "Chapter 2"),
        ("Chapter 12.", "Chapter 12"),
        ("Chapter Two: The Crypt", "Chapter Two: The Crypt"),
        ("Chapter Twenty-One - Salt", "Chapter Twenty-One: Salt"),
        ("CHAPTER IV", "Chapter IV"),
        ("CHAPTER I.\nDown the Well", "Chapter I: Down the Well"),
        ("  Chapter 3 \u2014 The Road North  ", "Chapter 3: The Road North"),
        ("Part II", "Part II"),
        ("BOOK THE FIRST", "Book THE FIRST"),
        ("Prologue", "Prologue"),
        ("Epilogue", "Epilogue"),
        ("Epilogue: Ten Years On", "Epilogue: Ten Years On"),
        ("Interlude", "Interlude"),
    ],
)
def test_a_heading_starts_a_chapter_with_its_title(heading, title):
    text = f"{heading}\n\n{PROSE}"
    (chapter,) = find_chapters(text, "Book")
    assert chapter.title == title
    assert chapter.start == len(heading) - len(heading.lstrip())
    assert text[chapter.start : chapter.body_start].strip() == heading.strip()
    assert chapter.end == len(text)


@pytest.mark.parametrize(
    "line",
    [
        "Chapter 2 was the worst of the lot.",
        "Part of me wanted to stay.",
        "Prologues are for people with patience.",
        "The prologue was long.",
        "\u201cChapter One,\u201d she read aloud.",
        "Book two of the series never came out",
    ],
)
def test_prose_that_mentions_chapters_is_not_a_heading(line):
    text = f"{PROSE}{line}\n{PROSE}"
    assert find_chapters(text, "Book") == (Chapter(1, "Book", 0, len(text)),)


def test_a_story_without_headings_is_one_chapter_named_after_the_story():
    text = "Nobody came.\nNobody called.\n"
    assert find_chapters(text, "A Quiet Week") == (Chapter(1, "A Quiet Week", 0, len(text), body_start=None),)


def test_text_before_the_first_heading_is_a_chapter_titled_with_the_book(fixture_path):
    text = story(fixture_path, "structure-chapter-headings.txt")
    chapters = find_chapters(text, "The Dark Light")
    assert chapters[0] == Chapter(1, "The Dark Light", 0, text.index("Prologue"), body_start=None)


def test_blank_lines_before_the_first_heading_are_not_a_chapter():
    text = "\n\n   \nChapter 1\n\nOdile climbed the stairs.\n"
    chapters = find_chapters(text, "Book")
    assert titles(chapters) == ["Chapter 1"]
    assert chapters[0].start == text.index("Chapter 1")


def test_every_kind_of_heading_in_one_story(fixture_path):
    text = story(fixture_path, "structure-chapter-headings.txt")
    chapters = find_chapters(text, "The Dark Light")
    assert titles(chapters) == [
        "The Dark Light",
        "Prologue",
        "Chapter 1",
        "Chapter Two: The Crypt",
        "Chapter III",
        "Chapter IV: The Long Way Round",
        "Book II \u2014 Chapter V",
        "Part III",
        "Epilogue",
    ]
    assert_chapters_tile(text, chapters)
    crypt = chapters[3]
    assert "Chapter 2 was the worst of the lot." in text[crypt.body_start : crypt.end]


def test_consecutive_headings_merge_into_one_chapter():
    text = "BOOK I\n\nCHAPTER I\n\nIt began with rain.\n\nCHAPTER II\n\nIt went on raining.\n"
    chapters = find_chapters(text, "Book")
    assert titles(chapters) == ["Book I \u2014 Chapter I", "Chapter II"]
    assert chapters[0].start == 0
    assert chapters[0].body_start == text.index("\n\nIt began")
    assert_chapters_tile(text, chapters)


def test_a_title_line_is_not_taken_from_the_next_heading():
    text = "Prologue\nChapter 1\n\nIt began with rain.\n"
    chapters = find_chapters(text, "Book")
    assert titles(chapters) == ["Prologue \u2014 Chapter 1"]


def test_a_separator_under_a_heading_is_not_its_title():
    text = "Chapter 3\n* * *\nThe rain had not stopped for three days, and the roof had begun to give.\n"
    (chapter,) = find_chapters(text, "Book")
    assert chapter.title == "Chapter 3"
    assert paragraph_texts(text) == [
        (1, "H", "Chapter 3"),
        (1, "S", "* * *"),
        (1, " ", "The rain had not stopped for three days, and the roof had begun to give."),
    ]


def test_title_and_author_lines_are_left_out_of_the_chapters(fixture_path):
    text = "Title: Salt\nAuthor: Ines Varga\n\nChapter 1\n\nThe sea was grey.\n"
    chapters = find_chapters(text, "Salt", find_matter(text).body_start)
    assert titles(chapters) == ["Chapter 1"]
    text = "Title: Salt\nAuthor: Ines Varga\n\nThe sea was grey.\n"
    chapters = find_chapters(text, "Salt", find_matter(text).body_start)
    assert chapters == (Chapter(1, "Salt", text.index("The sea"), len(text)),)
    assert paragraph_texts(text, chapters) == [(1, " ", "The sea was grey.")]


# --- paragraphs ----------------------------------------------------------------------------------------


def test_one_line_per_paragraph(fixture_path):
    text = story(fixture_path, "structure-one-line-paragraphs.txt")
    assert not is_hard_wrapped(text)
    assert paragraph_texts(text) == [
        (1, "H", "Chapter 1: Rain on the Roof"),
        (1, " ", "Juno kicked the door shut behind her and shook the water out of her hair."),
        (1, " ", '"You\'re dripping on the rug," Pell said from the sofa.'),
        (1, " ", '"I\'m aware."'),
        (1, " ", '"It\'s a new rug."'),
        (1, " ", '"It\'s a wet rug now."'),
        (1, " ", 'He put his book down. "Did you find the key?"'),
        (1, " ", '"No."'),
        (1, " ", '"Did you look?"'),
        (1, " ", "She threw her coat at him."),
        (1, "S", "* * *"),
        (1, " ", "The next morning the rain had stopped, and the street smelled of wet stone."),
        (1, " ", '"Still no key," Juno said.'),
        (1, " ", '"Then we climb," said Pell.'),
        (2, "H", "Chapter 2: The Window"),
        (2, " ", "The window on the second floor was open an inch, just as he had promised."),
        (2, " ", '"After you," he said.'),
        (2, " ", '"Absolutely not."'),
    ]


def test_one_line_per_paragraph_with_blank_lines_between():
    lines = ["\u201cReady?\u201d", "\u201cNo.\u201d", "They went anyway, because nobody had a better idea."]
    text = "\n\n".join(lines) + "\n"
    assert not is_hard_wrapped(text)
    assert paragraph_texts(text) == [(1, " ", line) for line in lines]


def test_hard_wrapped_paragraphs(fixture_path):
    text = story(fixture_path, "structure-hard-wrapped.txt")
    assert is_hard_wrapped(text)
    found = paragraph_texts(text, find_chapters(text, "The Clockmaker's Apprentice"))
    assert [(number, kind, body[:40]) for number, kind, body in found] == [
        (1, " ", "THE CLOCKMAKER'S APPRENTICE"),
        (1, " ", "By Wren Halloway"),
        (2, "H", "CHAPTER I."),
        (2, "H", "The Shop on Bellfounder Lane"),
        (2, " ", "The shop stood at the narrow end of Bell"),
        (2, " ", "\"You are late,\" said Master Orrin, witho"),
        (2, " ", "\"The bells were wrong again,\" answered T"),
        (2, "S", "* * *"),
        (2, " ", "By evening the rain had come, and the cl"),
        (3, "H", "CHAPTER II."),
        (3, "H", "A Key That Would Not Turn"),
        (3, " ", "Tamsin found the key in the drawer benea"),
    ]
    shop = found[4][2]
    assert shop.count("\n") == 4 and shop.endswith("about the hour.")


def test_a_wrapped_story_without_headings():
    text = (
        "The ferry left at six, and nobody on the quay seemed to mind that it\n"
        "left without its captain, who was still asleep in the harbour inn.\n"
        "\n"
        "By seven the gulls had found the breakfast tables on the top deck, and\n"
        "by eight there was nothing left on them that anyone wanted to eat.\n"
    )
    assert is_hard_wrapped(text)
    assert [body for _, _, body in paragraph_texts(text)] == [
        text[: text.index("\n\n")],
        text[text.index("By seven") :].strip(),
    ]


@pytest.mark.parametrize("text", ["", "\n\n  \n", "One line."])
def test_text_without_wrapped_blocks_is_not_hard_wrapped(text):
    assert not is_hard_wrapped(text)


@pytest.mark.parametrize("separator", ["* * *", "***", "= = = =", "~~~", "----", "#", "\u2022 \u2022 \u2022"])
@pytest.mark.parametrize("wrapped", [False, True], ids=["one line each", "hard-wrapped"])
def test_scene_separators_are_scene_breaks(separator, wrapped):
    text = f"They slept.\n\n   {separator}  \n\nMorning came.\n"
    paragraphs = split_paragraphs(text, 0, len(text), wrapped)
    assert [(text[p.start : p.end], p.scene_break, p.heading) for p in paragraphs] == [
        ("They slept.", False, False),
        (separator, True, False),
        ("Morning came.", False, False),
    ]


@pytest.mark.parametrize("silence", ["\u201c\u2026\u201d", '"..."', "\u201c?!\u201d", "\u2018\u2014\u2019"])
def test_a_wordless_line_of_dialogue_is_not_a_scene_break(silence):
    text = f"\u201cAre you angry with me?\u201d she asked.\n{silence}\n\u201cFine. Be like that.\u201d\n"
    assert [kind for _, kind, _ in paragraph_texts(text)] == [" ", " ", " "]


def test_split_paragraphs_stays_within_its_range():
    text = "Before.\nOne.\n\nTwo.\nAfter."
    start, end = text.index("One"), text.index("\nAfter")
    assert [text[p.start : p.end] for p in split_paragraphs(text, start, end, wrapped=False)] == ["One.", "Two."]
    assert [text[p.start : p.end] for p in split_paragraphs(text, start, end, wrapped=True)] == ["One.", "Two."]


def test_every_paragraph_is_an_exact_trimmed_slice(fixture_path):
    for name in ["structure-chapter-headings.txt", "structure-one-line-paragraphs.txt", "structure-hard-wrapped.txt"]:
        text = story(fixture_path, name)
        chapters = find_chapters(text, "Book")
        assert_chapters_tile(text, chapters)
        previous_end = 0
        for chapter, paragraph in story_paragraphs(text, chapters):
            piece = text[paragraph.start : paragraph.end]
            assert piece and piece == piece.strip()
            assert chapter.start <= paragraph.start and paragraph.end <= chapter.end
            assert paragraph.start >= previous_end
            previous_end = paragraph.end


def test_heading_lines_are_heading_paragraphs_and_only_they(fixture_path):
    text = story(fixture_path, "structure-chapter-headings.txt")
    chapters = find_chapters(text, "Book")
    headings = [(c.number, text[p.start : p.end]) for c, p in story_paragraphs(text, chapters) if p.heading]
    assert headings == [
        (2, "Prologue"),
        (3, "Chapter 1"),
        (4, "Chapter Two: The Crypt"),
        (5, "CHAPTER III"),
        (6, "CHAPTER IV."),
        (6, "The Long Way Round"),
        (7, "BOOK II"),
        (7, "CHAPTER V"),
        (8, "Part III"),
        (9, "Epilogue"),
    ]


# --- any text at all -----------------------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        "\n", "\n\n", "\r\n", " ", "\t", "Chapter 1", "CHAPTER IV.", "Chapter Two: The Crypt", "Part II", "Prologue",
        "BOOK I", "Epilogue", "* * *", "----", "~~~", "\u201c", "\u201d", '"', "'", "\u2019", "\u2026", "\u2014",
        "said Tara.", "Title: Salt", "By Ines Varga", "\u00e9t\u00e9", "\u4e2d\u6587", "\U0001f600", "\u2028",
        "\x0c", "\x85", "\u00a0", "\u3000", "x" * 120,
    ]
)  # fmt: skip
STORIES = st.lists(st.one_of(PIECES, st.text(max_size=30)), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(STORIES)
@example("Chapter 1\n")
@example("\u2028Chapter 1\n\nText")
@example("Title: Salt\n\nPrologue\nChapter 1")
def test_any_text_gives_ordered_non_overlapping_paragraphs_within_their_chapters(text):
    for body_start in {0, find_matter(text).body_start}:
        chapters = find_chapters(text, "Book", body_start)
        assert_chapters_tile(text, chapters, start=chapters[0].start)
        assert chapters[0].start >= body_start
        assert not any(ch.isalnum() for ch in text[body_start : chapters[0].start])  # nothing to read is lost
        previous_end = 0
        for chapter, paragraph in story_paragraphs(text, chapters):
            piece = text[paragraph.start : paragraph.end]
            assert piece.strip()
            assert piece == piece.strip()
            assert chapter.start <= paragraph.start < paragraph.end <= chapter.end
            assert paragraph.start >= previous_end
            previous_end = paragraph.end


# --- fan-fiction conventions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading, title",
    [("# The Crypt", "The Crypt"), ("## Chapter 3", "Chapter 3"), ("### CHAPTER IV: Salt ###", "Chapter IV: Salt")],
)
def test_markdown_headings_are_chapters(heading, title):
    text = f"{PROSE}\n{heading}\n\n{PROSE}"
    chapters = find_chapters(text, "Book")
    assert titles(chapters) == ["Book", title]
    assert text[chapters[1].start : chapters[1].body_start].strip() == heading.strip()


@pytest.mark.parametrize("separator", ["= = = =", "***", "* * *", "~~~", "----", "oOo", "xXx", "-o0o-", "#", "   #   "])
def test_every_separator_form_is_a_scene_break(separator):
    text = f"{PROSE}\n{separator}\n\n{PROSE}"
    assert [kind for _, kind, _ in paragraph_texts(text)] == [" ", "S", " "]


@pytest.mark.parametrize("line", ["Ooo, look at that.", "Ooo", "Oh.", "OOO", "Xx"])
def test_words_that_look_like_ornaments_are_prose(line):
    assert paragraph_texts(f"{PROSE}\n{line}\n")[1] == (1, " ", line)


def test_authors_notes_inside_the_story_are_never_paragraphs(fixture_path):
    text = story(fixture_path, "fanfic-header-notes-and-end.txt")
    matter = find_matter(text)
    paragraphs = paragraph_texts(text, find_chapters(text, "Book", matter.body_start, matter.body_end))
    assert [t for _, kind, t in paragraphs if kind == "S"] == ["* * *", "oOo"]  # the closing "= = =" is back matter
    spoken = [t for _, kind, t in paragraphs if kind != "S"]
    assert not [t for t in spoken if "A/N" in t or "review" in t or "END" in t or "Rating" in t]
    assert spoken[0].startswith("The storm came in") and spoken[-1] == "The cat said nothing, as cats do."


def test_notes_that_open_or_close_a_chapter_are_not_read():
    text = (
        "Chapter 1\n\nThe tide turned.\n\nPlease review, it makes my day!\n\n"
        "Chapter 2\n\nThanks for all the reviews! I don't own any of them.\n\nThe boats came home.\n\n"
        "She reviewed the logbook.\n"
    )
    spoken = [t for _, kind, t in paragraph_texts(text)]
    assert spoken == ["Chapter 1", "The tide turned.", "Chapter 2", "The boats came home.", "She reviewed the logbook."]
