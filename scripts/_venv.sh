# shellcheck shell=bash
# Sourced by scripts/test and scripts/run (not executable on its own).
#
# ensure_venv: make sure ./.venv exists and has the project installed
# (`pip install -e '.[test]'`). The install is redone only when pyproject.toml
# changed since the last one, tracked by the stamp file
# .venv/.installed-<sha256 of pyproject.toml>. Must be called from the repo root.

ensure_venv() {
    local python=${PYTHON:-python3} hash stamp
    export PIP_DISABLE_PIP_VERSION_CHECK=1

    if [[ ! -x .venv/bin/python ]]; then
        command -v "$python" >/dev/null 2>&1 || {
            echo "error: $python not found (Python >= 3.11 is required)" >&2
            return 1
        }
        "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
            echo "error: $python is $("$python" -V 2>&1); Python >= 3.11 is required" \
                 "(set PYTHON=/path/to/python3.11)" >&2
            return 1
        }
        echo "Creating virtualenv .venv ..." >&2
        "$python" -m venv .venv || {
            echo "error: '$python -m venv' failed (on Debian: apt-get install python3-venv)" >&2
            return 1
        }
    fi

    hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
    stamp=.venv/.installed-$hash
    if [[ ! -e $stamp ]]; then
        if ! compgen -G '.venv/.installed-*' >/dev/null; then
            # first install into this venv
            .venv/bin/python -m pip install -q --upgrade pip
        fi
        echo "Installing salescoach into .venv (pyproject.toml changed) ..." >&2
        .venv/bin/python -m pip install -q -e '.[test]'
        rm -f .venv/.installed-*
        touch "$stamp"
    fi
}
