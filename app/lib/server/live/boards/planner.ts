import type { BoardDefinition } from './board';

export const plannerBoard: BoardDefinition = { name: 'planner', tiles: [] };
