#!/usr/bin/env bash
# Runs every test on this machine: installs what the tests need when it is missing (Mosquitto, which
# the tests start as their own broker process on loopback, Debian's Chromium and chromedriver for the
# dashboard's browser test, docker-compose to validate docker-compose.yml without a Docker daemon, and
# Node.js with npm for the API documents' lint), lints openapi.yaml and asyncapi.yaml
# (tools/api-lint), then runs the Maven build and prints the counts of the fault, fuzzing and abuse tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "docker-compose.yml: validating with $(docker-compose version --short)"
docker-compose config --quiet
tools/api-lint/lint.sh
status=0
mvn -B -ntp verify "$@" || status=$?
# the fault, fuzzing and abuse tests' counts, from their output files (Surefire's for each module's tests,
# Failsafe's for testing/system-tests's *IT), in one place of the log
echo "== fault, fuzzing and abuse counts"
find . \( -path '*/target/surefire-reports/*-output.txt' -o -path '*/target/failsafe-reports/*-output.txt' \) \
  -exec grep -h -E '^(FAULT|FUZZ|ABUSE) ' {} + || true
exit "$status"
