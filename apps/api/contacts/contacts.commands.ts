import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ParleyConfig } from '../../../libs/config/config';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { blocksDecider, type BlocksCommand } from '../../../libs/domain/contacts/blocks.decider';
import { contactsDecider, type ContactsCommand } from '../../../libs/domain/contacts/contacts.decider';
import { DomainError } from '../../../libs/domain/errors';
import type { ParleyEvent } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { CONTACTS } from '../../../projections/contacts.projection';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';
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
    private readonly pipeline: CommandPipeline,
  ) {}

  async execute({ ownerId, command, context }: ExecuteContactsCommand): Promise<ContactsResult> {
    const { events, loaded, appended } = await this.pipeline.handle(contactsDecider, streams.contacts(ownerId), command, context, {
      states: { load: () => this.books.load(ownerId) },
    });
    if (!appended) return { written: 0, position: null, events };
    this.books.advance(ownerId, loaded.revision, events, appended.nextRevision);
    return { written: events.length, position: appended.position.toString(), events };
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
    private readonly pipeline: CommandPipeline,
    private readonly gate: ReadModelGate,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  async execute({ ownerId, context }: SyncContactsCommand): Promise<SyncResult> {
    const command = { type: 'SyncContacts', ownerId, now: new Date().toISOString() } as const;
    const { appended } = await this.pipeline.handle(contactsDecider, streams.contacts(ownerId), command, context, {
      states: { load: () => this.books.load(ownerId) },
    });
    // A sync request is always written: it is what matching answers.
    const position = appended!.position;
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
  constructor(private readonly pipeline: CommandPipeline) {}

  async execute({ userId, command, context }: ExecuteBlocksCommand): Promise<ContactsResult> {
    const { events, appended } = await this.pipeline.handle(blocksDecider, streams.blocks(userId), command, context);
    return { written: events.length, position: appended ? appended.position.toString() : null, events };
  }
}
