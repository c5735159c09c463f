import type { Projection } from '../libs/read-store/projection';
import { jobsProjection } from './jobs.projection';
import { membershipsProjection } from './memberships.projection';
import { roomsProjection } from './rooms.projection';
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
];

export { jobsProjection, membershipsProjection, roomsProjection, timelineProjection, usersProjection, webhooksProjection };
