# The hangwatch services image: one image, one process per container (`hangwatch service <name>`).
FROM node:20-bookworm-slim
WORKDIR /opt/hangwatch
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
RUN node scripts/build-grammars.mjs
USER node
ENTRYPOINT ["node", "bin/hangwatch.js"]
CMD ["--help"]
