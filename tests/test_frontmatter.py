import pytest

from pipeline.frontmatter import find_matter


def test_a_full_archive_header_and_closing_note_are_matter(fixture_path):
    text = fixture_path("fanfic-header-notes-and-end.txt").read_text(encoding="utf-8")
    matter = find_matter(text)
    assert (matter.title, matter.author) == ("The Lighthouse Keeper's Cat", "Mira Sandoval")
    assert text[matter.body_start :].startswith("The storm came in at dusk")
    assert text[: matter.body_end].rstrip().endswith("The cat said nothing, as cats do.")


@pytest.mark.parametrize(
    "header",
    [
        "Rating: PG\nDisclaimer: Not mine.",
        "Title: Salt\nWarnings: none\nA/N: for my sister",
        "Salt\n\nBy Ines Varga",
        "Salt Water Blues\n\nRating: PG",
        "Summary:\nA keeper and a storm.\nCategories: Gen",
        "Author's Note: my first fic here, please review!\nThanks to my beta readers.",
    ],
)
def test_header_forms_end_where_the_story_begins(header):
    text = f"{header}\n\nThe sea was grey that morning.\n"
    assert find_matter(text).body_start == text.index("The sea")


@pytest.mark.parametrize(
    "opening",
    [
        "The sea was grey that morning.",
        "Midnight, and the sea was grey.",
        "\u201cGo home,\u201d she said.",
        "Chapter One: The Sea",
        "It was the kind of night nobody remembers",  # no full stop, but not a title either
    ],
)
def test_a_story_opening_with_prose_or_a_heading_has_no_front_matter(opening):
    assert find_matter(f"{opening}\n\nThe boat was late.\n").body_start == 0


@pytest.mark.parametrize(
    "ending",
    ["END", "The End.", "~Fin~", "* * *\n\nTHE END", "A/N: thanks for reading!",
     "So that's it! Please review, reviews make my day."],
)  # fmt: skip
def test_closing_matter_is_cut_from_the_story(ending):
    text = f"The sea was grey that morning.\n\nThe boat came home.\n\n{ending}\n"
    assert find_matter(text).body_end == text.index(ending)


def test_a_last_paragraph_of_prose_is_kept():
    text = "The sea was grey that morning.\n\nShe read the last chapter of the letter twice.\n"
    assert find_matter(text).body_end == len(text)


def test_an_archive_preface_of_labels_and_values_is_all_matter():
    preface = (
        "Rating:\nGeneral Audiences\nArchive Warning:\nNo Archive Warnings Apply\nRelationships:\nMaren & Ines\n"
        "Additional Tags:\nFluff\nLanguage:\nEnglish\nStats:\nPublished: 2020-01-01 Words: 1200 Chapters: 1/1\n"
        "Summary:\nA keeper and a storm.\nNotes:\nFor my sister, who loves this fic.\n"
    )
    text = preface + "\nThe storm came in at dusk.\n"
    assert find_matter(text).body_start == text.index("The storm")
