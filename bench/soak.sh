#!/usr/bin/env bash
# Soak run (not part of mvn verify): two zen nodes in one JVM create and end monitors in cycles and
# report heap after GC and thread count per cycle; fails if either grew.
#   ./bench/soak.sh [duration, default 10m] [monitors per cycle, default 250000]
# Output: [soak] lines (cycle, monitors so far, heap after GC in MB, threads, cycle ms) and [measured]
# summaries; the whole log is kept in runtime/target/soak.log.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10m}"
monitors="${2:-250000}"
mkdir -p runtime/target
mvn -B -q -pl runtime -am test -Dtest=SoakMeasurement -Dsurefire.failIfNoSpecifiedTests=false \
    -Dzen.soak=true -Dzen.soak.duration="$duration" -Dzen.soak.monitors="$monitors" 2>&1 | tee runtime/target/soak.log \
    | grep -E '^\[(soak|measured)\]|Tests run|FAIL|ERROR'
