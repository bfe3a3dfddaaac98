import { apiFor, expect, loginAs, test } from './support/fixtures';

test.use({ locale: 'en-US' });

const HEADER = 'sku,name,category,cost_minor,price_minor';

test('admin imports products: one bad row refuses the file with its line and column, a good file imports every row', async ({ page, world }, testInfo) => {
  const tag = `IMP${Date.now().toString(36).toUpperCase()}`;
  const skus = [1, 2, 3].map((i) => `${tag}-${i}`);
  const admin = await apiFor(world, 'admin');
  await loginAs(page, 'admin');
  await page.goto('/ops/import');
  await page.getByLabel('Products', { exact: true }).check();

  const bad = [HEADER, `${skus[0]},Widget,tools,100,200`, `${skus[1]},Gadget,tools,abc,250`, `${skus[2]},Gizmo,tools,120,300`].join('\n');
  await page.getByLabel('Or paste the CSV').fill(bad);
  await page.getByRole('button', { name: 'Import', exact: true }).click();

  await expect(page.getByTestId('form-error')).toContainText('nothing was imported: 1 error on 1 line');
  const rows = page.getByTestId('csv-errors').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-line', '3');
  await expect(rows.first()).toHaveAttribute('data-column', 'cost_minor');
  await expect(rows.first()).toContainText('"abc" is not a number');
  // All or nothing: not even the good rows exist.
  expect((await admin.catalog.products.list.query({ search: tag })).total).toBe(0);
  await page.screenshot({ path: testInfo.outputPath('import-errors.png'), fullPage: true });

  // The corrected file, uploaded this time.
  const good = [HEADER, `${skus[0]},Widget,tools,100,200`, `${skus[1]},Gadget,tools,150,250`, `${skus[2]},Gizmo,tools,120,300`].join('\n');
  await page.getByLabel('CSV file').setInputFiles({ name: 'products.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await expect(page.getByLabel('Or paste the CSV')).toHaveValue(good);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('form-ok')).toHaveText('Imported 3 rows of products.');
  await expect(page.getByTestId('csv-errors')).toHaveCount(0);
  const imported = await admin.catalog.products.list.query({ search: tag });
  expect(imported.items.map((p) => p.sku).sort()).toEqual(skus);
  expect(imported.items.find((p) => p.sku === skus[1])!.costMinor).toBe(150);

  // The same file again: every SKU now exists, so each line is named.
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('csv-errors').locator('tbody tr')).toHaveCount(3);
  await expect(page.getByTestId('csv-errors')).toContainText(`SKU ${skus[0]} already exists`);
  await page.screenshot({ path: testInfo.outputPath('import.png'), fullPage: true });
});

test('an empty import is refused in the form, before the API', async ({ page }) => {
  await loginAs(page, 'admin');
  await page.goto('/ops/import');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('[data-field-error="text"]')).toHaveText('paste the CSV or choose a file');
});

test('a non-admin gets 403 on /ops/import and no link to it', async ({ page }) => {
  await loginAs(page, 'planner');
  const response = await page.goto('/ops/import');
  expect(response?.status()).toBe(403);
  await page.goto('/ops/stock');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'CSV import' })).toHaveCount(0);
});
