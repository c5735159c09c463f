# Parley's production image: the API and the projector worker (one image, two commands).
#   docker build -t parley .
#   docker run parley                                  # API (node dist/apps/api/main.js)
#   docker run parley node dist/apps/projector/main.js # projector worker
#
# Node 22 LTS: package.json's `engines` asks for >= 20.19 (Node 20 is past its
# end of life) and better-sqlite3 12 ships for Node 20 to 26; 22 is the line
# the development machines' 20 moves to with the fewest changes, and the one
# better-sqlite3 13 requires. Override with --build-arg NODE_IMAGE=… to try another.
#
# Dependencies install from package-lock.json with `npm ci`, every install
# script denied (`--ignore-scripts`); then only the packages package.json's
# `allowScripts` marks `true` run theirs (`npm rebuild <name>`), in the one
# stage that needs them. better-sqlite3 compiles from source when its prebuilt
# binary cannot be fetched, so that stage carries python3, make and g++; the
# runtime stage does not.

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: all dependencies, no install scripts, compile TypeScript to dist/ ---------
# Compiling needs no native binding, so nothing here runs a package's script.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# ---- production dependencies; only the allowed install scripts run ---------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `npm rebuild` with no name would run every package's scripts: only call it with names.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && allowed="$(node -p "const a = require('./package.json').allowScripts ?? {}; Object.keys(a).filter((n) => a[n] === true).join(' ')")" \
 && if [ -n "$allowed" ]; then echo "install scripts allowed: $allowed" && npm rebuild $allowed; fi \
 && node -e "require('better-sqlite3')(':memory:').close()" \
 && npm cache clean --force

# ---- runtime: node, production node_modules, dist/; runs as the unprivileged `node` user --
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    PROJECTOR_PORT=3001 \
    DATA_DIR=/app/data
WORKDIR /app
# Code and packages stay root-owned (read-only to the process); only DATA_DIR is writable.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Only the embedded profile writes here (SQLite files, the generated JWT secret).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000 3001
# Asks the process in this container (API on PORT, projector on PROJECTOR_PORT) for /health.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "dist/apps/healthcheck/main.js"]
# SIGTERM reaches node directly (exec form): the projector finishes its batch, the API drains.
CMD ["node", "dist/apps/api/main.js"]
