/**
 * A plain-JS Express + Socket.IO chat as people write it: started by `npm start` from src/, a
 * Dockerfile (not .minimal), the Cloud Build file in a subfolder, .env.staging/.env.production at the root.
 */
const lines = (...items: string[]) => `${items.join("\n")}\n`;

export const CHAT_SERVER = lines(
  'const express = require("express");',
  'const http = require("node:http");',
  'const { Server } = require("socket.io");',
  "",
  "const app = express();",
  "const server = http.createServer(app);",
  "const io = new Server(server, { cors: { origin: (process.env.ALLOWED_ORIGINS || '').split(',') } });",
  "",
  'app.get("/health", (req, res) => {',
  '  res.json({ status: "ok", version: process.env.APP_VERSION || "dev", revision: process.env.K_REVISION || null });',
  "});",
  "",
  'io.on("connection", (socket) => {',
  '  socket.on("join-room", ({ roomId, peerId }) => {',
  "    socket.join(roomId);",
  '    socket.emit("room-peers", { roomId, peers: [] });',
  '    socket.to(roomId).emit("peer-joined", { peerId });',
  "  });",
  '  socket.on("chat-message", ({ roomId, message }) => {',
  '    io.to(roomId).emit("chat-message", { ...message, ts: Date.now() });',
  "  });",
  "});",
  "",
  "const port = Number(process.env.PORT || 3000);",
  "server.listen(port, () => console.log(`listening on ${port}`));",
  'process.on("SIGTERM", () => server.close(() => process.exit(0)));',
);

export function chatProject(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    "package.json": JSON.stringify(
      {
        name: "festival-chat",
        version: "1.3.0",
        private: true,
        scripts: { start: "node src/server.js", lint: "eslint ." },
        dependencies: { express: "^4.21.0", "socket.io": "^4.8.0" },
      },
      null,
      2,
    ),
    "src/server.js": CHAT_SERVER,
    Dockerfile: lines(
      "FROM node:20-slim",
      "WORKDIR /app",
      "COPY package*.json ./",
      "RUN npm ci --omit=dev",
      "COPY src ./src",
      "ENV NODE_ENV=production",
      'CMD ["node", "src/server.js"]',
    ),
    "deployment/cloudbuild.yaml": lines(
      "steps:",
      "  - name: gcr.io/cloud-builders/docker",
      "    args: ['build', '-t', 'europe-west1-docker.pkg.dev/$PROJECT_ID/chat/festival-chat:$_TAG', '.']",
      "images: ['europe-west1-docker.pkg.dev/$PROJECT_ID/chat/festival-chat:$_TAG']",
    ),
    ".env.staging": lines(
      "NODE_ENV=production",
      "SOCKET_URL=wss://festival-chat-staging-3kq2lz7h5a-ew.a.run.app/socket.io",
      "ALLOWED_ORIGINS=https://festival-staging.web.app",
      "MAX_ROOM_SIZE=50",
      "ENABLE_HISTORY=true",
      "SESSION_SECRET=Zt8qP2vLx9Kc4Wm7Rb1Hy6Nf3Jd5Gs0A",
      "NEXT_PUBLIC_SOCKET_URL=wss://festival-chat-staging-3kq2lz7h5a-ew.a.run.app",
    ),
    ".env.production": lines(
      "NODE_ENV=production",
      "SOCKET_URL=wss://festival-chat-production-3kq2lz7h5a-ew.a.run.app/socket.io",
      "ALLOWED_ORIGINS=https://festival.example.com",
      "MAX_ROOM_SIZE=200",
      "ENABLE_HISTORY=true",
      "SESSION_SECRET=Qm4Lr8Tz1Vx6Cb3Np9Wk2Hs7Jf5Gd0Ya",
      "NEXT_PUBLIC_SOCKET_URL=wss://festival-chat-production-3kq2lz7h5a-ew.a.run.app",
    ),
    ...overrides,
  };
}
