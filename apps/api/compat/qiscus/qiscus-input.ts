import { validationError } from '../../../../libs/domain/errors';
import { parseAlias } from '../../../../libs/domain/aliases';

/**
 * Qiscus bodies as clients send them: JSON, or forms whose lists repeat a key
 * with or without `[]` (`emails[]=a&emails[]=b`, which arrive as the flat key
 * `emails[]`). Refusals name the field as the seed does.
 */
export class QiscusInput {
  constructor(private readonly body: Record<string, unknown>) {}

  static of(body: unknown): QiscusInput {
    return new QiscusInput(body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {});
  }

  optionalString(field: string, max = 10_000): string | null {
    const value = this.body[field];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') throw invalid(field, 'must be a string');
    if (value.length > max) throw invalid(field, `must be at most ${max} characters`);
    return value;
  }

  string(field: string, max = 10_000): string {
    const value = this.optionalString(field, max);
    if (value === null) throw invalid(field, 'is required');
    return value;
  }

  /**
   * A list under `field[]` or `field`, a lone value counting as a list of one,
   * or indexed as the client SDK's form encoder writes arrays
   * (`participants[][0]=a&participants[][1]=b`, or `field[0]=`).
   */
  list(field: string, max = 5000): string[] {
    const value = this.body[`${field}[]`] ?? this.body[field] ?? this.indexed(field);
    if (value === undefined || value === null || value === '') throw invalid(field, 'is required');
    const items = Array.isArray(value) ? value : [value];
    if (items.length > max) throw invalid(field, `holds at most ${max} items`);
    items.forEach((item, index) => {
      if (typeof item !== 'string' && typeof item !== 'number') throw invalid(`${field}[${index}]`, 'must be a string');
    });
    return items.map(String);
  }

  private indexed(field: string): unknown[] | undefined {
    const pattern = new RegExp(`^${field.replace(/[^a-z_]/gi, '')}(?:\\[\\])?\\[(\\d{1,6})\\]$`);
    const items: [number, unknown][] = [];
    for (const [key, value] of Object.entries(this.body)) {
      const match = pattern.exec(key);
      if (match) items.push([Number(match[1]), value]);
    }
    return items.length === 0 ? undefined : items.sort(([a], [b]) => a - b).map(([, value]) => value);
  }

  /** Whether the body carries `field`, as a value or as a list in any of the forms `list` reads. */
  has(field: string): boolean {
    return this.body[field] !== undefined || this.body[`${field}[]`] !== undefined || this.indexed(field) !== undefined;
  }

  /** A room's integer id. */
  alias(field: string): number {
    const alias = parseAlias(this.body[field]);
    if (alias === null) throw invalid(field, 'must be a room id (a positive integer)');
    return alias;
  }

  optionalInteger(field: string, min: number, max: number): number | null {
    const value = this.body[field];
    if (value === undefined || value === null || value === '') return null;
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) throw invalid(field, `must be an integer from ${min} to ${max}`);
    return number;
  }

  object(field: string): Record<string, unknown> | null {
    const value = this.body[field];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'string') {
      try {
        const parsed: unknown = JSON.parse(value);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch {
        // Refused below.
      }
      throw invalid(field, 'must be a JSON object');
    }
    if (typeof value !== 'object' || Array.isArray(value)) throw invalid(field, 'must be a JSON object');
    return value as Record<string, unknown>;
  }
}

export const invalid = (field: string, reason: string) =>
  validationError('QISCUS.INVALID_PARAMETER', `${field} ${reason}`, [{ field, reason }]);
