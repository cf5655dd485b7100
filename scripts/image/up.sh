#!/usr/bin/env bash
# make up: run the app the way the course does, on a bridge network with Redis, both
# containers hardened (read-only root, no capabilities, no privilege gain).
#   PORT         host port on 127.0.0.1 (default 5000; empty: one the engine picks)
#   REDIS_IMAGE  Redis image to run (default giropops-senhas-redis:local, built if missing)
#   APP_IMAGE    app image (default giropops-senhas:latest, loaded by `make image`)
#   UP_NAME      prefix of the network, containers and volume (default giropops-senhas)
# Running it again replaces the containers; the Redis volume and its data stay.
set -euo pipefail
cd "$(dirname "$0")/../.."

name=${UP_NAME:-giropops-senhas}
port=${PORT-5000}
app_image=${APP_IMAGE:-giropops-senhas:latest}
redis_image=${REDIS_IMAGE:-giropops-senhas-redis:local}
net=$name
redis=$name-redis
volume=$name-redis-data
harden=(--read-only --cap-drop=ALL --security-opt=no-new-privileges)

if [ -z "${REDIS_IMAGE:-}" ] && ! docker image inspect "$redis_image" >/dev/null 2>&1; then
  scripts/image/redis-image.sh "$redis_image"
fi

docker network inspect "$net" >/dev/null 2>&1 || docker network create --driver bridge "$net" >/dev/null
docker volume create "$volume" >/dev/null
docker rm -f "$name" "$redis" >/dev/null 2>&1 || true

# Redis: the options of the local image's CMD (deploy/docker/redis/Dockerfile, the one list:
# AOF on, data on the volume, maxmemory 180mb with volatile-ttl), passed explicitly so that
# another REDIS_IMAGE runs with them too, and a memory limit above maxmemory, so Redis
# evicts before the kernel would kill it. Only options are passed: the local image's
# entrypoint is redis-server, and the official image's entrypoint prepends redis-server.
read -ra redis_opts <<<"$(sed -n 's/^CMD \[\(.*\)\]$/\1/p' deploy/docker/redis/Dockerfile | tr -d '",')"
((${#redis_opts[@]})) || { echo "up: no CMD options in deploy/docker/redis/Dockerfile" >&2; exit 1; }
docker run -d --name "$redis" --network "$net" "${harden[@]}" \
  --memory 256m -v "$volume:/data" "$redis_image" "${redis_opts[@]}" >/dev/null

# SESSION_KEY signs the session cookies. It is kept in .env (git ignores it; compose reads
# it too), made once, so that sessions outlive a restart or another `make up`.
if ! grep -qs '^SESSION_KEY=' .env; then
  echo "SESSION_KEY=$(head -c 32 /dev/urandom | base64)" >>.env
fi
session_key=$(sed -n 's/^SESSION_KEY=//p' .env | tail -n 1)
docker run -d --name "$name" --network "$net" "${harden[@]}" \
  --cpus 0.5 --memory 128m \
  -e REDIS_HOST="$redis" -e SESSION_KEY="$session_key" -p "127.0.0.1:$port:5000" "$app_image" >/dev/null

# Wait for Docker's own health check (the image's HEALTHCHECK) to pass.
for _ in $(seq 1 60); do
  status=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$name")
  case $status in
    healthy)
      echo "up: http://$(docker port "$name" 5000/tcp) (containers $name, $redis; network $net; volume $volume)"
      exit 0 ;;
    unhealthy) break ;;
  esac
  sleep 1
done
echo "up: $name is not healthy ($status); its logs:" >&2
docker logs --tail 30 "$name" >&2
exit 1
