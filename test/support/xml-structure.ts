import { XMLParser } from 'fast-xml-parser';

/** An XML document's element structure: each element's attribute names and its children's structures (siblings of one name merged). */
export interface Structure {
  readonly attributes: readonly string[];
  readonly children: { readonly [name: string]: Structure };
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: () => true, parseTagValue: false, parseAttributeValue: false });

type Parsed = { [key: string]: unknown };

function merge(nodes: readonly Parsed[]): Structure {
  const attributes = new Set<string>();
  const children = new Map<string, Parsed[]>();
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) continue;
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('@_')) attributes.add(key.slice(2));
      else if (key !== '#text') children.set(key, [...(children.get(key) ?? []), ...(value as Parsed[])]);
    }
  }
  return {
    attributes: [...attributes].sort(),
    children: Object.fromEntries([...children.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, list]) => [name, merge(list)])),
  };
}

/** The structure of a document (its root's structure under the root's name). */
export function structureOf(xml: string): Structure {
  return merge([parser.parse(xml) as Parsed]);
}

/**
 * Where `ours` differs from `seed`: an element or attribute one has and the
 * other lacks. A collection the seed shows filled may be empty in ours (an
 * element the seed shows with children is allowed none): the data differs,
 * not the shape.
 */
export function structureDifferences(ours: Structure, seed: Structure, at = ''): string[] {
  const problems: string[] = [];
  const attrs = (s: Structure) => s.attributes.join(',');
  if (attrs(ours) !== attrs(seed)) problems.push(`${at || '/'}: attributes [${attrs(ours)}], the seed has [${attrs(seed)}]`);
  const oursEmpty = Object.keys(ours.children).length === 0;
  for (const name of Object.keys(seed.children)) {
    const child = ours.children[name];
    if (child === undefined) {
      if (!oursEmpty) problems.push(`${at}/${name}: missing`);
      continue;
    }
    problems.push(...structureDifferences(child, seed.children[name]!, `${at}/${name}`));
  }
  for (const name of Object.keys(ours.children)) if (seed.children[name] === undefined) problems.push(`${at}/${name}: not in the seed`);
  return problems;
}
