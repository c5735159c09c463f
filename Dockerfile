# Parley's production image: the API and the projector worker (one image, two commands).
#   docker build -t parley .
#   docker run parley                                  # API (node dist/apps/api/main.js)
#   docker run parley node dist/apps/projector/main.js # projector worker
# better-sqlite3 compiles from source when no prebuilt binary can be fetched,
# so the stages that install packages carry python3, make and g++; the runtime
# stage does not.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/ ------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

# ---- production dependencies only (compiled with the same toolchain and Node ABI) -----
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime: node, production node_modules, dist/; runs as the unprivileged `node` user --
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    PROJECTOR_PORT=3001 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
# Only the embedded profile writes here (SQLite files, the generated JWT secret).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000 3001
# SIGTERM reaches node directly (exec form): the projector finishes its batch, the API drains.
CMD ["node", "dist/apps/api/main.js"]
