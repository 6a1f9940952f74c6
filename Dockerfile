# Worker image: compiles the TypeScript once, ships only production dependencies.
# The worker bundles the workflow code with webpack at start-up (dependency of @temporalio/worker).
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/lib ./lib
# Workflow sources are bundled from lib/src/workflows at start-up.
ENV RESILIENT_SMS_CONFIG=/config/config.yaml \
    TEMPORAL_ADDRESS=temporal:7233
USER node
CMD ["node", "lib/src/workers/worker.js"]
