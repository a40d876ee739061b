# nodepool-gateway: build with the full toolchain, run the compiled JavaScript as a non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# npm workspaces: the lockfile installs the simulator package (packages/runai-simulator) as a link,
# node_modules/runai-simulator -> ../packages/runai-simulator, so npm ci needs its package.json too.
COPY package.json package-lock.json ./
COPY packages/runai-simulator/package.json ./packages/runai-simulator/package.json
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages/runai-simulator/tsconfig.json packages/runai-simulator/tsconfig.build.json ./packages/runai-simulator/
COPY packages/runai-simulator/spec ./packages/runai-simulator/spec
COPY packages/runai-simulator/src ./packages/runai-simulator/src
COPY src ./src
# Builds packages/runai-simulator/dist, then dist/ (which reads the simulator's declarations).
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# WORKERS=auto: one cluster worker per CPU Node may run on (docs/operations.md, "Several workers on one machine").
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0 \
    WORKERS=auto
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./package.json
# Holds the relative link node_modules/runai-simulator -> ../packages/runai-simulator (copied as a link).
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# The simulator (demo mode, no RUNAI_URL): its package.json (exports), compiled JavaScript, and the spec
# it validates against at run time. Its dependencies (ajv) are hoisted into node_modules above.
COPY --from=build --chown=root:root /app/packages/runai-simulator/package.json ./packages/runai-simulator/package.json
COPY --from=build --chown=root:root /app/packages/runai-simulator/dist ./packages/runai-simulator/dist
COPY --from=build --chown=root:root /app/packages/runai-simulator/spec ./packages/runai-simulator/spec
# The image's "node" user (uid 1000); the files above stay owned by root and read-only to it.
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM reaches node directly (exec form): the primary forwards it to every worker, each drains its
# in-flight requests, then it exits 0.
CMD ["node", "dist/main.js"]
