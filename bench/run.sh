#!/usr/bin/env bash
# Benchmark of chat-relay against a fast mock upstream (issue 5; results in docs/BENCHMARKS.md).
#
#   bench/run.sh            full side-by-side benchmark (about 6 minutes)
#   bench/run.sh --smoke    a few seconds; asserts only the write budget (for CI)
#   bench/run.sh --soak     500 concurrent streamed turns for 60 s, then checks every stored row
#
# Extra options go to the bench (--rounds N, --variants off,pg,deltas). Needs the local
# PostgreSQL on 127.0.0.1:5432 (user postgres); the bench uses only its own database,
# chatrelay_bench. RELAY_JAVA_OPTS passes JVM options to the relay processes. RELAY_NATIVE=<path>
# measures a native executable (./mvnw package -Dnative) instead of the jar, with the images' heap.
# The service jar is built when missing; set BENCH_REBUILD=1 to rebuild it after changes.
set -euo pipefail
cd "$(dirname "$0")/.."

# The service and the bench need Java 21+; the same selection as ./mvnw (the default java may be older).
. .mvn/select-jdk
if [ -n "${JAVA_HOME:-}" ]; then
    export PATH="$JAVA_HOME/bin:$PATH"
fi
java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
echo "Using $(command -v java) (Java $(java_major java))"

if [ ! -f target/quarkus-app/quarkus-run.jar ] || [ "${BENCH_REBUILD:-0}" = "1" ]; then
    echo "Building the service jar (target/quarkus-app/quarkus-run.jar)"
    ./mvnw -q -B package -DskipTests
fi

# JDK 25's AOT cache holds the classes the service loads and links at start-up, and method
# profiles, from a training run; every later start skips that work. Trained once per build of
# the jar, and again when the JVM options change: start the relay on the bench database (no
# provider needed), wait until ready (which runs the migrations), stop it; the JVM writes the
# cache as it exits. The relays the bench starts then use it; the bench drops the relay's
# tables before each start anyway.
aot=target/quarkus-app/chat-relay.aot
if [ "$(java_major java)" -ge 25 ] \
        && { [ ! -f "$aot" ] || [ src/main/docker/jvm.options -nt "$aot" ] \
            || [ -n "$(find target/quarkus-app -name '*.jar' -newer "$aot")" ]; }; then
    echo "Training the JDK's AOT cache ($aot)"
    rm -f "$aot"
    port=18977
    pg_host=${BENCH_PG_HOST:-127.0.0.1} pg_port=${BENCH_PG_PORT:-5432} pg_user=${BENCH_PG_USER:-postgres}
    PGPASSWORD=${BENCH_PG_PASSWORD:-} psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -qAtc \
        "select 1 from pg_database where datname = 'chatrelay_bench'" | grep -q 1 \
        || PGPASSWORD=${BENCH_PG_PASSWORD:-} createdb -h "$pg_host" -p "$pg_port" -U "$pg_user" chatrelay_bench
    PORT=$port OPENAI_BASE_URL=http://127.0.0.1:9/v1 \
        DB_URL="jdbc:postgresql://$pg_host:$pg_port/chatrelay_bench" DB_USER="$pg_user" DB_PASSWORD="${BENCH_PG_PASSWORD:-}" \
        java @src/main/docker/jvm.options -XX:AOTCacheOutput="$aot" -jar target/quarkus-app/quarkus-run.jar \
        > target/aot-training.log 2>&1 &
    training=$!
    for _ in $(seq 1 120); do
        curl -sf "http://127.0.0.1:$port/q/health/ready" > /dev/null && break
        sleep 0.5
    done
    kill -TERM "$training"
    wait "$training" || true
    [ -f "$aot" ] || echo "No AOT cache was written (see target/aot-training.log); the bench runs without it" >&2
fi

echo "Building the bench jar (bench/target/chat-relay-bench.jar)"
./mvnw -f bench/pom.xml -q -B package

# The load generator's JVM: a fixed heap keeps its GC out of the way and its footprint known.
exec java -Xms512m -Xmx1g -jar bench/target/chat-relay-bench.jar "$@"
