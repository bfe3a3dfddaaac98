import { paretoExponent, type Random, zipfWeights } from './random';
import type { AbcClass, ProductDef, RegionDef, ResolvedSpec, TransferLaneDef, WarehouseDef } from './network-types';
import { CATEGORIES, type CategoryTemplate, type CityTemplate, REGIONS, type RegionTemplate } from './network-templates';

/** ABC by cumulative share of order lines: A up to 80 %, B up to 95 %, C the rest. */
const A_SHARE = 0.8;
const B_SHARE = 0.95;
/** Share of products that sell only now and then, and how much their demand is damped. */
const SLOW_MOVER_FRACTION = 0.02;
const SLOW_MOVER_DAMPING = 0.05;
/** Zipf-Mandelbrot offset per product: at 5,000 products the best seller takes about 1.4 % of the lines, not 10 %. */
const ZIPF_OFFSET = 1 / 250;

export const round = (value: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};

export interface Sites {
  regions: RegionDef[];
  warehouses: WarehouseDef[];
  transferLanes: TransferLaneDef[];
}

/**
 * Regions, the central DC (in the first region) and the branches, dealt over the
 * regions so that the DC's region gets a branch last; each warehouse takes a city
 * (and its time zone) of its region. Lanes: DC -> every branch (1 day in its own
 * region, 2-4 elsewhere) and both ways between branches of one region (1 day).
 */
export function generateSites(rng: Random, spec: ResolvedSpec): Sites {
  const templates: RegionTemplate[] = Array.from(
    { length: spec.regions },
    (_, i) => REGIONS[i] ?? { code: `R${i + 1}`, name: `Region ${i + 1}`, cities: [] }
  );
  const used = templates.map(() => 0);
  const site = (r: number): CityTemplate => {
    const t = templates[r]!;
    const n = used[r]++;
    return t.cities[n] ?? { code: `${t.code}${n + 1}`, name: `${t.name} ${n + 1}`, timeZone: t.cities[0]?.timeZone ?? 'UTC' };
  };
  const dc = site(0);
  const warehouses: WarehouseDef[] = [{ code: dc.code, name: `${dc.name} DC`, kind: 'central_dc', regionCode: templates[0]!.code, timeZone: dc.timeZone }];
  for (let i = 0; i < spec.branches; i++) {
    const r = (i + 1) % spec.regions;
    const c = site(r);
    warehouses.push({ code: c.code, name: `${c.name} branch`, kind: 'branch', regionCode: templates[r]!.code, timeZone: c.timeZone });
  }
  const transferLanes: TransferLaneDef[] = [];
  const [central, ...branches] = warehouses;
  for (const b of branches) {
    transferLanes.push({ fromCode: central!.code, toCode: b.code, leadTimeDays: b.regionCode === central!.regionCode ? 1 : rng.int(2, 4) });
  }
  for (const from of branches) {
    for (const to of branches) {
      if (from !== to && from.regionCode === to.regionCode) transferLanes.push({ fromCode: from.code, toCode: to.code, leadTimeDays: 1 });
    }
  }
  return { regions: templates.map((t) => ({ code: t.code, name: t.name })), warehouses, transferLanes };
}

/** The categories in use: the named ones first, then numbered ones if more are asked for. */
export function categoryTemplates(count: number): CategoryTemplate[] {
  return Array.from({ length: count }, (_, i) => {
    const t = CATEGORIES[i];
    if (t) return t;
    const base = CATEGORIES[i % CATEGORIES.length]!;
    return { ...base, name: `${base.name} ${Math.floor(i / CATEGORIES.length) + 1}` };
  });
}

/**
 * Products across the categories with Pareto demand: line shares follow Zipf(-Mandelbrot)
 * weights whose exponent gives the top 20 % of products 80 % of the lines; ranks
 * are dealt at random, so SKU order says nothing about demand. A few products
 * from the tail become slow movers. Cost is lognormal around the category's
 * median; price a 30-90 % markup; packs (inner, case) where the category has them.
 */
export function generateProducts(rng: Random, spec: ResolvedSpec, categories: CategoryTemplate[]): ProductDef[] {
  const n = spec.products;
  const width = Math.max(5, String(n).length);
  const offset = n * ZIPF_OFFSET;
  const byRank = zipfWeights(n, paretoExponent(n, 0.2, A_SHARE, offset), offset);
  const rankOf = rng.derive('ranks').shuffle(Array.from({ length: n }, (_, i) => i));
  const tail = rankOf.map((rank, i) => ({ rank, i })).filter((p) => p.rank >= n / 2);
  const slowCount = n < 5 ? 0 : Math.max(1, Math.round(n * SLOW_MOVER_FRACTION));
  const slow = new Set(rng.derive('slow movers').sample(tail, slowCount).map((p) => p.i));
  const raw = rankOf.map((rank, i) => byRank[rank]! * (slow.has(i) ? SLOW_MOVER_DAMPING : 1));
  const total = raw.reduce((a, b) => a + b, 0);
  const shares = raw.map((w) => w / total);

  const classes: AbcClass[] = new Array(n);
  let cumulative = 0;
  for (const i of shares.map((_, i) => i).sort((a, b) => shares[b]! - shares[a]! || a - b)) {
    classes[i] = cumulative < A_SHARE ? 'A' : cumulative < B_SHARE ? 'B' : 'C';
    cumulative += shares[i]!;
  }

  const details = rng.derive('details');
  return shares.map((share, i) => {
    const category = details.pick(categories);
    const costMinor = Math.max(1, Math.round(details.lognormal(category.costMedian, 0.6)));
    return {
      sku: `SKU-${String(i + 1).padStart(width, '0')}`,
      name: `${details.pick(category.nouns)} ${details.pick(category.specs)}`,
      category: category.name,
      baseUnit: category.baseUnit,
      packSizes: category.packed ? packSizes(details, category) : [],
      costMinor,
      priceMinor: Math.max(costMinor + 1, Math.round(costMinor * details.between(1.3, 1.9))),
      abcClass: classes[i]!,
      slowMover: slow.has(i),
      lineShare: share,
      meanLineQty: round(Math.max(1, details.lognormal(category.lineQtyMedian, 0.4)), 2)
    };
  });
}

function packSizes(rng: Random, category: CategoryTemplate): ProductDef['packSizes'] {
  const q = category.lineQtyMedian;
  const inner = rng.pick(q >= 50 ? [50, 100, 200, 250] : q >= 10 ? [6, 10, 12, 20, 24, 25] : [2, 4, 5, 6, 10]);
  if (category.baseUnit === 'm') return [{ name: 'reel', qty: inner }];
  const packs = [{ name: 'pack', qty: inner }];
  if (rng.chance(0.6)) packs.push({ name: 'case', qty: inner * rng.pick([4, 5, 6, 8, 10, 12]) });
  return packs;
}
