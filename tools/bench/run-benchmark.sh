#!/usr/bin/env bash
# Runs one benchmark on this machine, with its baselines, and prints its figures.
#   tools/bench/run-benchmark.sh ingest [messages] [tables]
#   tools/bench/run-benchmark.sh pipeline [readings/s per step, comma-separated] [seconds per step]
#   tools/bench/run-benchmark.sh export [rows] [service heap]
#   tools/bench/run-benchmark.sh gateway [concurrent clients] [seconds per run]
#   tools/bench/run-benchmark.sh soak [duration, ISO-8601, default PT30M] [readings/s, default 500]
#   tools/bench/run-benchmark.sh storm [tables falling silent at once, default 1000] [readings/s of the others, default 2000]
set -euo pipefail
cd "$(dirname "$0")/../.."
case "${1:-}" in
  ingest) main=io.tiltfleet.bench.IngestBenchmark ;;
  pipeline) main=io.tiltfleet.bench.PipelineBenchmark ;;
  # the MongoDB stand-in holds the million sessions in this JVM's heap
  export) main=io.tiltfleet.bench.ExportBenchmark; heap=8g ;;
  gateway) main=io.tiltfleet.bench.GatewayBenchmark ;;
  soak) main=io.tiltfleet.bench.SoakBenchmark ;;
  storm) main=io.tiltfleet.bench.StormBenchmark ;;
  *) echo "usage: $0 ingest|pipeline|export|gateway|soak|storm [arguments]" >&2; exit 2 ;;
esac
shift
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { apt-get update -qq && apt-get install -y -qq mosquitto; }
mvn -q -B -ntp -DskipTests install
mvn -q -B -ntp -pl tools/bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -Xmx"${heap:-2g}" -cp "tools/bench/target/classes:$(cat tools/bench/target/classpath.txt)" "$main" "$@"
