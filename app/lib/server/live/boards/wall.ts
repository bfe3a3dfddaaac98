import type { BoardDefinition } from './board';

export const wallBoard: BoardDefinition = { name: 'wall', tiles: [] };
