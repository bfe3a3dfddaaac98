import { TRPCError } from '@trpc/server';
import { scenarioInput, stopScenarioInput } from '../../../../../schemas/sim-scenarios';
import type { ScenarioControl } from '../../../../../sim/scenario-registry';
import { allow, router, type ApiContext } from '../trpc';

/**
 * The simulated network's scenarios (issue 6): admins start and stop them (the
 * admin page, `npm run scenario`); planners and executives see what is going on,
 * so that the alerts on their boards make sense. Only a process that runs the
 * simulator (SIMULATOR=demo) has scenarios.
 */
function scenariosOf(ctx: ApiContext): ScenarioControl {
  if (!ctx.sim) {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: 'no simulator runs in this process: scenarios exist only in the demo (npm run demo, SIMULATOR=demo)'
    });
  }
  return ctx.sim;
}

export const simRouter = router({
  scenarios: router({
    list: allow('admin', 'executive', 'planner').query(({ ctx }) => scenariosOf(ctx).list()),
    start: allow('admin')
      .input(scenarioInput)
      .mutation(({ ctx, input }) => scenariosOf(ctx).start(input)),
    stop: allow('admin')
      .input(stopScenarioInput)
      .mutation(({ ctx, input }) => {
        const sim = scenariosOf(ctx);
        return { stopped: input.id !== undefined ? [sim.stop(input.id)] : sim.stopAll() };
      })
  })
});
