# One image for both production services: `app` (node server.js) and `ingest` (npm run ingest).
FROM node:20-bookworm-slim
WORKDIR /opt/opstower
ENV NODE_ENV=production
COPY package.json ./
RUN npm install --include=dev --no-audit --no-fund
COPY . .
RUN node_modules/.bin/vite build
USER node
EXPOSE 3000
CMD ["node", "server.js"]
