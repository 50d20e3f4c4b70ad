"""voices.yaml: packaged defaults, the user's overrides, and validation that names file, line and key.

Every problem in a file is collected before anything is reported, as lines of the form
``voices.yaml:12: characters.Tara.rate: expected a number, got 'slow'``. Unknown keys are warnings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import yaml

from .errors import AudiobookError, ConfigError, read_input
from .model import ENGINES, GENDERS, Character, Pauses, ThoughtStyle, Voice

SINGLE_QUOTE_MODES = ("auto", "thought", "dialogue", "ignore")
SECTIONS = ("narrator", "characters", "attribution", "thoughts", "pauses", "pronounce")
DEFAULTS_NAME = "defaults.yaml"


@dataclass(frozen=True)
class AttributionRules:
    """The words and switches the segmenter's heuristics read."""

    single_quotes: str = "auto"
    turn_taking: bool = True
    speech_verbs: tuple[str, ...] = ()
    thought_verbs: tuple[str, ...] = ()
    speech_participles: tuple[str, ...] = ()
    male_pronouns: tuple[str, ...] = ()
    female_pronouns: tuple[str, ...] = ()
    first_person_pronouns: tuple[str, ...] = ()
    male_nouns: tuple[str, ...] = ()
    female_nouns: tuple[str, ...] = ()
    person_nouns: tuple[str, ...] = ()
    speaker_parts: tuple[str, ...] = ()
    wordless_replies: tuple[str, ...] = ()
    narrator_gestures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    narrator: Voice
    characters: tuple[Character, ...]
    attribution: AttributionRules
    pauses: Pauses
    source: str  # the user's file, or the packaged defaults
    warnings: tuple[str, ...] = field(default=())
    pronounce: tuple[tuple[str, str], ...] = field(default=())  # (word as written, what the engine says)
    thoughts: ThoughtStyle = field(default=ThoughtStyle())
    narrator_character: str | None = None  # a first-person narrator's name: "I said" is theirs


class _Problems:
    """Errors and warnings found while reading one file, each prefixed with file and line."""

    def __init__(self, filename: str):
        self.filename = filename
        self._errors: list[tuple[int, str]] = []
        self._warnings: list[tuple[int, str]] = []

    def _line(self, node: yaml.Node, path: str, message: str) -> tuple[int, str]:
        line = node.start_mark.line + 1
        where = f"{path}: " if path else ""  # the file's top level has no key path
        return line, f"{self.filename}:{line}: {where}{message}"

    def error(self, node: yaml.Node, path: str, message: str) -> None:
        self._errors.append(self._line(node, path, message))

    def warn(self, node: yaml.Node, path: str, message: str) -> None:
        self._warnings.append(self._line(node, path, message))

    # In the order of the file, whichever section found them first.
    @property
    def errors(self) -> list[str]:
        return [message for _, message in sorted(self._errors, key=lambda found: found[0])]

    @property
    def warnings(self) -> list[str]:
        return [message for _, message in sorted(self._warnings, key=lambda found: found[0])]


# --- reading scalar values --------------------------------------------------------------------------

_MISSING = object()
_CONSTRUCTOR = yaml.SafeLoader("")


def _scalar(node: yaml.Node) -> Any:
    """The plain Python value of a scalar node, as PyYAML's safe loader would give it.

    A tag the safe loader refuses or cannot apply ("!!python/object", "!!int fast") leaves the text as
    written, for the field's reader to judge.
    """
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError):
        return node.value


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _shown(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        local_tag = "" if node.tag.startswith("tag:yaml.org,2002:") else f"{node.tag} "  # "!custom 5"
        return f"{local_tag}{node.value!r}"
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


def _number(node, path, problems, low, high, integer=False):
    value = _scalar(node) if isinstance(node, yaml.ScalarNode) else _MISSING
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
        isinstance(value, float) and not math.isfinite(value)
    ):
        kind = "a whole number" if integer else "a number"
        problems.error(node, path, f"expected {kind}, got {_shown(node)}")
        return _MISSING
    if integer and isinstance(value, float) and not value.is_integer():
        problems.error(node, path, f"expected a whole number, got {_shown(node)}")
        return _MISSING
    if not low <= value <= high:
        problems.error(node, path, f"expected a value from {low} to {high}, got {value}")
        return _MISSING
    return int(value) if integer else float(value)


def _text(node, path, problems):
    value = _scalar(node) if isinstance(node, yaml.ScalarNode) else _MISSING
    if isinstance(value, (bool, int, float)):
        value = node.value  # a word YAML reads as a boolean or a number: "No", "On", "1984"
    if not isinstance(value, str) or not value.strip():
        problems.error(node, path, f"expected text, got {_shown(node)}")
        return _MISSING
    return value.strip()


def _word_list(node, path, problems):
    """A list of words; a single word is accepted as a list of one."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if isinstance(node, yaml.MappingNode):
        problems.error(node, path, "expected a list of words, got a mapping")
        return _MISSING
    words = [_text(item, f"{path}[{i}]", problems) for i, item in enumerate(items)]
    if _MISSING in words:
        return _MISSING
    return tuple(words)


def _boolean(node, path, problems):
    value = _scalar(node) if isinstance(node, yaml.ScalarNode) else _MISSING
    if not isinstance(value, bool):
        problems.error(node, path, f"expected true or false, got {_shown(node)}")
        return _MISSING
    return value


def _choice(choices):
    def read(node, path, problems):
        value = _scalar(node) if isinstance(node, yaml.ScalarNode) else _MISSING
        if value not in choices:
            problems.error(node, path, f"expected one of {', '.join(choices)}, got {_shown(node)}")
            return _MISSING
        return value

    return read


def _voice_id(node, path, problems):
    from .voices import check_voice_id  # the catalogue asks the engine; only load it when needed

    value = _text(node, path, problems)
    if value is _MISSING:
        return value
    try:
        return check_voice_id(value)
    except AudiobookError as error:
        problems.error(node, path, str(error))
        return _MISSING


def _engine(node, path, problems):
    from .engine import missing_engine  # like the catalogue: only loaded when a file names an engine

    name = _choice(ENGINES)(node, path, problems)
    if name is not _MISSING and (missing := missing_engine(name)):
        problems.error(node, path, missing)
        return _MISSING
    return name


def _model(node, path, problems):
    """A Piper voice model: a path, relative to the voices file's folder unless absolute."""
    value = _text(node, path, problems)
    if value is _MISSING:
        return value
    model = Path(problems.filename).parent / Path(value).expanduser()
    if not model.is_file():
        problems.error(node, path, f"no voice model at {model}")
        return _MISSING
    return str(model.resolve())


# --- sections ---------------------------------------------------------------------------------------

Reader = Callable[[yaml.Node, str, _Problems], Any]

VOICE_FIELDS: dict[str, Reader] = {
    "voice": _voice_id,
    "rate": lambda n, p, pr: _number(n, p, pr, 80, 500, integer=True),
    "pitch": lambda n, p, pr: _number(n, p, pr, 0, 100, integer=True),
    "volume": lambda n, p, pr: _number(n, p, pr, 0.0, 1.0),
    "engine": _engine,
    "model": _model,
}
NARRATOR_FIELDS: dict[str, Reader] = {**VOICE_FIELDS, "character": _text}
CHARACTER_FIELDS: dict[str, Reader] = {
    "aliases": _word_list,
    "gender": _choice(GENDERS),
    **VOICE_FIELDS,
}
ATTRIBUTION_FIELDS: dict[str, Reader] = {
    "single_quotes": _choice(SINGLE_QUOTE_MODES),
    "turn_taking": _boolean,
    "speech_verbs": _word_list,
    "thought_verbs": _word_list,
    "speech_participles": _word_list,
    "male_pronouns": _word_list,
    "female_pronouns": _word_list,
    "first_person_pronouns": _word_list,
    "male_nouns": _word_list,
    "female_nouns": _word_list,
    "person_nouns": _word_list,
    "speaker_parts": _word_list,
    "wordless_replies": _word_list,
    "narrator_gestures": _word_list,
}
def _variant(node, path, problems):
    """An eSpeak NG variant name ("whisper", "f3"), checked against the installed ones."""
    from .voices import list_variants

    value = _text(node, path, problems)
    if value is _MISSING:
        return value
    canonical = value.lower().replace(" ", "-")
    if canonical not in {variant.id for variant in list_variants()}:
        problems.error(node, path, f"unknown variant '{value}'; see `audiobook voices`")
        return _MISSING
    return canonical


THOUGHT_FIELDS: dict[str, Reader] = {
    "rate": lambda n, p, pr: _number(n, p, pr, 0.5, 2.0),
    "pitch": lambda n, p, pr: _number(n, p, pr, -50, 50, integer=True),
    "volume": lambda n, p, pr: _number(n, p, pr, 0.1, 1.0),
    "variant": _variant,
}
PAUSE_FIELDS: dict[str, Reader] = {
    name: (lambda n, p, pr: _number(n, p, pr, 0, 60_000, integer=True))
    for name in ("sentence", "paragraph", "speaker_change", "scene", "chapter")
}


def _pairs(node, path, problems):
    """The (key, key node, value node) pairs of a mapping; duplicate keys are errors."""
    if _is_null(node):
        return []
    if not isinstance(node, yaml.MappingNode):
        problems.error(node, path, f"expected a mapping, got {_shown(node)}")
        return []
    seen: dict[str, int] = {}
    pairs = []
    for key_node, value_node in node.value:
        # A key is the text as written: a character called "No" or "1984" is not False or 1984.
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not key:
            problems.error(key_node, path, "keys must be plain text")
            continue
        if key in seen:
            problems.error(key_node, f"{path}.{key}" if path else key, f"listed twice (first on line {seen[key]})")
            continue
        seen[key] = key_node.start_mark.line + 1
        pairs.append((key, key_node, value_node))
    return pairs


def _fields(node, path, fields: dict[str, Reader], problems) -> dict[str, Any]:
    """Read the known keys of a mapping with their readers; warn about the others."""
    values = {}
    for key, key_node, value_node in _pairs(node, path, problems):
        key_path = f"{path}.{key}" if path else key
        reader = fields.get(key)
        if reader is None:
            problems.warn(key_node, key_path, f"unknown key (ignored; known: {', '.join(fields)})")
            continue
        value = reader(value_node, key_path, problems)
        if value is not _MISSING:
            values[key] = value
    return values


def _voice(values: dict[str, Any], base: Voice, node: yaml.Node, path: str, problems: _Problems) -> Voice:
    engine = values.get("engine", base.engine)
    if engine == "piper":
        model = values.get("model", base.model)
        if not model:
            if "engine" in values:  # a model that failed its own check is reported already
                problems.error(node, f"{path}.model", "the piper engine needs a voice model (.onnx file)")
            return base
        if "voice" in values:
            problems.warn(node, f"{path}.voice", "ignored: the piper engine speaks its model's voice")
        return replace(base, id=Path(model).stem, engine=engine, model=model, **_settings(values))
    if "model" in values:
        problems.warn(node, f"{path}.model", "ignored: only the piper engine reads a voice model")
    return replace(base, id=values.get("voice", base.id), engine=engine, model="", **_settings(values))


def _settings(values: dict[str, Any]) -> dict[str, Any]:
    return {key: values[key] for key in ("rate", "pitch", "volume") if key in values}


def _characters(node, narrator: Voice, problems) -> tuple[Character, ...]:
    characters = []
    owner_of_name: dict[str, str] = {}
    for name, key_node, value_node in _pairs(node, "characters", problems):
        path = f"characters.{name}"
        values = _fields(value_node, path, CHARACTER_FIELDS, problems)
        aliases = tuple(a for a in values.get("aliases", ()) if a != name)
        for spoken in (name, *aliases):
            owner = owner_of_name.setdefault(spoken.casefold(), name)
            if owner != name:
                problems.error(key_node, path, f"the name '{spoken}' is already used by {owner}")
        has_voice = any(key in values for key in VOICE_FIELDS)
        voice = None
        if has_voice:
            # A character who sets only rate or pitch still has their voice id chosen by the cast.
            voice = _voice(values, narrator.uncast(), value_node, path, problems)
        characters.append(Character(name=name, aliases=aliases, gender=values.get("gender", "unknown"), voice=voice))
    return tuple(characters)


def _pronounce(node, base: tuple[tuple[str, str], ...], problems) -> tuple[tuple[str, str], ...]:
    """The lexicon: the defaults' words, then the file's, a word listed again taking the file's spelling."""
    lexicon = dict(base)
    for word, _, value_node in _pairs(node, "pronounce", problems):
        said = _text(value_node, f"pronounce.{word}", problems)
        if said is not _MISSING:
            lexicon[word] = said
    return tuple(lexicon.items())


def _read(node: yaml.Node, defaults: Config | None, problems: _Problems) -> Config:
    base = defaults or Config(
        narrator=Voice(id="en-us"), characters=(), attribution=AttributionRules(), pauses=Pauses(), source=""
    )
    sections = {}
    for key, key_node, value_node in _pairs(node, "", problems):
        if key in SECTIONS:
            sections[key] = value_node
        else:
            problems.warn(key_node, key, f"unknown key (ignored; known: {', '.join(SECTIONS)})")
    narrator, narrator_character = base.narrator, base.narrator_character
    if "narrator" in sections:
        values = _fields(sections["narrator"], "narrator", NARRATOR_FIELDS, problems)
        narrator = _voice(values, base.narrator, sections["narrator"], "narrator", problems)
        narrator_character = values.get("character", narrator_character)
    characters = base.characters
    if "characters" in sections:
        characters = _characters(sections["characters"], narrator, problems)
    if narrator_character and not any(narrator_character in c.names for c in characters):
        # The first-person narrator speaks too, so they are in the cast even when not listed there.
        characters = (*characters, Character(name=narrator_character))
    attribution = base.attribution
    if "attribution" in sections:
        attribution = replace(attribution, **_fields(sections["attribution"], "attribution", ATTRIBUTION_FIELDS, problems))
    thoughts = base.thoughts
    if "thoughts" in sections:
        thoughts = replace(thoughts, **_fields(sections["thoughts"], "thoughts", THOUGHT_FIELDS, problems))
    pauses = base.pauses
    if "pauses" in sections:
        pauses = replace(pauses, **_fields(sections["pauses"], "pauses", PAUSE_FIELDS, problems))
    pronounce = base.pronounce
    if "pronounce" in sections:
        pronounce = _pronounce(sections["pronounce"], base.pronounce, problems)
    return Config(
        narrator, characters, attribution, pauses, source=problems.filename, warnings=tuple(problems.warnings),
        pronounce=pronounce, thoughts=thoughts, narrator_character=narrator_character,
    )


def _compose(text: str, filename: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as error:  # a character YAML does not allow, such as a control code
        line = text.count("\n", 0, error.position) + 1
        character = error.character if isinstance(error.character, int) else ord(error.character)
        problem = f"the character U+{character:04X} is not allowed"
        raise ConfigError(f"{filename}:{line}: not valid YAML: {problem}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = error.problem or "not valid YAML"
        if "'\\t'" in problem:
            problem = "a tab character; YAML indents with spaces"
        raise ConfigError(f"{filename}{line}: not valid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{filename}: not valid YAML: {error}") from None


def parse_config(text: str, filename: str, defaults: Config | None = None) -> Config:
    """Read voices.yaml text over ``defaults``; raise ConfigError listing every problem."""
    problems = _Problems(filename)
    node = _compose(text, filename) or yaml.compose("{}")  # an empty file means all defaults
    config = _read(node, defaults, problems)
    if problems.errors:
        raise ConfigError("\n".join(problems.errors))
    return config


def packaged_defaults() -> Config:
    text = resources.files("pipeline").joinpath(DEFAULTS_NAME).read_text(encoding="utf-8")
    return parse_config(text, DEFAULTS_NAME)


def load_config(path: Path | None) -> Config:
    """The packaged defaults, overridden by the user's file when one is given."""
    defaults = packaged_defaults()
    if path is None:
        return defaults
    path = Path(path)
    data = read_input(path, "voices file", ConfigError)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start})") from None
    return parse_config(text, str(path), defaults)
