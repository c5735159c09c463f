import createClient from 'openapi-fetch';
import type { paths } from '../contract/parley-api';

/*
 * A client a REST team would write: openapi-fetch typed by the types
 * openapi-typescript generates from /docs-json (test/contract/parley-api.d.ts).
 * It compiles only while the document describes what it uses; the test
 * type-checks it and then runs it against the real app.
 */

function must<T>(result: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (result.data === undefined) throw new Error(`${what}: ${result.response.status} ${JSON.stringify(result.error)}`);
  return result.data;
}

export interface TypedFlowResult {
  readonly userId: string;
  readonly roomId: string;
  readonly posted: readonly { readonly id: string; readonly seq: number | null; readonly text: string | null }[];
  readonly pages: readonly (readonly (string | null)[])[];
}

export async function typedClientFlow(baseUrl: string, fetch: typeof globalThis.fetch, username: string): Promise<TypedFlowResult> {
  const client = createClient<paths>({ baseUrl, fetch });
  const password = 'correct horse battery';

  const registered = must(await client.POST('/v1/users', { body: { username, password, displayName: 'Typed Client' } }), 'register');
  const token = must(await client.POST('/v1/oauth/token', { body: { grant_type: 'password', username, password } }), 'sign in');
  const headers = { Authorization: `Bearer ${token.access_token}` };

  const room = must(await client.POST('/v1/rooms', { headers, body: { name: 'Typed room', participants: [] } }), 'create room');
  const posted: { id: string; seq: number | null; text: string | null }[] = [];
  for (const text of ['one', 'two', 'three', 'four', 'five']) {
    const comment = must(
      await client.POST('/v1/rooms/{roomId}/comments', { headers, params: { path: { roomId: room.id } }, body: { text } }),
      'post',
    );
    posted.push({ id: comment.id, seq: comment.seq, text: comment.text });
  }

  // Newest first, two at a time, each page before the oldest seq of the last.
  const pages: (string | null)[][] = [];
  let before: number | undefined;
  for (;;) {
    const page = must(
      await client.GET('/v1/rooms/{roomId}/comments', {
        headers,
        params: {
          path: { roomId: room.id },
          query: { limit: 2, ...(before === undefined ? {} : { before }) },
          header: { 'X-Min-Position': (await client.GET('/health')).data?.eventStore.head ?? undefined },
        },
      }),
      'page',
    );
    const comments = page.items.filter((item) => item.kind === 'comment');
    pages.push(comments.map((item) => item.text));
    const seqs = page.items.map((item) => item.seq).filter((seq): seq is number => seq !== null);
    if (!page.hasMoreBefore || seqs.length === 0) break;
    before = Math.min(...seqs);
  }
  return { userId: registered.id, roomId: room.id, posted, pages };
}
