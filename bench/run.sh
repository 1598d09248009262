#!/usr/bin/env bash
# zen-agent benchmarks, side by side with Apache Pekko remote DeathWatch and plain RMI, in one run on this
# machine (everything binds to 127.0.0.1). Prints one markdown table and writes it to bench/target/.
#
#   ./bench/run.sh            quick: JMH, memory at 100,000, cluster scenario at N = 10,000 and 100,000 (< 5 min on 2 cores)
#   ./bench/run.sh --full     large sizes: N up to 1,000,000, memory at 1,000,000 (about 15 to 20 min)
#   ./bench/run.sh --only zen,pekko      a subset: jmh, memory, zen, pekko, rmi
#
# Builds what it needs first (in-reactor, never `mvn install`): zen-runtime, the bench module, zen-agent.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${ZEN_BENCH_SKIP_BUILD:-}" != "1" ]; then
  echo "building runtime, agent and bench (mvn -B -q -DskipTests package)..."
  mvn -B -q -DskipTests -pl bench,agent -am package dependency:build-classpath \
      -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
fi
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
OUT="bench/target/results-$(date -u +%Y%m%dT%H%M%SZ).md"
exec java -Xmx512m -Djava.net.preferIPv4Stack=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dzen.agent.jar=agent/target/zen-agent.jar -cp "$CP" io.zenmonitor.bench.Runner --out "$OUT" "$@"
