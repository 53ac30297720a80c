#!/usr/bin/env bash
# Runs every test on this machine: installs Mosquitto when missing (the tests start their own
# Mosquitto and Kafka brokers as local processes on loopback), then runs the Maven build.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
  echo "installing mosquitto (Debian package)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null
fi
exec mvn -B -ntp verify "$@"
