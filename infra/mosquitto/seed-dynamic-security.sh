#!/usr/bin/env bash
# Makes dynamic-security.json, the accounts docker-compose's Mosquitto starts with (its first start copies it into the
# broker's data volume, where the dynamic-security plugin keeps every change): the plugin's administrator, who the
# safety service signs in as to issue, rotate and revoke the tables' own accounts (POST/DELETE
# /api/fleet/{fleetId}/tables/{tableId}/credentials); one account per ingest instance, reading every table's topics;
# and the container health check's, reading only the broker's uptime. No table has an account until one is issued.
#   infra/mosquitto/seed-dynamic-security.sh <admin-password> <ingest-password> <healthcheck-password>
# Passwords are stored hashed (PBKDF2-SHA512). Needs mosquitto (apt-get install -y mosquitto).
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 <admin-password> <ingest-password> <healthcheck-password>" >&2
  exit 2
fi
admin=$1 ingest=$2 healthcheck=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
broker=""
trap '[ -z "$broker" ] || kill "$broker" 2>/dev/null || true; rm -rf "$work"' EXIT
plugin=""
for candidate in /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so; do
  [ -f "$candidate" ] && plugin=$candidate && break
done
[ -n "$plugin" ] || { echo "Mosquitto's dynamic-security plugin is not installed: apt-get install -y mosquitto" >&2; exit 1; }
port=$((20000 + RANDOM % 20000))
mosquitto_ctrl dynsec init "$work/dynamic-security.json" admin "$admin" >/dev/null
# as whoever runs this: started as root, Mosquitto would otherwise become the mosquitto user, who may not read $work
printf 'listener %s 127.0.0.1\nallow_anonymous false\nplugin %s\nplugin_opt_config_file %s\nuser %s\n' "$port" "$plugin" \
  "$work/dynamic-security.json" "$(id -un)" >"$work/mosquitto.conf"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
broker=$!
ready=no
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && ready=yes && break; sleep 0.1; done
[ "$ready" = yes ] || { echo "the temporary broker did not start: $(cat "$work/mosquitto.log")" >&2; exit 1; }
# every command must succeed: a seed missing the ingest's account would keep the platform from starting
ctl() {
  local out
  out=$(mosquitto_ctrl -h 127.0.0.1 -p "$port" -u admin -P "$admin" dynsec "$@" 2>&1) || { echo "dynsec $1 failed: $out" >&2; exit 1; }
  if printf '%s' "$out" | grep -q -e "Error" -e "error"; then echo "dynsec $1 failed: $out" >&2; exit 1; fi
}
ctl createRole tiltfleet-ingest
# a shared subscription (several ingest instances) is judged by its whole filter, $share/<group>/ included
for filter in 'fleets/+/tables/+/telemetry' 'fleets/+/tables/+/status' '$share/+/fleets/+/tables/+/telemetry' '$share/+/fleets/+/tables/+/status'; do
  ctl addRoleACL tiltfleet-ingest subscribePattern "$filter" allow
done
for n in 1 2 3; do
  ctl createClient "tiltfleet-ingest-$n" -p "$ingest" -c "tiltfleet-ingest-$n"
  ctl addClientRole "tiltfleet-ingest-$n" tiltfleet-ingest
done
# the administrator sets a revoked table's retained status offline, as its Last Will would have
ctl addRoleACL admin publishClientSend 'fleets/+/tables/+/status' allow
ctl createRole tiltfleet-healthcheck
ctl addRoleACL tiltfleet-healthcheck subscribeLiteral '$SYS/broker/uptime' allow
ctl createClient tiltfleet-healthcheck -p "$healthcheck" -c tiltfleet-healthcheck
ctl addClientRole tiltfleet-healthcheck tiltfleet-healthcheck
kill "$broker"
wait "$broker" 2>/dev/null || true
cp "$work/dynamic-security.json" "$here/dynamic-security.json"
echo "wrote $here/dynamic-security.json"
