import { checkArea, distanceKm } from './area';
import { feedbackDecider, type FeedbackCommand, type FeedbackState } from './feedback.decider';
import { EMPTY_MEMBER_PROFILE, memberProfileDecider, type MemberProfileCommand, type MemberProfileState } from './member-profile.decider';
import { deciderSpec } from '../testing/given-when-then';
import type { FeedbackLeft, MemberProfileChanged } from '../events';

const NOW = '2024-08-01T10:00:00.000Z';

describe('member profile decider', () => {
  const { given } = deciderSpec<MemberProfileCommand, MemberProfileChanged, MemberProfileState>(memberProfileDecider);
  const change = (changes: MemberProfileCommand['changes']): MemberProfileCommand => ({ type: 'ChangeMemberProfile', userId: 'u1', actor: 'u1', changes, now: NOW });

  it('given no profile, when a place is given, then it is kept at the chosen precision', () => {
    given([])
      .when(change({ latitude: 45.76412, longitude: 4.83567, coordinatePrecision: 1, city: 'Lyon' }))
      .then([
        {
          type: 'MemberProfileChanged',
          data: { userId: 'u1', changedBy: 'u1', changedAt: NOW, profile: { ...EMPTY_MEMBER_PROFILE, city: 'Lyon', latitude: 45.8, longitude: 4.8, coordinatePrecision: 1 } },
        },
      ]);
  });

  it('given a profile, when the same values come again, then nothing is written; offers merge by field', () => {
    const profile = { ...EMPTY_MEMBER_PROFILE, city: 'Lyon', offers: { ...EMPTY_MEMBER_PROFILE.offers, bed: true } };
    const existing: MemberProfileChanged = { type: 'MemberProfileChanged', data: { userId: 'u1', profile, changedBy: 'u1', changedAt: NOW } };
    given([existing]).when(change({ city: 'Lyon' })).then([]);
    given([existing])
      .when(change({ offers: { shower: true } }))
      .then([{ type: 'MemberProfileChanged', data: { userId: 'u1', changedBy: 'u1', changedAt: NOW, profile: { ...profile, offers: { ...profile.offers, shower: true } } } }]);
  });

  it('refuses coordinates out of range, half a place, findable without a place, naming each field', () => {
    const error = given([]).when(change({ latitude: 91, findable: true })).thenThrows('PROFILE.INVALID', 'validation');
    expect(error.details?.map((d) => d.field).sort()).toEqual(['latitude', 'longitude']);
    const placeless = given([]).when(change({ findable: true })).thenThrows('PROFILE.INVALID', 'validation');
    expect(placeless.details?.map((d) => d.field)).toEqual(['findable']);
    given([]).when(change({ offers: { maxGuests: 101 } })).thenThrows('PROFILE.INVALID', 'validation');
  });
});

describe('feedback decider', () => {
  const { given } = deciderSpec<FeedbackCommand, FeedbackLeft, FeedbackState>(feedbackDecider);
  const leave = (stay: string, subjectId = 'host'): FeedbackCommand => ({
    type: 'LeaveFeedback',
    feedbackId: `f-${stay}`,
    authorId: 'guest',
    subjectId,
    rating: 'positive',
    body: 'Great',
    stay,
    relation: 'guest',
    now: NOW,
  });
  const left = (stay: string): FeedbackLeft => ({
    type: 'FeedbackLeft',
    data: { feedbackId: `f-${stay}`, authorId: 'guest', subjectId: 'host', rating: 'positive', body: 'Great', stay, relation: 'guest', leftAt: NOW },
  });

  it('given nothing, when feedback is left for a stay, then it is recorded', () => {
    given([]).when(leave('2024-06')).then([left('2024-06')]);
  });

  it('given feedback for a stay, when the same stay comes again, then 409; another stay is fine', () => {
    given([left('2024-06')]).when(leave('2024-06')).thenThrows('FEEDBACK.ALREADY_LEFT', 'conflict');
    given([left('2024-06')]).when(leave('2024-07')).then([left('2024-07')]);
  });

  it('refuses feedback about oneself (409) and a stay in the future (400)', () => {
    given([]).when(leave('2024-06', 'guest')).thenThrows('FEEDBACK.ABOUT_SELF', 'conflict');
    given([]).when(leave('2024-09')).thenThrows('FEEDBACK.INVALID', 'validation');
  });
});

describe('map areas', () => {
  const area = { minLat: 45, maxLat: 46, minLon: 4, maxLon: 5, centerLat: 45.5, centerLon: 4.5 };
  it('accepts a box and refuses one that crosses itself or leaves the globe, naming the field', () => {
    expect(checkArea(area)).toEqual(area);
    expect(() => checkArea({ ...area, minLon: 6 })).toThrow(expect.objectContaining({ code: 'SEARCH.AREA_INVALID', details: [expect.objectContaining({ field: 'minLon' })] }));
    expect(() => checkArea({ ...area, maxLat: 90.5 })).toThrow(expect.objectContaining({ details: [expect.objectContaining({ field: 'maxLat' })] }));
  });
  it('measures great-circle distances (Lyon to Paris is about 391 km)', () => {
    expect(Math.round(distanceKm(45.764, 4.8357, 48.8566, 2.3522))).toBe(391);
  });
});
