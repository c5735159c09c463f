import { Inject, Injectable } from '@nestjs/common';
import type { Position } from '../../../libs/event-store/event-store.port';
import { checkpointName } from '../../../libs/projection/projection';
import type { ProjectorHandle } from '../../../libs/projection/projector-handle';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { parleyProjections } from '../../../projections';
import { PROJECTOR, READ_STORE } from './tokens';

const POLL_MS = 10;

/**
 * Lets a query wait until the read models passed a position a command
 * returned. With the projector in this process it waits on the projector's
 * own progress; otherwise it reads the checkpoints the projector stores.
 */
@Injectable()
export class ReadModelGate {
  constructor(
    @Inject(PROJECTOR) private readonly projector: ProjectorHandle | null,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  async position(): Promise<Position | null> {
    if (this.projector) return this.projector.position();
    let lowest: Position | null = null;
    for (const projection of parleyProjections) {
      const stored = await this.readStore.getCheckpoint(checkpointName(projection));
      if (stored === null) return null;
      const value = BigInt(stored);
      if (lowest === null || value < lowest) lowest = value;
    }
    return lowest;
  }

  async waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    if (this.projector) return this.projector.waitFor(position, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await this.position();
      if (current !== null && current >= position) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
