import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { Public } from '../auth/auth.decorators';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { EVENT_STORE } from '../infrastructure/tokens';

export interface HealthView {
  readonly status: 'ok';
  readonly eventStore: { readonly head: string | null };
  readonly readModels: { readonly position: string | null; readonly behindBy: string | null };
}

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly gate: ReadModelGate,
  ) {}

  /** Liveness and how far the read models trail the log. */
  @Public()
  @Get('health')
  async health(): Promise<HealthView> {
    const [head, position] = await Promise.all([this.store.headPosition(), this.gate.position()]);
    return {
      status: 'ok',
      eventStore: { head: head === null ? null : head.toString() },
      readModels: {
        position: position === null ? null : position.toString(),
        behindBy: head === null ? null : (head - (position ?? 0n)).toString(),
      },
    };
  }
}
