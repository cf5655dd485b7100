#!/usr/bin/env bash
# Build the local Redis image from Debian's redis-server and redis-cli: the two programs,
# the shared libraries ldd lists for them, the dynamic loader, and passwd/group entries
# for the redis user. Usage: redis-image.sh [TAG] (default giropops-senhas-redis:local).
# The image's CMD (deploy/docker/redis/Dockerfile) carries the project's Redis options
# (AOF, maxmemory 180mb, maxmemory-policy volatile-ttl): `docker run` of the image alone
# runs Redis as make up and compose do. Rebuild after changing them.
set -euo pipefail
tag=${1:-giropops-senhas-redis:local}
cd "$(dirname "$0")/../.."

for b in /usr/bin/redis-server /usr/bin/redis-cli; do
  [ -x "$b" ] || { echo "redis-image: $b missing (apt-get install redis-server redis-tools)" >&2; exit 1; }
done

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
root=$ctx/rootfs
mkdir -p "$root/usr/bin" "$root/etc" "$ctx/data"

# /usr/bin/redis-server is a symlink to redis-check-rdb, and Redis picks its mode from
# argv[0]: copy the file it points at under the name redis-server.
cp -L /usr/bin/redis-server /usr/bin/redis-cli "$root/usr/bin/"

# Every library and the loader they need.
scripts/image/libs.sh "$root" /usr/bin/redis-server /usr/bin/redis-cli

printf 'root:x:0:0:root:/root:/sbin/nologin\nredis:x:999:999:redis:/data:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nredis:x:999:\n' >"$root/etc/group"
chmod -R u=rwX,go=rX "$root"

cp deploy/docker/redis/Dockerfile "$ctx/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$tag" \
  --label org.opencontainers.image.title=giropops-senhas-redis \
  --label "org.opencontainers.image.description=Debian's redis-server $(dpkg-query -W -f='${Version}' redis-server) on an empty base, built locally" \
  --label org.opencontainers.image.base.name=scratch \
  "$ctx" >/dev/null
echo "redis-image: built $tag ($(docker image inspect -f '{{.Size}}' "$tag") bytes)"
