#!/usr/bin/env bash
# Gives one table its own MQTT account: a password entry in ./passwd and ACL lines in ./acl that let it
# publish only its own telemetry and status topics. The username is "<fleetId>/<tableId>".
#   infra/mosquitto/add-table.sh fleet-1 table-001 'its-own-password'
# Then reload the broker's files without a restart: docker compose kill -s HUP mosquitto
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 <fleetId> <tableId> <password>" >&2
  exit 2
fi
fleet=$1 table=$2 password=$3
id='^[A-Za-z0-9_-]{1,64}$'
[[ $fleet =~ $id ]] || { echo "fleet id '$fleet' must be 1-64 characters of [A-Za-z0-9_-]" >&2; exit 2; }
[[ $table =~ $id ]] || { echo "table id '$table' must be 1-64 characters of [A-Za-z0-9_-]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
user="$fleet/$table"
[ -f "$here/passwd" ] || touch "$here/passwd"
mosquitto_passwd -b "$here/passwd" "$user" "$password"
if ! grep -qxF "user $user" "$here/acl"; then
  printf '\nuser %s\ntopic write fleets/%s/tables/%s/telemetry\ntopic write fleets/%s/tables/%s/status\n' \
    "$user" "$fleet" "$table" "$fleet" "$table" >> "$here/acl"
fi
echo "table $user may publish on fleets/$fleet/tables/$table/{telemetry,status}"
