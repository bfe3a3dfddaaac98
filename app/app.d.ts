import type { Logger } from 'pino';
import type { SessionUser } from '../schemas/api/auth';

declare global {
  namespace App {
    interface Locals {
      requestId: string;
      log: Logger;
      /** The signed-in user of the request (session cookie), or null. */
      user: SessionUser | null;
      sessionToken: string | null;
    }
    interface Error {
      message: string;
      requestId?: string;
    }
  }
}

export {};
