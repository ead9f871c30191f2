#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and benchmarks (docs/store-postgres.md).
#
#   scripts/pg-test-cluster.sh start DIR [--fsync] [--watch PID]
#   scripts/pg-test-cluster.sh start-replica DIR PRIMARY_URL [--watch PID]
#   scripts/pg-test-cluster.sh restart DIR
#   scripts/pg-test-cluster.sh stop DIR
#
# `start` creates DIR/data with initdb, owned by an unprivileged user (clearway-test, created as
# a system user when we run as root: PostgreSQL refuses to run as root), and starts the server
# on 127.0.0.1 on a free port with its socket in DIR/sock. It prints one line, the admin URL:
#   postgres://clearway:PASSWORD@127.0.0.1:PORT/postgres
# The password is random (scram-sha-256 over TCP); the cluster is reachable from this machine
# only. fsync is off unless --fsync is given (tests do not need durability; benchmarks do).
# `start-replica` clones a running primary with pg_basebackup (streaming replication, -R) into
# DIR/data and starts it as a hot standby; it prints the replica's URL the same way.
# With --watch PID a background watcher stops the cluster when process PID is gone, so that a
# crashed test does not leave a server behind. `restart` restarts it as after a crash (immediate
# shutdown, same port). `stop` stops it (immediate shutdown); the caller removes DIR.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
TEST_USER=${CLEARWAY_PG_TEST_USER:-clearway-test}

die() { echo "pg-test-cluster: $*" >&2; exit 1; }

[ -x "$PGBIN/initdb" ] || die "no $PGBIN/initdb: install postgresql-15 (scripts/install-deps.sh)"

# as_owner CMD...: runs CMD as the cluster's owner (the unprivileged user when we are root).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$TEST_USER" -- "$@"
  else
    "$@"
  fi
}

prepare_dir() {
  local dir=$1
  mkdir -p "$dir"
  chmod 0700 "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    if ! id "$TEST_USER" >/dev/null 2>&1; then
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
        "$TEST_USER" 2>/dev/null || id "$TEST_USER" >/dev/null 2>&1 ||
        die "cannot create the system user $TEST_USER"
    fi
    chown "$TEST_USER:" "$dir"
  fi
  as_owner mkdir -p "$dir/sock"
}

# launch DIR EXTRA_OPTIONS: starts the server in DIR/data on a free port; prints the port.
launch() {
  local dir=$1 extra=$2 port attempt
  for attempt in $(seq 1 20); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
         -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock $extra" start >/dev/null; then
      echo "$port"
      return 0
    fi
    # Another process may have taken the port: try another one, anything else is fatal.
    grep -q "could not bind\|Address already in use" "$dir/postgres.log" 2>/dev/null ||
      die "the server did not start: $(tail -n 5 "$dir/postgres.log" 2>/dev/null)"
  done
  die "no free port found"
}

watch_parent() {
  local dir=$1 pid=$2
  # Detached from our stdout so that the caller's pipe closes when this script ends.
  nohup bash -c "while kill -0 $pid 2>/dev/null && [ -f '$dir/data/postmaster.pid' ]; do sleep 1; done
                 [ -f '$dir/data/postmaster.pid' ] && $(printf '%q' "$0") stop '$dir'" \
    >/dev/null 2>&1 </dev/null &
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 start|start-replica|restart|stop DIR ..."
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac
shift 2

case "$cmd" in
  start)
    fsync=off
    watch=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --fsync) fsync=on; shift ;;
        --watch) watch=$2; shift 2 ;;
        *) die "unknown option $1" ;;
      esac
    done
    prepare_dir "$dir"
    password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
    as_owner bash -c "umask 077; printf '%s\n' '$password' > '$dir/pwfile'"
    as_owner "$PGBIN/initdb" -D "$dir/data" -U clearway --pwfile="$dir/pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C --no-sync \
      >"$dir/initdb.log" 2>&1 || die "initdb failed: $(tail -n 5 "$dir/initdb.log")"
    # In postgresql.conf rather than on the command line, so that a replica cloned from this
    # cluster starts with the same settings (a standby needs max_connections >= the primary's).
    as_owner bash -c "printf '%s\\n' 'max_connections = 200' 'fsync = $fsync' \\
      'full_page_writes = $fsync' >> '$dir/data/postgresql.conf'"
    port=$(launch "$dir" "")
    [ -n "$watch" ] && watch_parent "$dir" "$watch"
    echo "postgres://clearway:$password@127.0.0.1:$port/postgres"
    ;;
  start-replica)
    primary=${1:-}
    [ -n "$primary" ] || die "usage: $0 start-replica DIR PRIMARY_URL [--watch PID]"
    shift
    watch=""
    if [ "${1:-}" = "--watch" ]; then watch=$2; fi
    prepare_dir "$dir"
    as_owner "$PGBIN/pg_basebackup" -d "$primary" -D "$dir/data" -R -X stream --no-sync \
      --checkpoint=fast \
      >"$dir/basebackup.log" 2>&1 || die "pg_basebackup failed: $(tail -n 5 "$dir/basebackup.log")"
    # The replica's password is the primary's (the cluster was cloned).
    password=$(printf '%s' "$primary" | sed -E 's#^postgres(ql)?://[^:]*:([^@]*)@.*#\2#')
    port=$(launch "$dir" "-c hot_standby=on")
    [ -n "$watch" ] && watch_parent "$dir" "$watch"
    echo "postgres://clearway:$password@127.0.0.1:$port/postgres"
    ;;
  restart)
    # Immediate: as after a crash; the server recovers from its WAL on the same port.
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -m immediate -w -t 60 \
      restart >/dev/null || die "the server did not restart: $(tail -n 5 "$dir/postgres.log")"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    die "unknown command $cmd"
    ;;
esac
