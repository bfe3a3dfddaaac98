import { z } from 'zod';

/**
 * Scenarios of the simulated network (issue 6, part 4), as an admin asks for them:
 * from the admin page, the command line (`npm run scenario`) or the `sim` API. A
 * scenario starts at the simulated now and lasts its duration in simulated time;
 * codes are checked against the running network by the registry (sim/scenario-registry.ts).
 */

const code = (what: string) => z.string().trim().min(1, `names the ${what}`).max(40, `is too long for a ${what} code`);

/** Simulated hours a scenario lasts (the kinds differ in their default). */
const hours = z.number().positive('must be more than 0 hours').max(90 * 24, 'is at most 90 days (2160 hours)').optional();

export const supplierSlipInput = z.strictObject({
  kind: z.literal('supplier-slip'),
  supplierCode: code('supplier'),
  /** Extra days each delivery of the supplier takes while the scenario lasts. */
  days: z.number().positive('must be more than 0 days').max(60, 'is at most 60 days'),
  hours
});

export const demandSpikeInput = z
  .strictObject({
    kind: z.literal('demand-spike'),
    regionCode: code('region').optional(),
    category: z.string().trim().min(1, 'names the category').max(80).optional(),
    /** Demand multiplier: the region's order arrivals, or how often lines of the category are ordered. */
    factor: z.number().gt(1, 'must be more than 1 (a spike)').max(50, 'is at most 50'),
    hours
  })
  .refine((v) => (v.regionCode === undefined) !== (v.category === undefined), {
    message: 'give either a region code or a category (one of them)',
    path: ['regionCode']
  });

export const laneStallInput = z
  .strictObject({
    kind: z.literal('lane-stall'),
    fromCode: code('source warehouse'),
    toCode: code('destination warehouse'),
    hours
  })
  .refine((v) => v.fromCode !== v.toCode, { message: 'must differ from the source warehouse', path: ['toCode'] });

export const warehouseStopInput = z.strictObject({
  kind: z.literal('warehouse-stop'),
  warehouseCode: code('warehouse'),
  /** Simulated minutes the warehouse ships nothing. */
  minutes: z.number().int('must be whole minutes').positive('must be more than 0 minutes').max(14 * 24 * 60, 'is at most 14 days').default(60)
});

export const scenarioInput = z.discriminatedUnion('kind', [supplierSlipInput, demandSpikeInput, laneStallInput, warehouseStopInput]);
/** As given (defaults may be missing). */
export type ScenarioRequest = z.input<typeof scenarioInput>;
/** As parsed (defaults applied). */
export type ScenarioInput = z.output<typeof scenarioInput>;
export type ScenarioKind = ScenarioInput['kind'];

export const SCENARIO_KINDS = ['supplier-slip', 'demand-spike', 'lane-stall', 'warehouse-stop'] as const satisfies readonly ScenarioKind[];

/** Simulated hours a scenario lasts when no duration is given (warehouse-stop: its minutes). */
export const DEFAULT_HOURS: Record<Exclude<ScenarioKind, 'warehouse-stop'>, number> = {
  'supplier-slip': 14 * 24,
  'demand-spike': 24,
  'lane-stall': 72
};

export const stopScenarioInput = z
  .strictObject({
    id: z.number().int().positive().optional(),
    all: z.literal(true).optional()
  })
  .refine((v) => (v.id === undefined) !== (v.all === undefined), { message: 'give a scenario id, or all: true', path: ['id'] });
export type StopScenarioInput = z.infer<typeof stopScenarioInput>;

/** An active scenario, with its window in simulated time (ISO instants). */
export const activeScenario = z.object({
  id: z.number().int(),
  kind: z.enum(SCENARIO_KINDS),
  description: z.string(),
  input: scenarioInput,
  startAt: z.iso.datetime(),
  endAt: z.iso.datetime()
});
export type ActiveScenario = z.infer<typeof activeScenario>;

export const scenarioList = z.object({
  /** The simulated now: a demo's clock runs faster than the wall clock. */
  simNow: z.iso.datetime(),
  scenarios: z.array(activeScenario)
});
export type ScenarioList = z.infer<typeof scenarioList>;

/** What a scenario may name in the running network (the admin page's choices). */
export const scenarioChoices = z.object({
  suppliers: z.array(z.object({ code: z.string(), name: z.string() })),
  regions: z.array(z.object({ code: z.string(), name: z.string() })),
  categories: z.array(z.string()),
  warehouses: z.array(z.object({ code: z.string(), name: z.string() })),
  lanes: z.array(z.object({ fromCode: z.string(), toCode: z.string(), leadTimeDays: z.number() }))
});
export type ScenarioChoices = z.infer<typeof scenarioChoices>;
