#!/usr/bin/env bash
# Creates the topics of topics.conf that do not exist yet (existing ones are left as they are).
#   BOOTSTRAP=kafka:9092 REPLICATION_FACTOR=3 infra/kafka/create-topics.sh [topics.conf]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
topics_file=${1:-$here/topics.conf}
bootstrap=${BOOTSTRAP:-localhost:9092}
replication=${REPLICATION_FACTOR:-1}
kafka_topics=${KAFKA_TOPICS:-/opt/kafka/bin/kafka-topics.sh}
grep -v -e '^#' -e '^[[:space:]]*$' "$topics_file" | while read -r topic partitions retention cleanup; do
  "$kafka_topics" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$topic" \
    --partitions "$partitions" --replication-factor "$replication" \
    --config "retention.ms=$retention" --config "cleanup.policy=$cleanup"
  echo "topic $topic: $partitions partitions, replication $replication, retention.ms $retention, $cleanup"
done
