# One image, two roles: `npm run api` and `npm run worker` (see docker-compose.yml).
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts=false && npm cache clean --force
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
