#!/usr/bin/env bash
# Start or stop a local Neo4j 5.26 Community server with Bolt on 127.0.0.1, without Docker.
#
#   scripts/neo4j.sh start|stop|status
#
# Neo4j publishes no server tarball to Maven Central, but it does publish the database
# (org.neo4j:neo4j, Bolt included): tools/neo4j-runner builds a small launcher against it
# with Maven and runs it with Java 17. Data and logs live under .neo4j/$NEO4J_NAME (ignored
# by git).
#
# Environment: NEO4J_NAME (default "dev"), NEO4J_PORT (default 7687; `auto`: a free port,
# retried on a clash, written to .neo4j/$NEO4J_NAME/port),
# GRAPH_NEO4J_PASSWORD (default graph-service-dev; the user is neo4j),
# NEO4J_HEAP (default 2g), NEO4J_START_TIMEOUT seconds (default 180).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNNER="$ROOT/tools/neo4j-runner"
NAME=${NEO4J_NAME:-dev}
PORT=${NEO4J_PORT:-7687}
PASSWORD=${GRAPH_NEO4J_PASSWORD:-graph-service-dev}
HEAP=${NEO4J_HEAP:-2g}
TIMEOUT=${NEO4J_START_TIMEOUT:-180}
DIR="$ROOT/.neo4j/$NAME"
PIDFILE="$DIR/pid"
LOG="$DIR/neo4j.log"

say() { echo "neo4j.sh: $*" >&2; }

running() { [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

build() {
  command -v java >/dev/null || { say "Java 17 is needed (apt-get install openjdk-17-jdk-headless)"; exit 1; }
  command -v mvn >/dev/null || { say "Maven is needed (apt-get install maven)"; exit 1; }
  local stamp="$RUNNER/target/.built"
  if [[ ! -f $stamp || -n $(find "$RUNNER/pom.xml" "$RUNNER/src" -newer "$stamp" -print -quit) ]]; then
    say "building the Neo4j launcher (first time: Maven fetches Neo4j 5.26 from Maven Central)"
    mvn -q -B -f "$RUNNER/pom.xml" package -DskipTests
    touch "$stamp"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Start the JVM on $PORT and wait until Bolt answers. Returns 0 when ready, 2 when another
# program took the port first (so a caller with NEO4J_PORT=auto tries another), 1 otherwise.
launch() {
  mkdir -p "$DIR/data"
  rm -f "$DIR/data/ready"
  nohup java "-Xmx$HEAP" -XX:+UseG1GC \
    -cp "$RUNNER/target/classes:$RUNNER/target/lib/*" graphservice.Launcher \
    "$DIR/data" 127.0.0.1 "$PORT" "$PASSWORD" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  local waited=0
  until [[ -f $DIR/data/ready ]] && port_open; do
    if ! running; then
      rm -f "$PIDFILE"
      if grep -qE 'PortBindException|Address already in use' "$LOG"; then
        return 2
      fi
      say "Neo4j failed to start; the end of $LOG:"
      tail -n 30 "$LOG" >&2
      return 1
    fi
    if ((waited >= TIMEOUT)); then
      say "Neo4j did not answer within ${TIMEOUT}s; see $LOG"
      stop
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "$PORT" >"$DIR/port"
  say "Neo4j 5.26 ready on bolt://127.0.0.1:$PORT (user neo4j; pid $(cat "$PIDFILE"); ${waited}s)"
}

start() {
  if running; then
    say "already running (pid $(cat "$PIDFILE")) on bolt://127.0.0.1:$(cat "$DIR/port" 2>/dev/null || echo "$PORT")"
    return 0
  fi
  build
  if [[ $PORT != auto ]]; then
    if port_open; then
      say "port $PORT is already in use by another program; set NEO4J_PORT to another port (or auto)"
      exit 1
    fi
    local status=0
    launch || status=$?
    ((status == 2)) && say "port $PORT was taken by another program while Neo4j started; see $LOG"
    exit "$status"
  fi
  # NEO4J_PORT=auto: a free port, and another one if a program takes it before Neo4j binds it
  local attempt status
  for attempt in 1 2 3 4 5; do
    PORT=$(free_port)
    status=0
    launch || status=$?
    ((status == 2)) || exit "$status"
    say "port $PORT was taken while Neo4j started (attempt $attempt); trying another"
  done
  say "no free port after 5 attempts"
  exit 1
}

stop() {
  if ! running; then
    rm -f "$PIDFILE"
    say "not running"
    return 0
  fi
  local pid
  pid=$(cat "$PIDFILE")
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "Neo4j did not stop within 60s; killing it"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$DIR/data/ready" "$DIR/port"
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then say "running (pid $(cat "$PIDFILE")) on bolt://127.0.0.1:$(cat "$DIR/port" 2>/dev/null || echo "$PORT")"; else say "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
