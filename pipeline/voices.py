"""The voice catalogue: which voice ids a user may write, and what eSpeak NG calls each of them.

A voice id is ``BASE`` or ``BASE+VARIANT``, lowercase: ``en-us``, ``en-gb-x-rp+m3``. ``BASE`` is the
language name ``espeak-ng --voices`` shows for a voice; ``VARIANT`` names a file in espeak-ng-data's
``voices/!v`` (lowercased, spaces as ``-``).

The catalogue is read from the eSpeak NG library that pyttsx3 drives, never from the command-line
tool, because that library is what will speak. It cannot take user ids as they are: its
``SetVoiceByName`` finds a voice by file name or by its last path part, case-insensitively, but not
by language, so ``en-gb`` (file ``gmw/en``), ``fr-fr`` (``roa/fr``) and ``chr-us-qaaa-x-west``
(``iro/chr``) are refused, and pyttsx3's queued ``setProperty`` swallows the refusal: the previous
voice keeps speaking. A variant not spelled exactly like its file (``+M3``; ``+alex`` for ``Alex``)
is dropped without even an error code. :func:`engine_voice_name` therefore translates every id to
the library's own identifier plus the variant's exact file name, and the engine verifies the result.
"""

from __future__ import annotations

import atexit
import ctypes
import difflib
import functools
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import VoiceError
from .model import GENDERS
MBROLA_DIRS = (Path("/usr/share/mbrola"), Path("/usr/local/share/mbrola"))

# Distinct-sounding English voices for characters without one. Within a pool no two share a variant
# (the variant sets pitch, formants and timbre), and the accents rotate, so any two differ in at
# least one and usually both. Only the human-sounding variants: no klatt, robot or whisper ones.
_POOLS = {
    "male": (
        "en-us+m3", "en-gb-x-rp+m1", "en-gb-scotland+m2", "en-gb+m6", "en-us-nyc+m8",
        "en-gb-x-gbclan+m4", "en-us+m7", "en-gb-x-rp+andy", "en-029+m5", "en-gb-scotland+lee",
        "en-gb-x-gbcwmd+travis", "en-us+victor",
    ),
    "female": (
        "en-us+f2", "en-gb-x-rp+f1", "en-gb-scotland+f3", "en-us+f4", "en-gb+f5",
        "en-us-nyc+steph", "en-gb-x-rp+linda", "en-gb-x-gbclan+annie", "en-us+alicia",
        "en-gb-scotland+andrea", "en-029+belinda", "en-gb-x-gbcwmd+anika",
    ),
    # A neutral mix: alternate male and female variants, on combinations the other pools don't use.
    "unknown": (
        "en-gb+m3", "en-us+f1", "en-gb-x-rp+m2", "en-gb+f2", "en-us+m4", "en-gb-x-rp+f4",
        "en-gb-scotland+m1", "en-us-nyc+f3",
    ),
}


@dataclass(frozen=True)
class VoiceInfo:
    id: str  # what a user writes: "en-gb-x-rp", or "en-gb-x-rp+m3" from describe()
    language: str
    gender: str  # male | female | unknown
    name: str


@dataclass(frozen=True)
class VariantInfo:
    id: str  # "m3", "mr-serious"
    gender: str
    name: str


@dataclass(frozen=True)
class _Catalogue:
    voices: tuple[VoiceInfo, ...]
    variants: tuple[VariantInfo, ...]
    identifiers: Mapping[str, str]  # base id -> the library's voice identifier: "en-gb" -> "gmw/en"
    variant_files: Mapping[str, str]  # variant id -> file name in voices/!v: "alex" -> "Alex"


def list_voices() -> tuple[VoiceInfo, ...]:
    """The base voices the engine offers, in the library's order."""
    return _catalogue().voices


def list_variants() -> tuple[VariantInfo, ...]:
    return _catalogue().variants


def check_voice_id(voice_id: str) -> str:
    """The canonical (lowercase) form of *voice_id*, or a VoiceError listing close matches."""
    canonical = voice_id.strip().lower()
    base, plus, variant = canonical.partition("+")
    catalogue = _catalogue()
    if base in catalogue.identifiers and (not plus or variant in catalogue.variant_files):
        return canonical
    matches = _close_matches(canonical, catalogue)
    hint = f"close matches: {', '.join(matches)}" if matches else "see `audiobook voices`"
    raise VoiceError(f"unknown voice '{voice_id}'; {hint}")


def describe(voice_id: str) -> VoiceInfo:
    """What a (possibly variant) voice id stands for; the variant's gender wins over the base's."""
    canonical = check_voice_id(voice_id)
    base_id, plus, variant_id = canonical.partition("+")
    base = next(v for v in list_voices() if v.id == base_id)
    if not plus:
        return base
    variant = next(v for v in list_variants() if v.id == variant_id)
    gender = base.gender if variant.gender == "unknown" else variant.gender
    return VoiceInfo(canonical, base.language, gender, f"{base.name} + {variant.name}")


def engine_voice_name(voice_id: str) -> str:
    """The name eSpeak NG's SetVoiceByName accepts for *voice_id*: "en-gb+m3" -> "gmw/en+m3"."""
    base, plus, variant = check_voice_id(voice_id).partition("+")
    catalogue = _catalogue()
    name = catalogue.identifiers[base]
    return f"{name}+{catalogue.variant_files[variant]}" if plus else name


def default_pool(gender: str) -> tuple[str, ...]:
    """Voice ids for characters nobody chose one for; only those installed here."""
    if gender not in _POOLS:
        raise ValueError(f"gender must be one of {', '.join(GENDERS)}, not {gender!r}")
    return tuple(voice_id for voice_id in _POOLS[gender] if _is_known(voice_id))


def voice_table(
    voices: Iterable[VoiceInfo], variants: Iterable[VariantInfo], lang: str | None = None
) -> Iterator[str]:
    """Lines for ``audiobook voices``: base voices (only ids starting with *lang*), then variants."""
    prefix = (lang or "").strip().lower()
    shown = [v for v in voices if v.id.startswith(prefix)]
    width = max((len(v.id) for v in shown), default=2)
    language_width = max((len(v.language) for v in shown), default=8)
    yield f"{'ID':<{width}}  {'LANGUAGE':<{language_width}}  {'GENDER':<7}  NAME"
    for voice in shown:
        yield f"{voice.id:<{width}}  {voice.language:<{language_width}}  {voice.gender:<7}  {voice.name}"
    variants = list(variants)
    base = next((v.id for v in shown if v.id == "en-us"), shown[0].id if shown else "en-us")
    variant = next((v.id for v in variants if v.id == "m3"), variants[0].id if variants else "m3")
    example = f"{base}+{variant}"
    yield ""
    yield f"Variants: append one to any id as +VARIANT, e.g. {example}"
    width = max((len(v.id) for v in variants), default=7)
    yield f"{'VARIANT':<{width}}  {'GENDER':<7}  NAME"
    for variant in variants:
        yield f"{variant.id:<{width}}  {variant.gender:<7}  {variant.name}"


@functools.cache
def pyttsx3_engine():
    """This process's one pyttsx3 engine, kept alive for the life of the process.

    eSpeak NG can be initialised only once per process, and a second pyttsx3 engine would register
    its own synth callback over the first one's; letting one be garbage-collected unregisters it.
    """
    import pyttsx3  # loading the library costs time; only the commands that need it pay

    engine = pyttsx3.init("espeak")
    # Let the engine go while modules still exist: its __del__ fails noisily during interpreter
    # teardown ("'NoneType' object has no attribute 'suppress'").
    atexit.register(pyttsx3_engine.cache_clear)
    return engine


def espeak_data_dir() -> Path:
    """espeak-ng-data as the initialised library reports it (espeak_Info's out-parameter)."""
    from pyttsx3.drivers import _espeak

    pyttsx3_engine()  # the library only knows its data path once initialised
    path = ctypes.c_char_p()
    _espeak.Info(ctypes.addressof(path))
    return Path(path.value.decode())


# --- reading the catalogue --------------------------------------------------------------------------


@functools.cache
def _catalogue() -> _Catalogue:
    data_dir = espeak_data_dir()
    identifiers: dict[str, str] = {}
    voices: list[VoiceInfo] = []
    for voice in pyttsx3_engine().getProperty("voices"):  # espeak_ListVoices: no variants, no MBROLA
        language = voice.languages[0].lower() if voice.languages else voice.id.rpartition("/")[2]
        # Two voices may share a language (yue); the later ones are known by their file name.
        voice_id = language if language not in identifiers else voice.id.rpartition("/")[2]
        if voice_id in identifiers:
            continue
        identifiers[voice_id] = voice.id
        gender = (voice.gender or "unknown").lower()
        voices.append(VoiceInfo(voice_id, language, gender if gender in GENDERS else "unknown", voice.name))
    mbrola = mbrola_voices(data_dir / "voices" / "mb", MBROLA_DIRS, shutil.which("mbrola") is not None)
    for voice_id, identifier, info in mbrola:
        if voice_id not in identifiers:
            identifiers[voice_id] = identifier
            voices.append(info)
    variant_files: dict[str, str] = {}
    variants: list[VariantInfo] = []
    for path in sorted((data_dir / "voices" / "!v").iterdir(), key=lambda p: p.name.lower()):
        variant_id = path.name.lower().replace(" ", "-")
        if path.is_file() and "+" not in variant_id and variant_id not in variant_files:
            fields = _voice_file_fields(path)
            variant_files[variant_id] = path.name
            variants.append(VariantInfo(variant_id, _gender(fields), _name(fields, path.name)))
    return _Catalogue(tuple(voices), tuple(variants), identifiers, variant_files)


def mbrola_voices(
    mb_dir: Path, mbrola_dirs: Iterable[Path], have_mbrola: bool
) -> Iterator[tuple[str, str, VoiceInfo]]:
    """(id, identifier, info) of each MBROLA voice whose program and voice data are installed.

    eSpeak NG ships a voice file for every MBROLA voice, installed or not, and selecting a missing
    one fails only half-way: an error code, yet the broken voice stays selected. So they are offered
    only when the ``mbrola`` program and the voice's data file (where espeak-ng looks) both exist.
    """
    if not have_mbrola or not mb_dir.is_dir():
        return
    for path in sorted(mb_dir.iterdir()):
        fields = _voice_file_fields(path)
        data = (fields.get("mbrola", "").split() or [""])[0]
        places = [root / name for root in mbrola_dirs for name in (data, f"{data}/{data}", f"voices/{data}")]
        if data and any(place.is_file() for place in places):
            language = (fields.get("language", "").split() or ["unknown"])[0].lower()
            voice_id = path.name.lower()
            info = VoiceInfo(voice_id, language, _gender(fields), _name(fields, path.name))
            yield voice_id, f"mb/{path.name}", info


def _voice_file_fields(path: Path) -> dict[str, str]:
    """The first value of each keyword line of an eSpeak NG voice file (``name``, ``gender`` …)."""
    fields: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        keyword, _, value = line.strip().partition(" ")
        if keyword and not keyword.startswith("/") and not keyword.startswith("#"):
            fields.setdefault(keyword.lower(), value.strip())
    return fields


def _gender(fields: Mapping[str, str]) -> str:
    words = fields.get("gender", "").lower().split()
    return words[0] if words and words[0] in ("male", "female") else "unknown"


def _name(fields: Mapping[str, str], fallback: str) -> str:
    return fields.get("name", "").replace("_", " ") or fallback


def _is_known(voice_id: str) -> bool:
    try:
        check_voice_id(voice_id)
    except VoiceError:
        return False
    return True


def _close_matches(wanted: str, catalogue: _Catalogue) -> list[str]:
    """Up to three ids like *wanted*: ones it is the start of, then difflib's nearest."""
    bases = list(catalogue.identifiers)
    if "+" in wanted:
        candidates = [f"{base}+{variant}" for base in bases for variant in catalogue.variant_files]
    else:
        candidates = bases
    extended = sorted((c for c in candidates if c.startswith(f"{wanted}-")), key=len)
    near = difflib.get_close_matches(wanted, candidates, n=3, cutoff=0.6)
    return list(dict.fromkeys(extended + near))[:3]
