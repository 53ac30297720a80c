#!/usr/bin/env bash
# The platform on this machine, on embedded infrastructure: Mosquitto (1883), Kafka in KRaft mode (9092),
# a MongoDB wire-protocol stand-in (27017), the services (ingest 8081, safety 8082, analytics 8083, notification 8084),
# the gateway with the fleet dashboard (8080; health and metrics on 8090), a simulated fleet of 50 tables, and a webhook
# receiver (8099) that prints every notification of fleet-1's alerts (the demo policy this script sets).
# Ctrl-C (or SIGTERM) stops everything and ends the script. Logs: target/local/*.log
# SKIP_BUILD=1 runs the jars of the last build instead of building first.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
LOGS=$ROOT/target/local
TABLES=${TABLES:-50}
# the demo notification policy's webhook secret: the receiver verifies each notification's signature with it
DEMO_WEBHOOK_SECRET=local-demo-webhook-secret
# Mosquitto runs with its dynamic-security plugin: its administrator (the safety service, which issues the tables'
# credentials) and the ingest's own account; loopback only, demo passwords
export TILTFLEET_BROKER_ADMIN_PASSWORD=local-broker-admin
export TILTFLEET_INGEST_MQTT_USERNAME=tiltfleet-ingest-1
export TILTFLEET_INGEST_MQTT_PASSWORD=local-ingest-password

if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
  echo "installing mosquitto (Debian package)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null
fi
for port in 1883 9092 27017 8080 8081 8082 8083 8084 8090 8099; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "port $port is already in use on 127.0.0.1: stop what listens there (another local run?) and try again" >&2
    exit 1
  fi
done

if [ "${SKIP_BUILD:-}" = 1 ]; then
  echo "not building (SKIP_BUILD=1): running the jars of the last build"
else
  echo "building (mvn -DskipTests install) ..."
  mvn -q -B -ntp -DskipTests install
fi
mvn -q -B -ntp -pl testing/embedded dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CLASSPATH_INFRA="$ROOT/testing/embedded/target/classes:$(cat testing/embedded/target/classpath.txt)"
rm -rf "$LOGS" && mkdir -p "$LOGS"

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "stopping ..."
  for (( i=${#pids[@]}-1; i>=0; i-- )); do kill "${pids[$i]}" 2>/dev/null || true; wait "${pids[$i]}" 2>/dev/null || true; done
  echo "stopped"
}
# a signal stops everything and then ends the script (the status a shell gives a job killed by it);
# EXIT stops what a failed start left running
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

wait_for() { # name, seconds, command...
  local name=$1 seconds=$2; shift 2
  for (( i=0; i<seconds*5; i++ )); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "$name did not come up within ${seconds}s; see $LOGS" >&2; exit 1
}
healthy() { curl -fsS "http://127.0.0.1:$1/actuator/health" | grep -q '"status":"UP"'; }

started=$(date +%s)
java -cp "$CLASSPATH_INFRA" io.tiltfleet.embedded.LocalInfrastructure "$LOGS/data" >"$LOGS/infrastructure.log" 2>&1 &
pids+=($!)
wait_for "infrastructure" 90 grep -q "infrastructure ready" "$LOGS/infrastructure.log"
grep "infrastructure ready" "$LOGS/infrastructure.log"

java -Xmx384m -jar services/ingest-service/target/ingest-service-*-exec.jar >"$LOGS/ingest-service.log" 2>&1 &
pids+=($!)
wait_for "ingest-service" 90 healthy 8081
echo "ingest-service up: http://127.0.0.1:8081/actuator/health, metrics at /actuator/prometheus"

# the MongoDB stand-in lacks the 'hello' command of the driver's health check; the local profile lets a curl on this
# machine call a service's API without the gateway's caller headers (every port here is on 127.0.0.1 only)
TILTFLEET_MONGO_HEALTH=false TILTFLEET_SAFETY_BROKER_ADMIN_PASSWORD=$TILTFLEET_BROKER_ADMIN_PASSWORD \
  java -Xmx512m -jar services/safety-alert-service/target/safety-alert-service-*-exec.jar \
  --spring.profiles.active=local --tiltfleet.safety.broker.uri=tcp://127.0.0.1:1883 >"$LOGS/safety-alert-service.log" 2>&1 &
pids+=($!)
wait_for "safety-alert-service" 90 healthy 8082
echo "safety-alert-service up: http://127.0.0.1:8082/api/fleet/fleet-1/tables, live stream at /api/fleet/fleet-1/stream"

# its stdout is this run's: one line per notification; its log file keeps them
java -Xmx64m -cp "$CLASSPATH_INFRA" io.tiltfleet.embedded.LocalWebhookReceiver "$DEMO_WEBHOOK_SECRET" "$LOGS/webhook-receiver.log" \
  2>>"$LOGS/webhook-receiver.log" &
pids+=($!)
wait_for "webhook receiver" 30 grep -q "listening" "$LOGS/webhook-receiver.log"

# the local profile also lets it post to the receiver on 127.0.0.1 over plain http, and needs no acknowledgement-link
# secret (TILTFLEET_NOTIFICATION_ACK_LINK_SECRET, required anywhere else)
TILTFLEET_MONGO_HEALTH=false java -Xmx256m -jar services/notification-service/target/notification-service-*-exec.jar \
  --spring.profiles.active=local >"$LOGS/notification-service.log" 2>&1 &
pids+=($!)
wait_for "notification-service" 90 healthy 8084
echo "notification-service up: http://127.0.0.1:8084/actuator/health, deliveries at /api/notifications?fleetId=fleet-1"

TILTFLEET_MONGO_HEALTH=false java -Xmx384m -jar services/analytics-service/target/analytics-service-*-exec.jar \
  --spring.profiles.active=local >"$LOGS/analytics-service.log" 2>&1 &
pids+=($!)
wait_for "analytics-service" 90 healthy 8083
echo "analytics-service up: http://127.0.0.1:8083/api/analytics/fleets/fleet-1/summary, sessions CSV at /api/analytics/fleets/fleet-1/exports/sessions"

java -Xmx256m -jar gateway/target/gateway-*-exec.jar --spring.profiles.active=local >"$LOGS/gateway.log" 2>&1 &
pids+=($!)
wait_for "gateway" 90 healthy 8090   # its management port: health and metrics

# every alert of fleet-1 to the local receiver: tier 1 at once, tier 2 after 2 minutes, reminders every 5 minutes
demo_policy=$(cat <<POLICY
{"channels":[{"id":"local-webhook","kind":"WEBHOOK","url":"http://127.0.0.1:8099/hooks/tiltfleet","secret":"$DEMO_WEBHOOK_SECRET"}],
 "rules":[{"types":["OVER_ANGLE","OVER_DURATION","SILENT_WHILE_INVERTED","LOCK_OPEN_WHILE_INVERTED","RAPID_RETURN","CONTRAINDICATED_USE","OUTSIDE_PRESCRIPTION"],
           "severities":["WARNING","CRITICAL"],
           "tiers":[{"after":"PT0S","channels":["local-webhook"]},{"after":"PT2M","channels":["local-webhook"]}],
           "remindEvery":"PT5M"}]}
POLICY
)
policy_status=$(curl -sS -o "$LOGS/demo-notification-policy.json" -w '%{http_code}' -X PUT -H 'X-API-Key: tf-operator-local' \
  -H 'Content-Type: application/json' --data "$demo_policy" http://127.0.0.1:8080/api/fleets/fleet-1/notification-policies || true)
case "$policy_status" in
  2??) ;;
  *) echo "the demo notification policy was not set (HTTP $policy_status): $(cat "$LOGS/demo-notification-policy.json" 2>/dev/null)" >&2 ;;
esac

# the simulated tables in fleet-1's registry, ten to a room, so that alerts and notifications say where each stands
registered=0
for t in $(seq 1 "$TABLES"); do
  table=$(printf 'table-%03d' "$t")
  entry="{\"name\":\"Bed $t\",\"site\":\"Berlin-Mitte\",\"room\":\"Room $(( (t - 1) / 10 + 1 ))\",\"model\":\"TF-SIM\",\"reason\":\"local run\"}"
  if curl -fsS -o /dev/null -X PUT -H 'X-API-Key: tf-operator-local' -H 'Content-Type: application/json' --data "$entry" \
      "http://127.0.0.1:8080/api/fleet/fleet-1/tables/$table"; then
    registered=$((registered + 1))
  fi
done
[ "$registered" -eq "$TABLES" ] || echo "only $registered of $TABLES simulated tables were registered" >&2

# each simulated table's own broker account, issued as an operator would (the password is in the answer only, once)
CREDENTIALS=$LOGS/table-credentials
( umask 077 && : >"$CREDENTIALS" )
for t in $(seq 1 "$TABLES"); do
  table=$(printf 'table-%03d' "$t")
  issued=$(curl -fsS -X POST -H 'X-API-Key: tf-operator-local' -H 'Content-Type: application/json' --data '{"reason":"local run"}' \
    "http://127.0.0.1:8080/api/fleet/fleet-1/tables/$table/credentials" || true)
  password=$(printf '%s' "$issued" | sed -n 's/.*"password":"\([^"]*\)".*/\1/p')
  [ -n "$password" ] && echo "fleet-1/$table $password" >>"$CREDENTIALS"
done
issued_count=$(wc -l <"$CREDENTIALS")
[ "$issued_count" -eq "$TABLES" ] || echo "only $issued_count of $TABLES simulated tables got broker credentials" >&2

java -Xmx256m -cp "$CLASSPATH_INFRA" io.tiltfleet.simulator.FleetSimulator --tables "$TABLES" --credentials "$CREDENTIALS" \
  >"$LOGS/fleet-simulator.log" 2>&1 &
pids+=($!)
echo "fleet simulator: $TABLES tables on tcp://127.0.0.1:1883 (log: $LOGS/fleet-simulator.log)"
cat <<READY

Fleet dashboard: http://127.0.0.1:8080/  (fleet "fleet-1"; API description at /openapi.yaml)
Ready-made API keys of this local run (header X-API-Key, or paste one into the dashboard):
  tf-viewer-local       vera    viewer     (read)
  tf-operator-local     olivia  operator   (read, acknowledge alerts, register tables, check patients in, edit settings, profiles and notification policies)
  tf-analyst-local      anna    analyst    (read, exports)
  tf-supervisor-local   sam     operator and analyst
  tf-clinic1-local      carl    operator and analyst, fleet-1 only (the others see every fleet)
  e.g. curl -H 'X-API-Key: tf-viewer-local' http://127.0.0.1:8080/api/fleet/fleet-1/tables
Notifications of fleet-1's alerts (demo policy: tier 1 at once, tier 2 after 2 min, reminders every 5 min) go to the
webhook receiver http://127.0.0.1:8099/hooks/tiltfleet: one "webhook:" line each below and in $LOGS/webhook-receiver.log;
every attempt: curl -H 'X-API-Key: tf-viewer-local' 'http://127.0.0.1:8080/api/notifications?fleetId=fleet-1'
ready in $(( $(date +%s) - started ))s. Ctrl-C stops everything.
READY

metric() { # port, metric name, and a label the series must carry (optional)
  curl -fsS "http://127.0.0.1:$1/actuator/prometheus" | awk -v m="$2" -v l="${3:-}" '$1 ~ "^"m && (l == "" || index($1, l)) {s+=$2} END {printf "%d", s}'
}
report() {
  while sleep 10; do
    echo "$(date +%T) ingest: received $(metric 8081 tiltfleet_ingest_messages_received_total)," \
         "forwarded $(metric 8081 tiltfleet_ingest_messages_forwarded_total), rejected $(metric 8081 tiltfleet_ingest_messages_rejected_total)" \
         "| safety: readings $(metric 8082 tiltfleet_safety_readings_processed_total), alerts raised $(metric 8082 tiltfleet_safety_alerts_raised_total)" \
         "| analytics: sessions closed $(metric 8083 tiltfleet_analytics_sessions_closed_total), open $(metric 8083 tiltfleet_analytics_sessions_open)" \
         "| notifications: delivered $(metric 8084 tiltfleet_notification_deliveries_total 'outcome="DELIVERED"')," \
         "failed $(metric 8084 tiltfleet_notification_deliveries_total 'outcome="FAILED_FOR_GOOD"')" \
         "| simulator: $(grep '^t=' "$LOGS/fleet-simulator.log" | tail -1)"
  done
}
# The report runs in the background and this shell only waits: a signal then runs its trap at once, and cleanly
# (bash 5.2 fails to parse a trap that lands amid the report's command substitutions), and stopping ends the script.
report &
pids+=($!)
wait
