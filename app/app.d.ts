import type { Logger } from 'pino';

declare global {
  namespace App {
    interface Locals {
      requestId: string;
      log: Logger;
    }
    interface Error {
      message: string;
      requestId?: string;
    }
  }
}

export {};
