import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BlobStore } from '../../../libs/blob-store/blob-store.port';
import { sweepUnnamedBlobs, type SweepResult } from '../../../libs/blob-store/blob-sweep';
import type { ParleyConfig } from '../../../libs/config/config';
import { ParleyLogger } from '../../../libs/logging/logger';
import { LEASES, LeaseKeeper, leaseHolder } from '../../../libs/read-store/lease-keeper';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { MEDIA_BLOBS } from '../../../projections/media.projection';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';
import { BLOB_STORE } from './media-tokens';
import { MediaUploads } from './media-uploads';

/**
 * Sweeps the blobs no media names (an upload whose append failed after its
 * bytes were stored) every MEDIA_SWEEP_INTERVAL_SECONDS, in the one API
 * process holding the `media-sweep` lease: only once the read models passed
 * the log's head, never a blob put within MEDIA_SWEEP_GRACE_SECONDS, and never
 * while an upload of this process is in flight (it may be reusing an old blob).
 */
@Injectable()
export class MediaSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: ParleyLogger;
  private readonly lease: LeaseKeeper;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SweepResult | null> | null = null;
  private stopped = false;

  constructor(
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly gate: ReadModelGate,
    private readonly uploads: MediaUploads,
  ) {
    this.logger = new ParleyLogger(config);
    this.lease = new LeaseKeeper(readStore, LEASES.mediaSweep, leaseHolder(), {
      ttlMs: config.leaseTtlMs,
      log: (msg, fields) => this.logger.log({ msg, ...fields }, 'media'),
    });
  }

  onApplicationBootstrap(): void {
    const every = this.config.media.sweepIntervalSeconds;
    if (every === 0) return;
    this.lease.start();
    this.timer = setInterval(() => void this.sweep(), every * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.running;
    await this.lease.stop();
  }

  /** One sweep, unless one is running, the lease is elsewhere or the read models lag; null when none ran. */
  sweep(): Promise<SweepResult | null> {
    this.running ??= this.sweepOnce().finally(() => (this.running = null));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepResult | null> {
    if (this.stopped || !this.lease.held()) return null;
    try {
      if (!(await this.gate.waitForHead(this.config.minPositionWaitMs))) return null;
      const result = await sweepUnnamedBlobs(this.blobs, {
        named: async (address) => (await this.readStore.count(MEDIA_BLOBS, { address })) > 0,
        graceMs: this.config.media.sweepGraceSeconds * 1000,
        now: Date.now(),
        proceed: () => !this.stopped && this.lease.held(),
        mayDelete: () => this.uploads.inFlight === 0,
      });
      if (result.swept > 0) this.logger.log({ msg: 'unnamed media blobs swept', ...result }, 'media');
      return result;
    } catch (error) {
      this.logger.warn({ msg: 'media sweep failed; the next one tries again', error: String(error) }, 'media');
      return null;
    }
  }
}
