#!/usr/bin/env bash
# Make sure the services the test suites talk to are up: Redis 127.0.0.1:6379, RabbitMQ 5672, PostgreSQL 5432.
# A service that is already listening is left alone; one that is down is started with the same command the
# machine uses at boot, then waited for (bounded). Exits non-zero, naming the service, when one cannot be started.
#
# Usage: bash tools/ci/ensure-services.sh            (all three)
#        bash tools/ci/ensure-services.sh redis      (some of: redis rabbitmq postgres)
# Env:   Q_CI_SERVICE_WAIT  seconds to wait for each service (default 60)
set -euo pipefail

WAIT_SECONDS="${Q_CI_SERVICE_WAIT:-60}"

log() { printf 'ensure-services: %s\n' "$*"; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Wait until service $1 accepts connections on port $2, at most WAIT_SECONDS.
wait_for() {
  local name="$1" port="$2" waited=0
  while (( waited < WAIT_SECONDS )); do
    if port_open "$port"; then
      log "$name is up on 127.0.0.1:$port (after ${waited}s)"
      return 0
    fi
    sleep 1
    waited=$((waited + 1))
  done
  log "ERROR: $name did not come up on 127.0.0.1:$port within ${WAIT_SECONDS}s"
  return 1
}

ensure_redis() {
  if port_open 6379; then log "redis already up on 127.0.0.1:6379"; return 0; fi
  command -v redis-server >/dev/null || { log "ERROR: redis is down and redis-server is not installed"; return 1; }
  log "redis is down: starting redis-server"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for redis 6379
}

ensure_rabbitmq() {
  if port_open 5672; then log "rabbitmq already up on 127.0.0.1:5672"; return 0; fi
  command -v rabbitmq-server >/dev/null || { log "ERROR: rabbitmq is down and rabbitmq-server is not installed"; return 1; }
  log "rabbitmq is down: starting rabbitmq-server -detached"
  rabbitmq-server -detached
  # await_startup returns once the node has booted; bound it, then fall back to waiting for the port.
  if command -v rabbitmqctl >/dev/null; then
    timeout "$WAIT_SECONDS" rabbitmqctl await_startup --timeout "$WAIT_SECONDS" >/dev/null 2>&1 \
      || log "rabbitmqctl await_startup did not confirm; waiting for the port"
  fi
  wait_for rabbitmq 5672
}

ensure_postgres() {
  if port_open 5432; then log "postgres already up on 127.0.0.1:5432"; return 0; fi
  command -v pg_ctlcluster >/dev/null || { log "ERROR: postgres is down and pg_ctlcluster is not installed"; return 1; }
  local version
  version="$(ls /etc/postgresql)"
  log "postgres is down: starting cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_for postgres 5432
}

services=("$@")
(( ${#services[@]} )) || services=(redis rabbitmq postgres)
failed=()
for s in "${services[@]}"; do
  case "$s" in
    redis) ensure_redis || failed+=(redis) ;;
    rabbitmq) ensure_rabbitmq || failed+=(rabbitmq) ;;
    postgres) ensure_postgres || failed+=(postgres) ;;
    *) log "ERROR: unknown service '$s' (known: redis rabbitmq postgres)"; failed+=("$s") ;;
  esac
done

if (( ${#failed[@]} )); then
  log "FAILED: ${failed[*]}"
  exit 1
fi
log "all services up: ${services[*]}"
