#!/usr/bin/env bash
# Quantum Desk developer entry point: installs what each task needs, then runs it.
#   ./dev.sh app [FILE]      the desktop app (Bell example, local simulator selected)
#   ./dev.sh test [ARGS]     lint + the whole test suite (pytest ARGS are passed on)
#   ./dev.sh bench [--quick] the benchmarks under tests/bench, then one table of their figures
#   ./dev.sh emulator        the loopback Azure Quantum emulator + Azurite (one JSON line, then serves)
#   ./dev.sh lint            ruff (rules, format), mypy --strict, import-linter
set -euo pipefail
cd "$(dirname "$0")"
export UV_PYTHON_DOWNLOADS=never QDK_PYTHON_TELEMETRY=none

# Debian/Ubuntu packages: Qt's runtime libraries and a font (offscreen and X11).
QT_PKGS="libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core
 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
 libxcb-shape0 libxcb-xkb1"
# The tests add a real Secret Service (gnome-keyring on a private D-Bus), the validators of the
# packaging files, and Node for Azurite.
TEST_PKGS="gnome-keyring dbus-daemon dbus-bin desktop-file-utils appstream shared-mime-info"
command -v npm >/dev/null || TEST_PKGS="$TEST_PKGS nodejs npm"
# The Azure sign-in cache stays encrypted on Linux through libsecret (msal-extensions), reached
# with PyGObject: PyPI has it only as source needing a compiler and GObject's headers, so the
# system's python3-gi is lent to the app (link_system_gi: .venv/system-gi on PYTHONPATH) when its
# Python version matches. Not on the test process's own path: keyring would then open a GDBus
# session connection there, and GLib ends a process with SIGTERM when its bus goes away (the
# keyring tests stop theirs); the tests that need it put it on their child processes' path.
SIGN_IN_PKGS="python3-gi gir1.2-secret-1"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || { say "please install: ${missing[*]}"; return 0; }
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

find_uv() {
    if command -v uv >/dev/null; then UV=uv; return; fi
    if [ ! -x .tools/bin/uv ]; then
        say "installing uv into .tools/"
        python3 -c "import ensurepip" 2>/dev/null || apt_install python3-venv
        python3 -m venv .tools
        .tools/bin/pip install -q uv
    fi
    UV=$PWD/.tools/bin/uv
}

python_env() {  # extra `uv sync` options: the app's `--no-dev --inexact`
    find_uv
    say "syncing the Python environment (.venv) from uv.lock"
    # bytecode compiled once at install: first imports of qiskit/azure then cost no GIL-held compiling
    "$UV" sync --locked --all-extras --compile-bytecode --python python3 -q "$@"
    # PySide6-Addons (dropped with QtCharts) shared files with Essentials: uninstalling it from an
    # older .venv removes some of them, so such an environment gets Essentials put back whole.
    if ! .venv/bin/python -c "import PySide6; PySide6.__version__" 2>/dev/null; then
        say "repairing PySide6 in .venv (left broken by removing PySide6-Addons)"
        "$UV" sync --locked --all-extras --compile-bytecode --python python3 -q "$@" \
            --reinstall-package pyside6-essentials --reinstall-package shiboken6
    fi
    link_system_gi
}

link_system_gi() {
    local gi=/usr/lib/python3/dist-packages/gi tag
    tag=$(.venv/bin/python -c 'import sys; print("%d%d" % sys.version_info[:2])')
    compgen -G "$gi/_gi.cpython-$tag-*.so" >/dev/null || return 0  # another Python: no cache
    mkdir -p .venv/system-gi
    ln -sfn "$gi" .venv/system-gi/gi
}

azurite() {
    if [ ! -x tests/azure_emulator/node_modules/.bin/azurite-blob ]; then
        say "installing Azurite (npm) into tests/azure_emulator/node_modules"
        npm ci --prefix tests/azure_emulator --no-audit --no-fund --loglevel=error >/dev/null
    fi
}

lint() {
    say "ruff, mypy, import-linter"
    "$UV" run --locked -q ruff check desktop_app tests docs
    "$UV" run --locked -q ruff format --check desktop_app tests docs/make_screenshots.py
    "$UV" run --locked -q mypy
    "$UV" run --locked -q lint-imports --no-cache >/dev/null
}

cmd=${1:-app}
shift || true
case "$cmd" in
    app)
        apt_install $QT_PKGS $SIGN_IN_PKGS
        # the app's packages only (no test tools); --inexact keeps a developer's test tools
        python_env --no-dev --inexact
        if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
            say "no display found (DISPLAY/WAYLAND_DISPLAY unset): starting offscreen"
            export QT_QPA_PLATFORM=offscreen
        fi
        export PYTHONPATH="$PWD/.venv/system-gi${PYTHONPATH:+:$PYTHONPATH}"
        exec "$UV" run --locked --no-dev -q quantum-desk "$@"
        ;;
    test)
        apt_install $QT_PKGS $TEST_PKGS $SIGN_IN_PKGS
        python_env
        azurite
        lint
        say "pytest"
        # One pytest worker per core (at most 4): much of the suite waits on subprocesses and
        # retry back-offs, and each worker starts its own emulator, Azurite and keyring session.
        exec "$UV" run --locked -q pytest -n auto --maxprocesses=4 "$@"
        ;;
    bench)
        apt_install $QT_PKGS $TEST_PKGS
        python_env
        azurite
        # every tests/bench/bench_*.py, then one table of the figures (app, baseline, ratio, load, goal)
        exec "$UV" run --locked -q python tests/bench/run_all.py "$@"
        ;;
    emulator)
        apt_install $TEST_PKGS
        python_env
        azurite
        exec "$UV" run --locked -q python -m tests.azure_emulator "$@"
        ;;
    lint)
        python_env
        lint
        ;;
    *)
        sed -n '2,8p' "$0" >&2
        exit 2
        ;;
esac
