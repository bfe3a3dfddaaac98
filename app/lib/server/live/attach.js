// Shared by server.js (production) and the Vite dev plugin: both create the HTTP
// server, and this attaches Socket.IO to it. The SvelteKit module graph and
// server.js are separate, so the Socket.IO server is handed over on globalThis.
import { Server } from 'socket.io';

/**
 * @typedef {{ io?: import('socket.io').Server, onIo?: (io: import('socket.io').Server) => void, runtime?: unknown }} ProcessState
 */

/** @returns {ProcessState} */
export function processState() {
  const g = /** @type {{ __opstower?: ProcessState }} */ (globalThis);
  g.__opstower ??= {};
  return g.__opstower;
}

/**
 * Attaches one Socket.IO server to httpServer. A Vite restart brings a new HTTP
 * server: the old Socket.IO instance is closed and the new one handed to the hub.
 * @param {import('node:http').Server} httpServer
 */
export function attachSocketServer(httpServer) {
  const state = processState();
  if (state.io && state.io.httpServer === httpServer) return state.io;
  state.io?.close();
  const io = new Server(httpServer, { serveClient: false, connectionStateRecovery: undefined });
  state.io = io;
  state.onIo?.(io);
  return io;
}
