import { validationError, type ErrorDetail } from '../errors';

/** A map area as Warmshowers' by_location asks for it: a box and the point results are ordered from. */
export interface Area {
  readonly minLat: number;
  readonly maxLat: number;
  readonly minLon: number;
  readonly maxLon: number;
  readonly centerLat: number;
  readonly centerLon: number;
}

const inRange = (value: number, min: number, max: number) => Number.isFinite(value) && value >= min && value <= max;

/**
 * The area if it is one: every coordinate in range, the box not crossing
 * itself (min above max; a box over the antimeridian is two searches), and
 * the centre inside the box. Refusals name each field.
 */
export function checkArea(area: Area): Area {
  const problems: ErrorDetail[] = [];
  for (const field of ['minLat', 'maxLat', 'centerLat'] as const) {
    if (!inRange(area[field], -90, 90)) problems.push({ field, reason: 'must be a latitude from -90 to 90' });
  }
  for (const field of ['minLon', 'maxLon', 'centerLon'] as const) {
    if (!inRange(area[field], -180, 180)) problems.push({ field, reason: 'must be a longitude from -180 to 180' });
  }
  if (problems.length === 0) {
    if (area.minLat > area.maxLat) problems.push({ field: 'minLat', reason: 'must not be above maxLat' });
    if (area.minLon > area.maxLon) problems.push({ field: 'minLon', reason: 'must not be above maxLon (split a box over the antimeridian in two)' });
  }
  if (problems.length > 0) {
    throw validationError('SEARCH.AREA_INVALID', problems.map((p) => `${p.field} ${p.reason}`).join('; '), problems);
  }
  return area;
}

const EARTH_RADIUS_KM = 6371.0088;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance (haversine), in kilometres. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = radians(lat2 - lat1);
  const dLon = radians(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(radians(lat1)) * Math.cos(radians(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}
