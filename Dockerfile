# syntax=docker/dockerfile:1

# --- build: compile TypeScript, then drop dev dependencies ---
# better-sqlite3 ships Node-API binaries for linux x64/arm64 in the package; npm still runs
# node-gyp on its binding.gyp (python3, make), which compiles only where no binary fits (g++).
# npm ci also fetches the `node` dev dependency (the Node 24 that npm scripts use on machines
# without it); npm prune removes it, and the runtime stage runs the image's own Node.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json .swcrc ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# --- runtime: the compiled service and production dependencies, as a non-root user ---
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATABASE_URL=sqlite:/app/data/billing.sqlite
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# node directly (not through npm), so that SIGTERM reaches the service and it shuts down gracefully;
# the same Node flags as npm start: a 16 MB young generation (Node 24 would grow it to 64 MB), and
# no pretenuring or page promotion, which moved short-lived request objects into the old
# generation (a full collection every second under load; docs/performance.md).
CMD ["node", "--max-old-space-size=160", "--max-semi-space-size=16", "--no-allocation-site-pretenuring", "--no-page-promotion", "dist/main.js"]
