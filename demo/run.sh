#!/usr/bin/env bash
# The chat-cluster demo: a guild node, session nodes and a load client on plain RMI (127.0.0.1 only), run with
# and without -javaagent:zen-agent.jar; kill -9 of one session node, SIGTERM of another; the report lands in
# demo/target/report/ (timeline CSVs and a self-contained index.html). ./demo/run.sh --help lists the options.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
AGENT=agent/target/zen-agent.jar
CLASSES=demo/target/classes
if [ ! -f "$AGENT" ] || [ ! -f "$CLASSES/io/zenmonitor/demo/harness/Demo.class" ]; then
  echo "building zen-agent.jar and the demo (once): mvn -B -q -DskipTests package -pl demo -am"
  mvn -B -q -DskipTests package -pl demo -am
fi

# exec: Ctrl-C reaches the harness (whose shutdown hook kills what it started) and its children alike; a
# child whose harness is gone exits when its stdin pipe ends.
exec "$JAVA" -Xmx256m -Dzen.demo.repo="$PWD" -cp "$CLASSES" io.zenmonitor.demo.harness.Demo \
  --agent-jar "$AGENT" --classpath "$CLASSES" "$@"
