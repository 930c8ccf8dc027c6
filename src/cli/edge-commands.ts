import type { Command } from 'commander';
import type { GlobalOptions } from './main.js';

/**
 * Commands that belong to an edge rather than to one capability: `start` (the main job) and later
 * `serve`. Each is a few lines that call capability functions.
 */
export function registerEdgeCommands(program: Command, globals: () => GlobalOptions): void {
  void program;
  void globals;
}
