# The resilient-sms image: one image for every process of docker-compose.yml, chosen by the command:
#   node lib/src/cli/main.js worker|ingest|api|setup|report|provision-emulator …     (default: worker)
#   node lib/src/cli/main.js simulator --host 0.0.0.0 …                             (the carrier simulator, demo)
# Compiles the TypeScript once and ships only production dependencies. `npm run build` also prebuilds the workflow
# bundle (lib/workflow-bundle*.js), so the worker starts without running webpack.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/lib ./lib
ENV RESILIENT_SMS_CONFIG=/config/config.yaml \
    TEMPORAL_ADDRESS=temporal:7233 \
    METRICS_HOST=0.0.0.0
USER node
# Prometheus /metrics of the worker (9464) and ingester (9465); the HTTP API (8088); the simulator (4599).
EXPOSE 9464 9465 8088 4599
CMD ["node", "lib/src/cli/main.js", "worker", "--metrics-port", "9464"]
