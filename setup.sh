#!/usr/bin/env bash
# Sets up everything audiobook needs on Debian: espeak-ng, ffmpeg and lame when missing, a virtual
# environment in .venv, and the package with its test tools. Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || missing+=(ffmpeg)
command -v lame >/dev/null || missing+=(lame)  # encodes the MP3 chunks: libmp3lame without ffmpeg's start-up
# pyttsx3 loads the eSpeak NG library itself, not the command.
ldconfig -p 2>/dev/null | grep -q 'libespeak-ng\.so' || missing+=(libespeak-ng1)
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    if ! "$python" -m venv .venv 2>/dev/null; then
        # Debian's own python3 ships venv separately.
        rm -rf .venv
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-venv >/dev/null
        "$python" -m venv .venv
    fi
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
echo "setup: ready ($(.venv/bin/audiobook --version))"
