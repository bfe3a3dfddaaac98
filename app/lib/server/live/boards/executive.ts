import type { BoardDefinition } from './board';

export const executiveBoard: BoardDefinition = { name: 'executive', tiles: [] };
