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
# Environment: NEO4J_NAME (default "dev"), NEO4J_PORT (default 7687),
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

start() {
  if running; then
    say "already running (pid $(cat "$PIDFILE")) on bolt://127.0.0.1:$PORT"
    return 0
  fi
  if port_open; then
    say "port $PORT is already in use by another program; set NEO4J_PORT to another port"
    exit 1
  fi
  build
  mkdir -p "$DIR/data"
  rm -f "$DIR/data/ready"
  nohup java "-Xmx$HEAP" -XX:+UseG1GC \
    -cp "$RUNNER/target/classes:$RUNNER/target/lib/*" graphservice.Launcher \
    "$DIR/data" 127.0.0.1 "$PORT" "$PASSWORD" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  local waited=0
  until [[ -f $DIR/data/ready ]] && port_open; do
    if ! running; then
      say "Neo4j failed to start; the end of $LOG:"
      tail -n 30 "$LOG" >&2
      exit 1
    fi
    if ((waited >= TIMEOUT)); then
      say "Neo4j did not answer within ${TIMEOUT}s; see $LOG"
      stop
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  say "Neo4j 5.26 ready on bolt://127.0.0.1:$PORT (user neo4j; pid $(cat "$PIDFILE"); ${waited}s)"
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
  rm -f "$PIDFILE" "$DIR/data/ready"
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then say "running (pid $(cat "$PIDFILE")) on bolt://127.0.0.1:$PORT"; else say "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
