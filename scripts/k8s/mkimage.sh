#!/usr/bin/env bash
# mkimage.sh OUT.tar NAME:TAG BINARY: write a docker-archive holding a FROM-scratch image
# with BINARY as its only file and entrypoint, for `ctr images import`. Fixed file times,
# so the same binary gives the same image.
set -euo pipefail
out=$1 ref=$2 binary=$3
name=/$(basename "$binary")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/root" && cp "$binary" "$tmp/root$name" && chmod 0755 "$tmp/root$name"
tar -C "$tmp/root" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$tmp/layer.tar" .
layer=$(sha256sum <"$tmp/layer.tar" | cut -d' ' -f1)
printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["%s"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$name" "$layer" >"$tmp/config.json"
cfg=$(sha256sum <"$tmp/config.json" | cut -d' ' -f1)
mkdir "$tmp/$layer" && mv "$tmp/layer.tar" "$tmp/$layer/layer.tar" && mv "$tmp/config.json" "$tmp/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$cfg" "$ref" "$layer" >"$tmp/manifest.json"
tar -C "$tmp" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$out" manifest.json "$cfg.json" "$layer"
