#!/usr/bin/env bash
# Parley's MongoDB: a one-member replica set (transactions) with authentication.
# A replica set with authorization needs a key file for its members'
# internal authentication, even with one member: made once, kept in the
# mongo-config volume, readable only by mongod. Then MongoDB's own entrypoint
# creates the root user (first start only) and runs the command.
set -euo pipefail

for name in MONGO_INITDB_ROOT_USERNAME MONGO_INITDB_ROOT_PASSWORD PARLEY_MONGO_PASSWORD; do
  if [ -z "${!name:-}" ]; then
    echo "parley: ${name} is empty: create .env from .env.example (see README, Production profile)" >&2
    exit 1
  fi
done

keyfile=/data/configdb/replica-set.key
if [ ! -s "$keyfile" ]; then
  umask 077
  openssl rand -base64 756 > "$keyfile"
fi
chmod 400 "$keyfile"
chown mongodb:mongodb "$keyfile"

exec docker-entrypoint.sh "$@"
