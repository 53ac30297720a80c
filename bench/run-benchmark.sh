#!/usr/bin/env bash
# Runs one benchmark on this machine, with its baselines, and prints its figures.
#   bench/run-benchmark.sh ingest [messages] [tables]
#   bench/run-benchmark.sh alert-latency [tables] [readings/s per table] [seconds]
#   bench/run-benchmark.sh export [rows] [analytics service heap]
#   bench/run-benchmark.sh gateway [concurrent clients] [seconds per run]
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  ingest) main=io.tiltfleet.bench.IngestBenchmark ;;
  alert-latency) main=io.tiltfleet.bench.AlertLatencyBenchmark ;;
  # the MongoDB stand-in holds the million sessions in this JVM's heap
  export) main=io.tiltfleet.bench.ExportBenchmark; heap=8g ;;
  gateway) main=io.tiltfleet.bench.GatewayBenchmark ;;
  *) echo "usage: $0 ingest|alert-latency|export|gateway [arguments]" >&2; exit 2 ;;
esac
shift
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { apt-get update -qq && apt-get install -y -qq mosquitto; }
mvn -q -B -ntp -DskipTests install
mvn -q -B -ntp -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -Xmx"${heap:-2g}" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" "$main" "$@"
