#!/usr/bin/env bash
# make down: remove the containers and the network of `make up`. The Redis volume (the
# password history) stays unless DOWN_VOLUME=1.
set -euo pipefail

name=${UP_NAME:-giropops-senhas}
docker rm -f "$name" "$name-redis" >/dev/null 2>&1 || true
docker network rm "$name" >/dev/null 2>&1 || true
if [ "${DOWN_VOLUME:-0}" = 1 ]; then
  docker volume rm "$name-redis-data" >/dev/null 2>&1 || true
  echo "down: removed $name, $name-redis, network $name and volume $name-redis-data"
else
  echo "down: removed $name, $name-redis and network $name (volume $name-redis-data kept; DOWN_VOLUME=1 removes it)"
fi
