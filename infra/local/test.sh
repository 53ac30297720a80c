#!/usr/bin/env bash
# Runs every test on this machine: installs what the tests need when it is missing (Mosquitto, which
# the tests start as their own broker process on loopback, and Debian's Chromium and chromedriver for
# the dashboard's browser test), then runs the Maven build.
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
exec mvn -B -ntp verify "$@"
