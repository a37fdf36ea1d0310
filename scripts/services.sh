# Throwaway PostgreSQL and Redis for tests and benchmarks. Sourced; needs scripts/lib.sh first.
# start_test_services DIR exports DATABASE_URL and REDIS_URL; stop_test_services tears both down.

start_test_redis() {
    local dir="$1"
    ensure_redis_server || die "redis-server is needed: 'apt-get install redis-server'."
    mkdir -p "$dir/redis"
    redis-server --port 0 --unixsocket "$dir/redis/redis.sock" --unixsocketperm 700 \
        --save '' --appendonly no --dir "$dir/redis" --daemonize yes \
        --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log"
    for _ in $(seq 50); do [ -S "$dir/redis/redis.sock" ] && break; sleep 0.1; done
    export REDIS_URL="unix://$dir/redis/redis.sock?db=0"
}

start_test_postgres() {
    local dir="$1" bin port
    ensure_postgres
    bin="$(pg_bin_dir)"
    port="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    mkdir -p "$dir/pg/data" "$dir/pg/sock"
    local as=()
    if is_root; then chown -R postgres: "$dir/pg"; chmod 755 "$dir"; as=(runuser -u postgres --); fi
    "${as[@]}" "$bin/initdb" -D "$dir/pg/data" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null
    "${as[@]}" "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/pg/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres familyrepair
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/familyrepair"
    TEST_PG_PORT="$port"
    PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$dir/pg/data" -m immediate -w stop)
}

# Runs from EXIT traps after the tests have passed or failed, so it never fails itself: Redis
# writes its last log line after SIGTERM, and removing the directory while it does once turned a
# green run red ("Directory not empty"). It waits for Redis to exit before removing anything.
stop_test_services() {
    local dir="$1" pid
    if [ -n "${PG_STOP:-}" ]; then "${PG_STOP[@]}" >/dev/null 2>&1 || true; fi
    if [ -f "$dir/redis/redis.pid" ]; then
        pid="$(cat "$dir/redis/redis.pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$dir" 2>/dev/null || { sleep 1; rm -rf "$dir" 2>/dev/null; } || say "left $dir behind"
    return 0
}
