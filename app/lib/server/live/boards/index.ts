import type { BoardName } from '../../../../../schemas/live';
import type { BoardDefinition } from './board';
import { alertsBoard } from './alerts';
import { executiveBoard } from './executive';
import { plannerBoard } from './planner';
import { wallBoard } from './wall';

/** Every board a screen can join, by name. */
export const BOARD_DEFINITIONS: Readonly<Record<BoardName, BoardDefinition>> = {
  executive: executiveBoard,
  planner: plannerBoard,
  wall: wallBoard,
  alerts: alertsBoard
};
