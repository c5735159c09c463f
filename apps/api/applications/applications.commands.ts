import { generateKeyPairSync } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { applicationDecider, requireActiveApplication, type ApplicationCommand, type ApplicationState } from '../../../libs/domain/applications/application.decider';
import { forbidden } from '../../../libs/domain/errors';
import { newId } from '../../../libs/domain/ids';
import { applicationOfActor } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { EVENT_STORE } from '../infrastructure/tokens';
import { applicationUserDecider, requireUserOfApplication } from '../../../libs/domain/users/application-user.decider';
import type { UserState } from '../../../libs/domain/users/user.decider';
import { RemoveUserCommand, type RemovedUser } from '../users/remove-user.command';
import { UserStates } from '../users/user-states';
import { ApplicationStates } from './application-states';
import { applicationUserId } from './application-users';

export interface RegisteredApplication {
  readonly id: string;
  readonly name: string;
  readonly publicKey: string;
  /** PKCS#8 PEM, only when Parley generated the pair: answered this once, stored nowhere. */
  readonly privateKey: string | null;
  readonly registeredAt: string;
  readonly position: string;
}

export class RegisterApplicationCommand extends Command<RegisteredApplication> {
  constructor(
    readonly name: string,
    readonly publicKey: string | undefined,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Registers an application; without a public key, Parley generates the pair and answers the private key once. */
@CommandHandler(RegisterApplicationCommand)
export class RegisterApplicationHandler implements ICommandHandler<RegisterApplicationCommand, RegisteredApplication> {
  constructor(private readonly pipeline: CommandPipeline) {}

  async execute({ name, publicKey, context }: RegisterApplicationCommand): Promise<RegisteredApplication> {
    const applicationId = newId();
    let privateKey: string | null = null;
    let key = publicKey;
    if (key === undefined) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      key = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    }
    const command: ApplicationCommand = {
      type: 'RegisterApplication',
      applicationId,
      name,
      publicKey: key,
      keyGenerated: privateKey !== null,
      actor: context.actor,
      now: new Date().toISOString(),
    };
    const { state, appended } = await this.pipeline.handle(applicationDecider, streams.application(applicationId), command, context);
    const active = requireActiveApplication(state);
    return { id: applicationId, name: active.name, publicKey: active.publicKey, privateKey, registeredAt: active.registeredAt, position: appended!.position.toString() };
  }
}

export interface RemovedApplication {
  readonly id: string;
  readonly status: 'removed';
  readonly written: number;
  readonly position: string | null;
}

export class RemoveApplicationCommand extends Command<RemovedApplication> {
  constructor(
    readonly applicationId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RemoveApplicationCommand)
export class RemoveApplicationHandler implements ICommandHandler<RemoveApplicationCommand, RemovedApplication> {
  constructor(private readonly pipeline: CommandPipeline) {}

  async execute({ applicationId, context }: RemoveApplicationCommand): Promise<RemovedApplication> {
    const command: ApplicationCommand = { type: 'RemoveApplication', actor: context.actor, now: new Date().toISOString() };
    const { events, appended } = await this.pipeline.handle(applicationDecider, streams.application(applicationId), command, context);
    return { id: applicationId, status: 'removed', written: events.length, position: appended ? appended.position.toString() : null };
  }
}

export interface CreatedApplicationUser {
  readonly id: string;
  readonly applicationId: string;
  readonly name: string;
  readonly displayName: string | null;
  readonly createdAt: string;
  readonly position: string;
}

export class CreateApplicationUserCommand extends Command<CreatedApplicationUser> {
  constructor(
    readonly name: string,
    readonly displayName: string | undefined,
    readonly context: CommandContext,
    /** Set in the same append as the creation. */
    readonly extras: { readonly imageUrl?: string; readonly properties?: Record<string, unknown> } = {},
  ) {
    super();
  }
}

/** The calling application, from its actor; anyone else is refused. */
export function callingApplication(context: CommandContext): string {
  const applicationId = applicationOfActor(context.actor);
  if (applicationId === null) throw forbidden('APPLICATION.REQUIRED', 'Only an application (its own token, without sub) may do this');
  return applicationId;
}

/** A user of the calling application, by name, without a password. */
@CommandHandler(CreateApplicationUserCommand)
export class CreateApplicationUserHandler implements ICommandHandler<CreateApplicationUserCommand, CreatedApplicationUser> {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly applications: ApplicationStates,
  ) {}

  async execute({ name, displayName, context, extras }: CreateApplicationUserCommand): Promise<CreatedApplicationUser> {
    const applicationId = callingApplication(context);
    requireActiveApplication((await this.applications.load(applicationId)).state as ApplicationState);
    const userId = applicationUserId(applicationId, name);
    const now = new Date().toISOString();
    const { state, appended } = await this.pipeline.handle(
      applicationUserDecider,
      streams.user(userId),
      { type: 'CreateApplicationUser', userId, applicationId, name, displayName: displayName ?? name, ...extras, actor: context.actor, now },
      context,
    );
    const user = state as Extract<UserState, { status: 'registered' }>;
    return { id: userId, applicationId, name, displayName: user.displayName, createdAt: now, position: appended!.position.toString() };
  }
}

/** A user of an application as its application sees it, right after a change (from the log, not a read model). */
export interface UpdatedApplicationUser {
  readonly id: string;
  readonly applicationId: string;
  readonly name: string;
  readonly displayName: string | null;
  readonly imageUrl: string | null;
  readonly properties: Readonly<Record<string, unknown>>;
  /** Of the change, or of the user's last event when nothing changed: queries passed it show the user as answered. */
  readonly position: string;
}

export interface ApplicationUserChange {
  readonly displayName?: string;
  readonly imageUrl?: string | null;
  readonly properties?: Record<string, unknown>;
}

export class UpdateApplicationUserCommand extends Command<UpdatedApplicationUser> {
  constructor(
    readonly userId: string,
    readonly change: ApplicationUserChange,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** The calling application changes a user it created: display name, image, custom_data. */
@CommandHandler(UpdateApplicationUserCommand)
export class UpdateApplicationUserHandler implements ICommandHandler<UpdateApplicationUserCommand, UpdatedApplicationUser> {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly users: UserStates,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ userId, change, context }: UpdateApplicationUserCommand): Promise<UpdatedApplicationUser> {
    const applicationId = callingApplication(context);
    const { state, appended } = await this.pipeline.handle(
      applicationUserDecider,
      streams.user(userId),
      { type: 'UpdateApplicationUser', applicationId, ...change, actor: context.actor, now: new Date().toISOString() },
      context,
      // The state the auth guard reads: a change shows on the user's next request.
      { states: { load: () => this.users.load(userId) } },
    );
    const user = requireUserOfApplication(state, applicationId);
    const position = appended?.position ?? (await this.store.readStream(streams.user(userId), { direction: 'backwards', maxCount: 1 }))[0]!.position;
    return {
      id: userId,
      applicationId,
      name: user.applicationName ?? '',
      displayName: user.displayName,
      imageUrl: user.photoUrl,
      properties: user.properties,
      position: position.toString(),
    };
  }
}

export class RemoveApplicationUserCommand extends Command<RemovedUser> {
  constructor(
    readonly userId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** The calling application removes a user it created: the account's removal, personal data erased with it. */
@CommandHandler(RemoveApplicationUserCommand)
export class RemoveApplicationUserHandler implements ICommandHandler<RemoveApplicationUserCommand, RemovedUser> {
  constructor(private readonly commands: CommandBus) {}

  execute({ userId, context }: RemoveApplicationUserCommand): Promise<RemovedUser> {
    const applicationId = callingApplication(context);
    return this.commands.execute(new RemoveUserCommand(userId, 'application', null, context, applicationId));
  }
}
