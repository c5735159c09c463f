import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { PresenceModule } from '../presence/presence.module';
import { UsersModule } from '../users/users.module';
import { AdminOrgController } from './admin-org.controller';
import { MeOrgController } from './me-org.controller';
import { OrgAdmin } from './org-admin';
import { ExecuteOrgCommandHandler } from './org-command.command';
import { OrgStates } from './org-states';
import {
  GetGroupHandler,
  GetPolicyHandler,
  ListGroupMembersHandler,
  ListGroupsHandler,
  ListPoliciesHandler,
  MyDirectoryHandler,
  MyGroupsHandler,
  MyPolicyHandler,
} from './org.queries';

/**
 * The organisation (issue #16): groups, peers, memberships and policies.
 * Exports OrgAdmin (its commands with their views, for the Trillian surface)
 * and OrgStates (the effective policy, for whoever enforces it).
 */
@Module({
  imports: [InfrastructureModule, UsersModule, AdminModule, PresenceModule],
  controllers: [AdminOrgController, MeOrgController],
  providers: [
    OrgStates,
    OrgAdmin,
    ExecuteOrgCommandHandler,
    ListGroupsHandler,
    GetGroupHandler,
    ListGroupMembersHandler,
    ListPoliciesHandler,
    GetPolicyHandler,
    MyGroupsHandler,
    MyPolicyHandler,
    MyDirectoryHandler,
  ],
  exports: [OrgAdmin, OrgStates],
})
export class OrgModule {}
