import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';
import type { Server as HttpServer } from 'node:http';
import { attachSocketServer } from './app/lib/server/live/attach.js';

/** In dev, Socket.IO rides on Vite's own HTTP server (production: server.js). */
function liveSocket(): Plugin {
  return {
    name: 'opstower-live-socket',
    configureServer(server) {
      if (server.httpServer) attachSocketServer(server.httpServer as HttpServer);
    },
    configurePreviewServer(server) {
      if (server.httpServer) attachSocketServer(server.httpServer as HttpServer);
    }
  };
}

export default defineConfig({
  plugins: [sveltekit(), liveSocket()]
});
