#!/usr/bin/env bash
# Sustained ingest throughput next to raw Mosquitto QoS 1 and raw Kafka producer baselines, in one run.
# Usage: bench/run-ingest-benchmark.sh [messages] [tables]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v mosquitto >/dev/null || { apt-get update -qq && apt-get install -y -qq mosquitto; }
mvn -q -DskipTests install
mvn -q -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -Xmx1g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.tiltfleet.bench.IngestBenchmark "$@"
