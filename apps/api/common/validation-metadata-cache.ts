import { getMetadataStorage } from 'class-validator';

type Metadata = { readonly target: unknown };
type Grouped = Record<string, Metadata[]>;

interface Storage {
  getTargetValidationMetadatas(target: unknown, schema: string, always: boolean, strictGroups: boolean, groups?: string[]): Metadata[];
  groupByPropertyName(metadata: Metadata[]): Grouped;
  addValidationMetadata(metadata: Metadata): void;
  addConstraintMetadata(metadata: unknown): void;
}

let installed = false;

/**
 * class-validator looks a DTO's rules up anew on every validation, testing
 * the DTO against every class that has rules (`instanceof` over hundreds of
 * Parley's DTOs, for each nested object of each request body). The rules
 * are fixed once the classes are declared, so the answer is kept per class
 * and options, and dropped whenever a rule is added. Same answers, a
 * lookup instead of a scan (issue #12: the send path's validation).
 */
export function cacheValidationMetadata(): void {
  if (installed) return;
  installed = true;
  const storage = getMetadataStorage() as unknown as Storage;
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const addValidation = storage.addValidationMetadata.bind(storage);
  const addConstraint = storage.addConstraintMetadata.bind(storage);
  let targets = new WeakMap<object, Map<string, Metadata[]>>();
  let groupings = new WeakMap<Metadata[], Grouped>();
  const forget = () => {
    targets = new WeakMap();
    groupings = new WeakMap();
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (typeof target !== 'function') return lookUp(target, schema, always, strictGroups, groups);
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups === undefined ? '' : JSON.stringify(groups)}`;
    let byOptions = targets.get(target);
    if (byOptions === undefined) targets.set(target, (byOptions = new Map()));
    let found = byOptions.get(key);
    if (found === undefined) byOptions.set(key, (found = lookUp(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let grouped = groupings.get(metadata);
    if (grouped === undefined) groupings.set(metadata, (grouped = group(metadata)));
    return grouped;
  };
  storage.addValidationMetadata = (metadata) => {
    forget();
    addValidation(metadata);
  };
  storage.addConstraintMetadata = (metadata) => {
    forget();
    addConstraint(metadata);
  };
}
