# syntax=docker/dockerfile:1
#
# Image for odoo-webshop-sync. One image, three processes (chosen by the command):
#   node dist/api/main.js         Koa API (default)
#   node dist/worker/main.js      Temporal worker
#   node dist/scripts/migrate.js  applies the MySQL migrations, then exits
#
# Configuration is read from the environment (see docker-compose.yml).

# ---- build: install every dependency, compile, then drop the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: compiled output and production dependencies only ----
FROM node:20-bookworm-slim AS runtime

ENV NODE_ENV=production \
    PORT=3000 \
    VAR_DIR=/app/var

WORKDIR /app

# Code stays owned by root (read-only for the app user); only VAR_DIR is writable.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/var && chown node:node /app/var

# The official image ships an unprivileged "node" user (uid 1000).
USER node

EXPOSE 3000
CMD ["node", "dist/api/main.js"]
