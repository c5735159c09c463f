import type { Projection } from '../libs/projection/projection';
import { apiKeysProjection } from './api-keys.projection';
import { applicationsProjection } from './applications.projection';
import { contactsProjection } from './contacts.projection';
import { jobsProjection } from './jobs.projection';
import { mediaProjection } from './media.projection';
import { membersProjection } from './members.projection';
import { numericIdsProjection } from './numeric-ids.projection';
import { orgProjection } from './org.projection';
import { historyWeeksProjection } from './history-weeks.projection';
import { membershipsProjection } from './memberships.projection';
import { presenceProjection } from './presence.projection';
import { profileHistoryProjection } from './profile-history.projection';
import { roomsProjection } from './rooms.projection';
import { sessionsProjection } from './sessions.projection';
import { timelineProjection } from './timeline.projection';
import { usersProjection } from './users.projection';
import { webhooksProjection } from './webhooks.projection';

/** Every read model Parley serves queries from. */
export const parleyProjections: readonly Projection[] = [
  usersProjection,
  roomsProjection,
  membershipsProjection,
  timelineProjection,
  webhooksProjection,
  jobsProjection,
  presenceProjection,
  apiKeysProjection,
  profileHistoryProjection,
  contactsProjection,
  sessionsProjection,
  mediaProjection,
  applicationsProjection,
  membersProjection,
  numericIdsProjection,
  orgProjection,
  historyWeeksProjection,
];

export { apiKeysProjection, jobsProjection, membershipsProjection, roomsProjection, timelineProjection, usersProjection, webhooksProjection };
export { profileHistoryProjection };
export { presenceProjection };
export { contactsProjection };
export { sessionsProjection };
export { mediaProjection };
export { applicationsProjection };
export { membersProjection, numericIdsProjection };
export { orgProjection };
export { historyWeeksProjection };
