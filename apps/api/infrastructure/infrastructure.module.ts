import { Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { ParleyConfig } from '../../../libs/config/config';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import type { PersonalDataEventStore } from '../../../libs/personal-data/personal-data-event-store';
import { PersonalDataVault } from '../../../libs/personal-data/vault';
import type { ProjectorHandle } from '../../../libs/projection/projector-handle';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { HttpExceptionFilter } from '../common/http-exception.filter';
import { MinPositionInterceptor } from '../common/min-position.interceptor';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import { LogFollower } from './log-follower';
import { ParleyMetrics } from './metrics';
import { ReadModelGate } from './read-model-gate';
import { createApiStateStore, createReadStore, openApiEventStore, withPersonalData } from '../../../libs/wiring/stores';
import { projectorProvider } from './projector-provider';
import { API_STATE_STORE, EVENT_STORE, PARLEY_CONFIG, PROJECTOR, RAW_EVENT_STORE, READ_STORE } from './tokens';
import { PreviousLogPositions } from '../common/previous-log-positions';

/** Starts the in-process projector after the stores are up, and closes everything on shutdown. */
class StoresLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(API_STATE_STORE) private readonly apiState: ReadStore,
    @Inject(PROJECTOR) private readonly projector: ProjectorHandle | null,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.projector?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projector?.stop();
    await this.store.close();
    await this.readStore.close();
    if (this.apiState !== this.readStore) await this.apiState.close();
  }
}

/**
 * What every feature writes and reads through: the stores the configuration
 * names, the in-process projector, the event writer, the live log and the
 * read-model gate. Features import this module; none of them builds a store.
 */
@Module({
  providers: [
    { provide: RAW_EVENT_STORE, inject: [PARLEY_CONFIG], useFactory: (config: ParleyConfig) => openApiEventStore(config) },
    {
      provide: EVENT_STORE,
      inject: [PARLEY_CONFIG, RAW_EVENT_STORE],
      useFactory: (config: ParleyConfig, raw: EventStore) => withPersonalData(config, raw),
    },
    {
      provide: PersonalDataVault,
      inject: [EVENT_STORE],
      useFactory: (store: PersonalDataEventStore) => store.vault,
    },
    { provide: READ_STORE, inject: [PARLEY_CONFIG], useFactory: (config: ParleyConfig) => createReadStore(config) },
    {
      provide: API_STATE_STORE,
      inject: [PARLEY_CONFIG, READ_STORE],
      useFactory: (config: ParleyConfig, readStore: ReadStore) => createApiStateStore(config, readStore),
    },
    projectorProvider(),
    StoresLifecycle,
    { provide: EventWriter, inject: [EVENT_STORE], useFactory: (store: EventStore) => new EventWriter(store) },
    KeyedMutex,
    {
      provide: CommandPipeline,
      inject: [EVENT_STORE, EventWriter, KeyedMutex, ParleyMetrics],
      useFactory: (store: EventStore, writer: EventWriter, locks: KeyedMutex, metrics: ParleyMetrics) =>
        new CommandPipeline(store, writer, locks, metrics),
    },
    ParleyMetrics,
    ReadModelGate,
    LogFollower,
    MinPositionInterceptor,
    PreviousLogPositions,
    { provide: APP_FILTER, useClass: HttpExceptionFilter },
  ],
  exports: [
    RAW_EVENT_STORE,
    EVENT_STORE,
    READ_STORE,
    API_STATE_STORE,
    PROJECTOR,
    PersonalDataVault,
    EventWriter,
    KeyedMutex,
    CommandPipeline,
    ReadModelGate,
    LogFollower,
    MinPositionInterceptor,
    PreviousLogPositions,
    ParleyMetrics,
  ],
})
export class InfrastructureModule {}
