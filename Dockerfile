# BPTL image: the `bptl` commands on Node 24 LTS (used by docker-compose.yml).
#   docker build -t bptl .
#   docker run --rm bptl --help
# The default command is `run` (a worker and the pollers in one process); pass `worker` or `poller` to run one. Configuration comes from the
# environment (TEMPORAL_ADDRESS, BPTL_CONFIG, ...) and the file BPTL_CONFIG names (default: the image's
# /app/bptl.config.yaml, which points at 127.0.0.1 and so is only a starting point; docker-compose.yml uses
# /app/deploy/bptl.compose.config.yaml).
#
# Debian (glibc) slim on purpose: @temporalio/core-bridge ships prebuilt native binaries for glibc Linux
# x64/arm64 only, so an Alpine (musl) image would not load it.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: compile TypeScript to dist/, then drop the dev dependencies ----------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# Dependencies first, so that this layer is reused while package*.json stay the same.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/bundle-workflows.ts scripts/workflow-bundle-check.ts ./scripts/
# The build also bundles the workflows from dist/workflows/index.js into dist/workflow-bundle.js, and checks
# that the bundle pulls in no Node module (scripts/bundle-workflows.ts): the worker loads that file at start
# instead of running webpack (src/worker/bundle-workflows.ts).
RUN npm run build \
 && test -f dist/workflow-bundle.js \
 && test -f dist/cli/main.js \
 && test -f dist/workflows/index.js \
 && test -f dist/store/migrations/001-initial.sql \
 && test -f dist/worker/workflow-thread-preload.cjs \
 && test ! -e dist/work-units/testing.js \
 && npm prune --omit=dev

# --- runtime ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# Memory (docs/benchmarks.md): two glibc arenas instead of one per thread for the Temporal core's threads, and
# an 8 MiB young generation per V8 heap instead of up to 64 MiB: about 250 MiB less at peak, same throughput;
# a 256 MiB old generation (BPTL_HEAP_MB; 0: Node's own limit, which in a container follows the memory limit),
# so that V8 collects before garbage piles up: flat at about 250 MiB under a burst.
ENV MALLOC_ARENA_MAX=2 BPTL_HEAP_MB=256
WORKDIR /app

# Owned by root and only readable by the runtime user: the process cannot change its own code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY demo ./demo
COPY bptl.config.yaml ./bptl.config.yaml
COPY deploy ./deploy

# The image's own non-root user (uid 1000).
USER node

# Through sh, so that BPTL_HEAP_MB is read when the container starts; the arguments follow as "$@".
ENTRYPOINT ["sh", "-c", "exec node --max-semi-space-size=8 --max-old-space-size=\"${BPTL_HEAP_MB:-256}\" dist/cli/main.js \"$@\"", "bptl"]
CMD ["run"]
