import { generateKeyPairSync } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { applicationDecider, requireActiveApplication, type ApplicationCommand, type ApplicationState } from '../../../libs/domain/applications/application.decider';
import { forbidden } from '../../../libs/domain/errors';
import { newId } from '../../../libs/domain/ids';
import { applicationOfActor } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import { applicationUserDecider, type UserState } from '../../../libs/domain/users/user.decider';
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

  async execute({ name, displayName, context }: CreateApplicationUserCommand): Promise<CreatedApplicationUser> {
    const applicationId = callingApplication(context);
    requireActiveApplication((await this.applications.load(applicationId)).state as ApplicationState);
    const userId = applicationUserId(applicationId, name);
    const now = new Date().toISOString();
    const { state, appended } = await this.pipeline.handle(
      applicationUserDecider,
      streams.user(userId),
      { type: 'CreateApplicationUser', userId, applicationId, name, displayName: displayName ?? name, actor: context.actor, now },
      context,
    );
    const user = state as Extract<UserState, { status: 'registered' }>;
    return { id: userId, applicationId, name, displayName: user.displayName, createdAt: now, position: appended!.position.toString() };
  }
}
