import { DomainError } from '../app/lib/server/core/errors';
import { scenarioInput, type ActiveScenario, type ScenarioChoices, type ScenarioList, type ScenarioRequest } from '../schemas/sim-scenarios';
import type { Network } from './network-types';
import { combineScenarios, NO_SCENARIO, type Scenario, type SimInstant } from './operations-types';
import { describeScenario, resolveAgainstNetwork, scenarioChoices, scheduleScenario, toScenario, type ScheduledScenario } from './scenarios';

/** What the scenarios act on: the running simulation (SimRunner fits). */
export interface ScenarioTarget {
  readonly clock: { now(): SimInstant };
  setScenario(scenario: Scenario): void;
}

/** The scenarios of a running simulation, as the API, the admin page and the tests use them. */
export interface ScenarioControl {
  list(): ScenarioList;
  /** Starts a scenario at the simulated now; bad input throws (Zod, or a BAD_REQUEST naming the unknown codes). */
  start(request: ScenarioRequest): ActiveScenario;
  stop(id: number): ActiveScenario;
  stopAll(): ActiveScenario[];
  choices(): ScenarioChoices;
}

interface Entry extends ScheduledScenario {
  id: number;
}

const iso = (at: SimInstant) => new Date(at).toISOString();

/**
 * The active scenarios of one simulation. Each change hands the target all of
 * them combined (combineScenarios), which applies from its next operation on.
 * Scenarios past their end drop out of the list (they no longer change anything).
 */
export class ScenarioRegistry implements ScenarioControl {
  readonly #active = new Map<number, Entry>();
  #nextId = 1;

  constructor(
    private readonly network: Network,
    private readonly target: ScenarioTarget,
    /** Told of each start and stop (the demo logs them). */
    private readonly onChange?: (change: 'started' | 'stopped', scenario: ActiveScenario) => void
  ) {}

  list(): ScenarioList {
    this.#prune();
    return { simNow: iso(this.target.clock.now()), scenarios: [...this.#active.values()].map(view) };
  }

  start(request: ScenarioRequest): ActiveScenario {
    const input = resolveAgainstNetwork(scenarioInput.parse(request), this.network);
    this.#prune();
    const entry: Entry = { id: this.#nextId++, ...scheduleScenario(input, this.target.clock.now()) };
    this.#active.set(entry.id, entry);
    this.#apply();
    this.onChange?.('started', view(entry));
    return view(entry);
  }

  stop(id: number): ActiveScenario {
    this.#prune();
    const entry = this.#active.get(id);
    if (!entry) {
      const ids = [...this.#active.keys()];
      throw new DomainError('NOT_FOUND', `scenario ${id} is not active; ${ids.length ? `active: ${ids.join(', ')}` : 'none is active'}`);
    }
    this.#active.delete(id);
    this.#apply();
    this.onChange?.('stopped', view(entry));
    return view(entry);
  }

  stopAll(): ActiveScenario[] {
    this.#prune();
    const stopped = [...this.#active.values()].map(view);
    this.#active.clear();
    this.#apply();
    for (const s of stopped) this.onChange?.('stopped', s);
    return stopped;
  }

  choices(): ScenarioChoices {
    return scenarioChoices(this.network);
  }

  #prune(): void {
    const now = this.target.clock.now();
    for (const [id, e] of this.#active) if (e.endAt <= now) this.#active.delete(id);
  }

  #apply(): void {
    const active = [...this.#active.values()];
    this.target.setScenario(active.length === 0 ? NO_SCENARIO : combineScenarios(...active.map(toScenario)));
  }
}

function view(e: Entry): ActiveScenario {
  return { id: e.id, kind: e.input.kind, description: describeScenario(e.input), input: e.input, startAt: iso(e.startAt), endAt: iso(e.endAt) };
}
