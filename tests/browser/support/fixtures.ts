import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import type { Role } from '../../../schemas/api/roles';
import { ADMIN, apiAs, emailOf, PASSWORD, signIn, type World } from './world';

export const WORLD_FILE = path.resolve('test-results', `world-${process.env.E2E_PORT ?? 4173}.json`);

/** Signs a page in through the sign-in form, as a person would. */
export async function loginAs(page: Page, role: Role): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(role === 'admin' ? ADMIN.email : emailOf(role));
  await page.getByLabel('Password').fill(role === 'admin' ? ADMIN.password : PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** An API client signed in as a role, for arranging what a test needs. */
export async function apiFor(world: World, role: Role) {
  return role === 'admin' ? signIn(world.baseURL, ADMIN.email, ADMIN.password) : signIn(world.baseURL, emailOf(role), PASSWORD);
}

export const test = base.extend<{ world: World }>({
  // eslint-disable-next-line no-empty-pattern
  world: async ({}, use) => {
    await use(JSON.parse(readFileSync(WORLD_FILE, 'utf8')) as World);
  }
});

export { expect, apiAs };
