#!/usr/bin/env bash
# Starts the real services the tests talk to when they are not already listening (PostgreSQL, Mosquitto,
# Redis, RabbitMQ, NATS); exits non-zero, naming the service, if one cannot start.
set -uo pipefail
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 ${2:-60}); do port_open "$1" && return 0; sleep 0.5; done; return 1; }
ensure() { # name port start-command…
  local name=$1 port=$2; shift 2
  port_open "$port" && return 0
  echo "ci: starting $name"
  "$@" || true
  wait_port "$port" 120 || { echo "ci: FATAL: $name did not start on 127.0.0.1:$port" >&2; exit 1; }
}

ensure PostgreSQL 5432 pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
ensure Mosquitto 1883 mosquitto -d -c /etc/mosquitto/mosquitto.conf
ensure Redis 6379 redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
ensure RabbitMQ 5672 rabbitmq-server -detached
ensure NATS 4222 start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log

# The e2e suite uses database `test`; create it if a fresh cluster lacks it.
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' \
  || { echo "ci: FATAL: cannot reach or prepare PostgreSQL database 'test'" >&2; exit 1; }
echo "ci: services ready (PostgreSQL 5432, Mosquitto 1883, Redis 6379, RabbitMQ 5672, NATS 4222)"
