/**
 * The raw baseline for the media download benchmark: Fastify with
 * @fastify/static serving the files of $STATIC_DIR at /files/ (no auth, no
 * store, no sealing): what serving bytes from disk costs on this machine.
 * Listens on 127.0.0.1:$PORT and prints one line with "listening".
 */
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';

async function main(): Promise<void> {
  const root = process.env['STATIC_DIR'];
  if (!root) throw new Error('STATIC_DIR is required');
  const app = Fastify({ logger: false });
  await app.register(fastifyStatic, { root, prefix: '/files/' });
  await app.listen({ port: Number(process.env['PORT'] ?? '0'), host: process.env['HOST'] ?? '127.0.0.1' });
  process.stdout.write(`static file server listening on ${process.env['PORT']}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
