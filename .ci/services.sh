#!/usr/bin/env bash
# Starts PostgreSQL and Mosquitto when they are not already listening; exits non-zero if one cannot start.
set -uo pipefail
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done; return 1; }

if ! port_open 5432; then
  echo "ci: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_port 5432 || { echo "ci: FATAL: PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }
fi
if ! port_open 1883; then
  echo "ci: starting Mosquitto"
  mosquitto -d -c /etc/mosquitto/mosquitto.conf || true
  wait_port 1883 || { echo "ci: FATAL: Mosquitto did not start on 127.0.0.1:1883" >&2; exit 1; }
fi
# The e2e suite uses database `test`; create it if a fresh cluster lacks it.
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' \
  || { echo "ci: FATAL: cannot reach or prepare PostgreSQL database 'test'" >&2; exit 1; }
echo "ci: services ready (PostgreSQL 5432, Mosquitto 1883)"
