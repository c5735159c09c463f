import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ParleyConfig } from '../../../libs/config/config';
import { decideBlocks, type BlocksCommand } from '../../../libs/domain/contacts/blocks.decider';
import { decideContacts, type ContactsCommand } from '../../../libs/domain/contacts/contacts.decider';
import { DomainError } from '../../../libs/domain/errors';
import type { ParleyEvent } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { CONTACTS } from '../../../projections/contacts.projection';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';
import { BlockStates } from './block-states';
import { ContactBooks } from './contact-books';
import { contactView, type ContactView } from './contact-directory';

export interface ContactsResult {
  /** Events written; 0 when the book (or block list) already was as asked. */
  readonly written: number;
  /** Position of the last event written, or null when nothing was. */
  readonly position: string | null;
  readonly events: readonly ParleyEvent[];
}

/** Any decision on one address book: fold, decide, append at the expected revision. */
export class ExecuteContactsCommand extends Command<ContactsResult> {
  constructor(
    readonly ownerId: string,
    readonly command: ContactsCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ExecuteContactsCommand)
export class ExecuteContactsCommandHandler implements ICommandHandler<ExecuteContactsCommand, ContactsResult> {
  constructor(
    private readonly books: ContactBooks,
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
  ) {}

  execute({ ownerId, command, context }: ExecuteContactsCommand): Promise<ContactsResult> {
    const streamId = streams.contacts(ownerId);
    return this.locks.run(streamId, () =>
      this.writer.retrying(async () => {
        const { state, revision } = await this.books.load(ownerId);
        const events = decideContacts(command, state);
        if (events.length === 0) return { written: 0, position: null, events };
        const result = await this.writer.append(streamId, events, revision ?? 'no_stream', context);
        this.books.advance(ownerId, revision, events, result.nextRevision);
        return { written: events.length, position: result.position.toString(), events };
      }),
    );
  }
}

export interface SyncResult {
  readonly position: string;
  /** Every entry matched to an account after the sync, by contact id. */
  readonly matched: readonly ContactView[];
  readonly total: number;
}

/** Windu's force sync: records the request, waits for matching to pass it, answers the matched entries. */
export class SyncContactsCommand extends Command<SyncResult> {
  constructor(
    readonly ownerId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(SyncContactsCommand)
export class SyncContactsCommandHandler implements ICommandHandler<SyncContactsCommand, SyncResult> {
  constructor(
    private readonly books: ContactBooks,
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
    private readonly gate: ReadModelGate,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  async execute({ ownerId, context }: SyncContactsCommand): Promise<SyncResult> {
    const streamId = streams.contacts(ownerId);
    const position = await this.locks.run(streamId, () =>
      this.writer.retrying(async () => {
        const { state, revision } = await this.books.load(ownerId);
        const events = decideContacts({ type: 'SyncContacts', ownerId, now: new Date().toISOString() }, state);
        return (await this.writer.append(streamId, events, revision ?? 'no_stream', context)).position;
      }),
    );
    if (!(await this.gate.waitFor(position, this.config.minPositionWaitMs))) {
      throw new DomainError(
        'READ_MODEL.BEHIND',
        'unavailable',
        `Matching did not reach the sync (position ${position.toString()}) within ${this.config.minPositionWaitMs} ms; GET /v1/contacts with X-Min-Position: ${position.toString()}`,
        undefined,
        1,
      );
    }
    const docs = await this.readStore.find(CONTACTS, { filter: { ownerId }, sort: [{ field: 'contactId', direction: 'asc' }] });
    const views = docs.flatMap((doc) => contactView(doc) ?? []);
    return { position: position.toString(), matched: views.filter((v) => v.userId !== null), total: views.length };
  }
}

/** Any decision on one block list. */
export class ExecuteBlocksCommand extends Command<ContactsResult> {
  constructor(
    readonly userId: string,
    readonly command: BlocksCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ExecuteBlocksCommand)
export class ExecuteBlocksCommandHandler implements ICommandHandler<ExecuteBlocksCommand, ContactsResult> {
  constructor(
    private readonly blocks: BlockStates,
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
  ) {}

  execute({ userId, command, context }: ExecuteBlocksCommand): Promise<ContactsResult> {
    const streamId = streams.blocks(userId);
    return this.locks.run(streamId, () =>
      this.writer.retrying(async () => {
        const { state, revision } = await this.blocks.load(userId);
        const events = decideBlocks(command, state);
        if (events.length === 0) return { written: 0, position: null, events };
        const result = await this.writer.append(streamId, events, revision ?? 'no_stream', context);
        return { written: events.length, position: result.position.toString(), events };
      }),
    );
  }
}
