# The project's RDS Data API server in front of an external PostgreSQL (the compose `postgres` service):
# the same server the tests exercise, run from the sources with tsx.
#
#   docker build -f docker/data-api.Dockerfile -t infected-code/data-api:local .
#
# Environment read by local/data-api/main.ts (see its header for the full list):
#   PGHOST, PGPORT                        where PostgreSQL is
#   PG_SUPERUSER, PG_SUPERUSER_PASSWORD   used at start-up only, to prepare the non-superuser roles
#                                         every request runs as (owner and reader)
#   HOST (0.0.0.0 in this image), PORT (8080)   where the Data API listens: every interface of the
#                                         container, on its compose network; publish it on 127.0.0.1
#   DATA_API_RESOURCE_ARN, DATA_API_SECRET_ARN, DATA_API_READER_SECRET_ARN   the ARNs it accepts
#                                         (defaults: local/data-api/local-arns.ts)
FROM node:22-alpine

WORKDIR /app

# Dependencies first, for the layer cache. --ignore-scripts: no postinstall downloads (the embedded
# PostgreSQL binaries are not used here; tsx's esbuild binary comes from its platform package).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY functions/shared ./functions/shared
COPY local ./local

ENV HOST=0.0.0.0 \
    PORT=8080
EXPOSE 8080
USER node

# node directly (not npx): it receives SIGTERM from `docker compose down` and shuts the server down.
CMD ["node", "--import", "tsx", "local/data-api/main.ts"]
