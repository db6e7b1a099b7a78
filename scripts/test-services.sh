#!/usr/bin/env bash
# Services the test suite needs, started and stopped by `make test`:
#
#   scripts/test-services.sh start   throwaway PostgreSQL cluster + check Debian chromium and nginx
#   scripts/test-services.sh stop    stop that cluster (fine when it is not running)
#   scripts/test-services.sh status  print the URL when the cluster is running
#   scripts/test-services.sh clean   stop it and delete its data directory
#
# `start` prints the SQLAlchemy URL of the test database on its last line and
# writes it to instance/pgtest.url (removed again by `stop`):
#     postgresql+psycopg://postgres@127.0.0.1:54329/opsflow_test
# It is idempotent: when this checkout's cluster is already up it only prints
# the URL. Otherwise it makes a fresh cluster (initdb, ~2 s), so every run
# starts from an empty database.
#
# Missing Debian packages (postgresql, chromium, fonts-noto-cjk, nginx) are installed
# when running as root; otherwise the script says what to install and fails.
#
# Settings (environment):
#   OPSFLOW_PGTEST_PORT   first port to try (default 54329; the next free one is used)
#   OPSFLOW_PGTEST_DIR    where the cluster lives. Default: instance/pgtest when not
#                         root; as root, /tmp/opsflow-pgtest-<hash of this checkout>,
#                         since the server runs as the `postgres` user, which may not
#                         be able to reach the checkout.
#   OPSFLOW_TEST_CHROMIUM chromium binary (default /usr/bin/chromium)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
INSTANCE="$ROOT/instance"
URL_FILE="$INSTANCE/pgtest.url"
DB_NAME=opsflow_test
DB_USER=postgres
CHROMIUM="${OPSFLOW_TEST_CHROMIUM:-/usr/bin/chromium}"
APT_LOG="$ROOT/test-output/apt.log"

IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1

if [ -n "${OPSFLOW_PGTEST_DIR:-}" ]; then
    PGBASE="$OPSFLOW_PGTEST_DIR"
elif [ "$IS_ROOT" = 1 ]; then
    PGBASE="/tmp/opsflow-pgtest-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"
else
    PGBASE="$INSTANCE/pgtest"
fi
DATA="$PGBASE/data"
LOG="$PGBASE/postgres.log"
PORT_FILE="$PGBASE/port"

say() { echo "test-services: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- apt
APT_UPDATED=0
apt_install() {
    # apt_install PKG... : install Debian packages (root only), quietly
    if [ "$IS_ROOT" != 1 ]; then
        die "Debian package(s) missing: $*. Install them as root: apt-get install -y $*"
    fi
    mkdir -p "$(dirname "$APT_LOG")"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$APT_UPDATED" = 0 ]; then
        say "apt-get update (log: $APT_LOG)"
        if ! apt-get -o Acquire::Retries=3 update >>"$APT_LOG" 2>&1; then
            tail -n 30 "$APT_LOG" >&2
            die "apt-get update failed"
        fi
        APT_UPDATED=1
    fi
    say "apt-get install $* (log: $APT_LOG)"
    if ! apt-get -o Acquire::Retries=3 install -y "$@" >>"$APT_LOG" 2>&1; then
        tail -n 30 "$APT_LOG" >&2
        die "apt-get install $* failed"
    fi
}

deb_installed() {
    dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -x installed >/dev/null
}

# ---------------------------------------------------------------- PostgreSQL
PGBIN=""
find_pgbin() {
    local d
    PGBIN=""
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PGBIN="$d"; fi
    done
    [ -n "$PGBIN" ]
}

ensure_pgbin() {
    find_pgbin && return 0
    apt_install postgresql
    find_pgbin || die "postgresql installed but no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
}

# run a PostgreSQL program as the user that owns the cluster
as_pg() {
    if [ "$IS_ROOT" = 1 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

pg_running() {
    [ -f "$DATA/PG_VERSION" ] && [ -f "$PORT_FILE" ] || return 1
    as_pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 || return 1
    "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$(cat "$PORT_FILE")" -t 5
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
    local p="${OPSFLOW_PGTEST_PORT:-54329}" last
    last=$((p + 50))
    while [ "$p" -le "$last" ]; do
        if ! port_in_use "$p"; then echo "$p"; return 0; fi
        p=$((p + 1))
    done
    die "no free port in ${OPSFLOW_PGTEST_PORT:-54329}..$last on 127.0.0.1"
}

url_for() { echo "postgresql+psycopg://$DB_USER@127.0.0.1:$1/$DB_NAME"; }

pg_start() {
    ensure_pgbin
    mkdir -p "$INSTANCE"
    if pg_running; then
        url_for "$(cat "$PORT_FILE")" >"$URL_FILE"
        say "PostgreSQL already running ($DATA)"
        return 0
    fi

    if [ "$IS_ROOT" = 1 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    # stale leftovers (e.g. a cluster whose server died with a previous session)
    if [ -f "$DATA/postmaster.pid" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PGBASE"
    mkdir -p "$PGBASE"
    [ "$IS_ROOT" = 1 ] && chown postgres: "$PGBASE"
    chmod 700 "$PGBASE"

    local port sockdir
    port="$(pick_port)"
    echo "$port" >"$PORT_FILE"
    if ! as_pg "$PGBIN/initdb" -D "$DATA" -U "$DB_USER" -A trust -E UTF8 --locale=C \
            >"$PGBASE/initdb.log" 2>&1; then
        cat "$PGBASE/initdb.log" >&2
        die "initdb failed"
    fi
    # a unix socket path must stay under ~107 bytes; TCP is what the tests use anyway
    sockdir="$DATA"
    [ "${#DATA}" -gt 80 ] && sockdir=""
    cat >>"$DATA/postgresql.conf" <<EOF

# --- opsflow test cluster (scripts/test-services.sh): fast, throwaway, local only
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockdir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
timezone = 'UTC'
EOF
    cat >"$DATA/pg_hba.conf" <<'EOF'
# opsflow test cluster: trust, loopback only
local   all   all                 trust
host    all   all   127.0.0.1/32  trust
EOF
    if ! as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >"$PGBASE/pg_ctl.log" 2>&1; then
        cat "$PGBASE/pg_ctl.log" >&2
        tail -n 30 "$LOG" >&2 || true
        die "PostgreSQL did not start (port $port, data $DATA)"
    fi
    if ! "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB_NAME"; then
        die "createdb $DB_NAME failed"
    fi
    url_for "$port" >"$URL_FILE"
    say "PostgreSQL $(basename "$(dirname "$PGBIN")") started on 127.0.0.1:$port (data $DATA, log $LOG)"
}

pg_stop() {
    rm -f "$URL_FILE"
    find_pgbin || return 0
    [ -f "$DATA/PG_VERSION" ] || return 0
    if as_pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null 2>&1 \
            || say "warning: pg_ctl stop failed for $DATA"
        say "PostgreSQL stopped ($DATA)"
    fi
}

# ---------------------------------------------------------------- chromium
ensure_chromium() {
    local pkgs=()
    [ -x "$CHROMIUM" ] || pkgs+=(chromium)
    # fonts that render Chinese; optional when we cannot install them
    if ! deb_installed fonts-noto-cjk && [ "$IS_ROOT" = 1 ]; then pkgs+=(fonts-noto-cjk); fi
    if [ "${#pkgs[@]}" -gt 0 ]; then
        if [ ! -x "$CHROMIUM" ] || [ "$IS_ROOT" = 1 ]; then apt_install "${pkgs[@]}"; fi
    fi
    [ -x "$CHROMIUM" ] || die "$CHROMIUM not found after installing chromium"

    local py="$ROOT/.venv/bin/python"
    [ -x "$py" ] || die "$py missing: run 'make venv' first"
    if ! "$py" "$ROOT/scripts/check-browser.py" >&2; then
        die "Playwright cannot drive $CHROMIUM (see above)"
    fi
}

# ---------------------------------------------------------------- nginx
ensure_nginx() {
    # tests/test_deploy_run.py runs deploy/nginx-opsflow.conf in Debian's nginx (a process of the
    # test's own, never the system service)
    if [ ! -x /usr/sbin/nginx ]; then apt_install nginx; fi
    [ -x /usr/sbin/nginx ] || die "/usr/sbin/nginx not found after installing nginx"
}

# ---------------------------------------------------------------- main
case "${1:-}" in
    start)
        pg_start
        ensure_chromium
        ensure_nginx
        cat "$URL_FILE"
        ;;
    stop)
        pg_stop
        ;;
    status)
        if find_pgbin && pg_running; then
            url_for "$(cat "$PORT_FILE")"
        else
            say "PostgreSQL test cluster is not running"
            exit 1
        fi
        ;;
    clean)
        pg_stop
        rm -rf "$PGBASE"
        ;;
    *)
        echo "usage: $0 start|stop|status|clean" >&2
        exit 2
        ;;
esac
