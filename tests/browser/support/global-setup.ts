import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { createWorld } from './world';
import { WORLD_FILE } from './fixtures';

/** Runs once after the server is up: builds the test network through the API. */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]!.use.baseURL!;
  const world = await createWorld(baseURL);
  mkdirSync(path.dirname(WORLD_FILE), { recursive: true });
  writeFileSync(WORLD_FILE, JSON.stringify(world, null, 2));
}
