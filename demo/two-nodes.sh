#!/usr/bin/env bash
# Two JVMs on this machine (127.0.0.1 only, embedded 'loopback' stack): a watcher monitors N sessions on an
# owner; the owner ends a quarter itself, then this script kills it with kill -9 and the watcher shows the
# NODEDOWN fan-out arriving paced instead of as a storm.
#
#   ./demo/two-nodes.sh [N]          (default N=20000; ZEN_DEMAND_AMOUNT etc. apply to both JVMs)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
CP_FILE=runtime/target/classpath.txt
if [ ! -f runtime/target/zen-runtime-*.jar ] || [ ! -f "$CP_FILE" ]; then
  echo "building zen-runtime (once)..."
  mvn -B -q -DskipTests -pl runtime -am install
  mvn -B -q -pl runtime dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
fi
CP="$(ls runtime/target/zen-runtime-*.jar | head -n1):$(cat "$CP_FILE")"
CLUSTER="zen-example-$$-$RANDOM"
MARKER=$(mktemp -u)
OWNER_LOG=""
JAVA_OPTS=(-Xmx512m -Djava.net.preferIPv4Stack=true -Dorg.slf4j.simpleLogger.defaultLogLevel=${DEMO_LOG:-warn} -Dorg.slf4j.simpleLogger.log.org.jgroups=${DEMO_JGROUPS_LOG:-warn})
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -f "$MARKER" "$OWNER_LOG"; }
trap cleanup EXIT INT TERM

OWNER_LOG=$(mktemp)
java "${JAVA_OPTS[@]}" -cp "$CP" io.zenmonitor.demo.TwoNodes owner "$CLUSTER" alpha "$N" > >(tee "$OWNER_LOG") 2>&1 &
owner=$!; pids+=("$owner"); disown "$owner"
# start the watcher once the owner's node is up, so the two JVMs do not both found a cluster
for _ in $(seq 1 300); do grep -q "holds" "$OWNER_LOG" && break; sleep 0.1; done
java "${JAVA_OPTS[@]}" -cp "$CP" io.zenmonitor.demo.TwoNodes watcher "$CLUSTER" beta "$N" alpha "$MARKER" &
watcher=$!; pids+=("$watcher")
while kill -0 "$watcher" 2>/dev/null && [ ! -f "$MARKER" ]; do sleep 0.1; done
if [ -f "$MARKER" ]; then
  kill -9 "$owner" 2>/dev/null || true
  echo "[script] kill -9 alpha (pid $owner)"
fi
wait "$watcher"
