#!/bin/sh
# usage: bench-coldstart.sh LAMBDA_TARGET_DIR BASELINE FUNCTION...
# Called by `make bench-coldstart` after the x86_64 zips and the emulator are built.
set -eu
tdir=$1; base=$2; shift 2
fns="$*"
bench=${BENCH_DIR:-target/bench}
runs=${BENCH_RUNS:-11}
venv_bin=${DEPLOY_BIN:-.venv/bin}
rm -rf "$bench/logs" "$bench/zips" "$bench/bin"
mkdir -p "$bench/logs" "$bench/zips" "$bench/bin"
for f in $base $fns; do
  cp "$tdir/zip/x86_64/$f/bootstrap.zip" "$bench/zips/$f.zip"
  python3 -m zipfile -e "$bench/zips/$f.zip" "$bench/bin/$f/"
  chmod +x "$bench/bin/$f/bootstrap"
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
endpoint="http://127.0.0.1:$port"
export TABLE_NAME=mypage-bench EBOOK_SIGNING_SECRET_PARAM=/mypage/ebook-signing-secret
# BENCH_BACKEND: stub (the default: instant empty answers from the emulator, so init is
# measured without backend latency), moto (if the venv has it) or none (an unused port).
backend=${BENCH_BACKEND:-stub}
[ "$backend" = moto ] && [ ! -x "$venv_bin/moto_server" ] && backend=none
stub=0
moto_pid=""
if [ "$backend" = stub ]; then
  stub=1
  echo "backend: the emulator's instant AWS stub"
elif [ "$backend" = moto ]; then
  "$venv_bin/moto_server" -H 127.0.0.1 -p "$port" > "$bench/logs/moto.log" 2>&1 &
  moto_pid=$!
  trap 'kill "$moto_pid" 2>/dev/null || true' EXIT INT TERM
  "$venv_bin/python" infra/checks/bench_fixtures.py "$endpoint" "$TABLE_NAME" "$EBOOK_SIGNING_SECRET_PARAM"
else
  echo "backend: none, AWS_ENDPOINT_URL=$endpoint where nothing listens (functions must still init)"
fi

# What the functions see in AWS, with local stand-ins (see template.yaml).
export AWS_ENDPOINT_URL="$endpoint" AWS_REGION=ap-northeast-1 AWS_DEFAULT_REGION=ap-northeast-1 \
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing \
  AWS_LAMBDA_LOG_FORMAT=JSON AWS_LAMBDA_LOG_LEVEL=INFO RUST_LOG=info \
  MAIL_FROM=mypage@library.example.jp LIBRARY_NAME="Bench City Library" LIBRARY_PHONE=075-000-0000 \
  MYPAGE_URL=https://www.library.example.jp/mypage/ EBOOK_LAUNCH_URL=https://ebooks.example.jp/launch \
  SES_MAX_SEND_RATE=5 SCHEDULE_GROUP=mypage-hold-expiry \
  HOLD_EXPIRY_FUNCTION_ARN=arn:aws:lambda:ap-northeast-1:123456789012:function:mypage-hold-expiry \
  HOLD_EXPIRY_SCHEDULER_ROLE_ARN=arn:aws:iam::123456789012:role/mypage-hold-expiry-scheduler \
  HOLD_EXPIRY_DLQ_ARN=arn:aws:sqs:ap-northeast-1:123456789012:mypage-hold-expiry-dlq

"$tdir/release/runtime-emulator" bench \
  --bin-dir "$bench/bin" --zip-dir "$bench/zips" --template template.yaml \
  --baseline "$base" --functions "$(echo $fns | tr ' ' ',')" --runs "$runs" \
  --memory session=1024,account=1024,staff=512,due-reminders=512,new-arrivals=512 \
  --scoped-env "MAIL_FROM:account+staff+holds+overdue-notices+due-reminders+new-arrivals+hold-expiry,SES_MAX_SEND_RATE:account+staff+holds+overdue-notices+due-reminders+new-arrivals+hold-expiry,EBOOK_SIGNING_SECRET_PARAM:ebooks,SCHEDULE_GROUP:staff+holds+hold-expiry,HOLD_EXPIRY_FUNCTION_ARN:staff+holds+hold-expiry,HOLD_EXPIRY_SCHEDULER_ROLE_ARN:staff+holds+hold-expiry,HOLD_EXPIRY_DLQ_ARN:staff+holds+hold-expiry" \
  --aws-stub "$stub" --backend-label "$backend" \
  --log-dir "$bench/logs" --out "$bench/coldstart.md"
