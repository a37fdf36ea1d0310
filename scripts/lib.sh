# Shared by scripts/run.sh and scripts/test.sh: find Python 3.12+, install what is missing, build.
# Sourced, not executed. Everything it installs goes into .venv, frontend/node_modules or, as root
# on Debian, system packages through apt-get.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
UV_VERSION="0.13.9"

say() { printf '\033[1m==>\033[0m [%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

_py_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }

find_python() {
    local c
    for c in "${PYTHON:-}" python3.13 python3.12 python3 python \
        "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
        [ -n "$c" ] || continue
        if command -v "$c" >/dev/null 2>&1 && _py_ok "$c"; then command -v "$c"; return 0; fi
    done
    die "Python 3.12 or newer is needed (Django 6). Install it (e.g. 'apt-get install python3.12' or 'pyenv install 3.12') or set PYTHON=/path/to/python3.12."
}

apt_updated=""
apt_install() {
    is_root || return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ -z "$apt_updated" ]; then
        say "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && apt_updated=1
    fi
    say "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ensure_venv base|dev: a venv on Python 3.12+ with the hash-pinned requirements installed.
ensure_venv() {
    local group="$1" req="$ROOT/requirements/$1.txt" stamp
    if [ ! -x "$VENV/bin/python" ] || ! _py_ok "$VENV/bin/python"; then
        local py; py="$(find_python)"
        say "creating .venv with $py"
        rm -rf "$VENV"
        "$py" -m venv "$VENV"
    fi
    if [ ! -x "$VENV/bin/uv" ] || [ "$("$VENV/bin/uv" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
        "$VENV/bin/python" -m pip install -q "uv==$UV_VERSION"
    fi
    stamp="$VENV/.installed-$group-$(sha256sum "$req" | cut -c1-16)"
    if [ ! -f "$stamp" ]; then
        say "installing $group dependencies from requirements/$group.txt"
        "$VENV/bin/uv" pip install -q --python "$VENV/bin/python" --require-hashes -r "$req"
        rm -f "$VENV"/.installed-"$group"-* && touch "$stamp"
    fi
    compile_bytecode
}

# Byte-compile the dependencies and our own code once. Where PYTHONDONTWRITEBYTECODE is set (this
# kind of machine sets it), no import writes a .pyc, so every process (web, each Celery worker,
# every pytest worker and subprocess) compiled all it imports again: about 4 s of CPU each.
# compileall skips what is up to date, so a second run costs a second or two.
compile_bytecode() {
    "$VENV/bin/python" -m compileall -q -j 0 "$VENV/lib" "$ROOT/manage.py" \
        "$ROOT/familyrepair" "$ROOT/accounts" "$ROOT/api" "$ROOT/care" "$ROOT/checkins" \
        "$ROOT/ruptures" "$ROOT/tests" "$ROOT/benchmarks" "$ROOT/scripts" >/dev/null ||
        die "could not byte-compile .venv and the project (compileall failed)"
}

ensure_redis_server() {
    command -v redis-server >/dev/null 2>&1 && return 0
    apt_install redis-server && return 0
    return 1
}

pg_bin_dir() {
    local d
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        # Resolve links: /usr/local/bin may link pg_ctl and initdb but not createdb.
        dirname "$(readlink -f "$(command -v pg_ctl)")"; return 0
    fi
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    return 1
}

ensure_postgres() {
    pg_bin_dir >/dev/null && return 0
    apt_install postgresql >/dev/null && pg_bin_dir >/dev/null && return 0
    die "PostgreSQL server binaries (initdb, pg_ctl) are needed: 'apt-get install postgresql', or set DATABASE_URL to a PostgreSQL you run."
}

ensure_node() {
    command -v npm >/dev/null 2>&1 && return 0
    apt_install nodejs npm && return 0
    die "Node.js 20+ and npm are needed to build the app: 'apt-get install nodejs npm'."
}

build_frontend() {
    [ -f "$ROOT/frontend/package.json" ] || return 0
    ensure_node
    local stamp="$ROOT/frontend/node_modules/.installed-$(sha256sum "$ROOT/frontend/package-lock.json" | cut -c1-16)"
    if [ ! -f "$stamp" ]; then
        say "installing frontend dependencies (npm ci)"
        (cd "$ROOT/frontend" && npm ci --no-audit --no-fund --loglevel=error) && touch "$stamp"
    fi
    say "building the PWA (frontend/dist)"
    (cd "$ROOT/frontend" && npm run --silent build >/dev/null)
}
