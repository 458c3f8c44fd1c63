# One image, two roles: `npm run api` and `npm run worker` (see docker-compose.yml).
# Node.js 26 'Lithium', the Active LTS line since 26.13.0 (28 October 2026, supported to April
# 2029), on Debian 13 (trixie), the current stable: the major tag, so rebuilding picks up its
# security releases. The tests also run on Node 20.19+ (package.json engines).
FROM node:26-trixie-slim
ENV NODE_ENV=production
WORKDIR /app
# .npmrc makes an install script that package.json's allowScripts has not reviewed fail the build;
# only @photostructure/sqlite's runs (its native build, where no prebuilt binary fits).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force
COPY tsconfig.json ./
COPY activities ./activities
COPY api ./api
COPY codec ./codec
COPY config ./config
COPY db ./db
COPY domain ./domain
COPY scripts/lib ./scripts/lib
COPY web ./web
COPY worker ./worker
COPY workflows ./workflows
RUN mkdir -p /data && chown node:node /data
USER node
ENV JCO_DATA_DIR=/data
EXPOSE 3000
CMD ["npm", "run", "api"]
