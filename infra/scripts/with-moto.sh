#!/usr/bin/env bash
# Starts moto (DynamoDB, SES v2, Scheduler) on a free loopback port, runs the given command
# with AWS_ENDPOINT_URL pointing at it, and stops moto however the command ends.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$root/target"
"$root/.venv/bin/python" "$root/infra/scripts/moto_server.py" 127.0.0.1 "$port" > "$root/target/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null || true; wait $moto 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then break; fi
  sleep 0.1
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_REGION=ap-northeast-1 AWS_DEFAULT_REGION=ap-northeast-1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export MOTO_ENDPOINT="$AWS_ENDPOINT_URL"
"$@"
