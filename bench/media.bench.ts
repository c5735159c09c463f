/**
 * Media (issue #15), three figures against raw baselines measured in the same run:
 * 1. upload of a 5 MiB JPEG with thumbnails: Parley's p50 ÷ (writing the same
 *    bytes to disk with fsync + sharp's metadata and three thumbnails, in this
 *    process) ≤ 1.5;
 * 2. download throughput of a 20 MiB blob: Parley ÷ @fastify/static serving the
 *    same file ≥ 0.8;
 * 3. send throughput while 4 uploads of 5 MiB run at once ÷ without ≥ 0.8.
 */
import { randomBytes } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  benchSeconds,
  DIST,
  envWithoutStores,
  fmt,
  goalText,
  makeTempDir,
  mb,
  percentile,
  removeTempDir,
  runStandalone,
  say,
  sortedCopy,
  verdict,
  type BenchOutcome,
  type Goal,
  type SummaryRow,
} from './lib/common';
import { HttpClient } from './lib/http';
import { describeLoad, postLoad } from './lib/load';
import { registerUser, setupWorkload, startParley } from './lib/parley';
import { startServer } from './lib/server';

const NAME = 'media';
const MiB = 1024 * 1024;
const UPLOAD_GOAL: Goal = { op: '<=', target: 1.5 };
const DOWNLOAD_GOAL: Goal = { op: '>=', target: 0.8 };
const SEND_GOAL: Goal = { op: '>=', target: 0.8 };
const UPLOADS = Number(process.env['BENCH_MEDIA_UPLOADS'] ?? '8');
const THUMBNAILS = [64, 256, 1024];

/** A JPEG of about 5 MiB: noise compresses badly, as photographs do. */
async function fiveMegabyteJpeg(): Promise<Buffer> {
  let side = 2000;
  for (;;) {
    const jpeg = await sharp({ create: { width: side, height: Math.round(side * 0.75), channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 50 } } })
      .jpeg({ quality: 92 })
      .toBuffer();
    if (jpeg.length >= 5 * MiB || side > 6000) return jpeg;
    side = Math.round(side * Math.sqrt((5.1 * MiB) / jpeg.length));
  }
}

/** One multipart/form-data POST of `bytes` as `file`; answers the status and the time it took. */
function uploadOnce(url: string, token: string, bytes: Buffer): Promise<{ status: number; ms: number }> {
  const boundary = `----parleybench${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, bytes, tail]);
  const target = new URL('/v1/media', url);
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(body.length) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The raw cost of an upload: the bytes written and fsynced, sharp's metadata and the three thumbnails. */
async function rawUpload(dir: string, bytes: Buffer, n: number): Promise<number> {
  const started = process.hrtime.bigint();
  const handle = await open(join(dir, `raw-${n}.jpg`), 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await sharp(bytes).metadata();
  await Promise.all(THUMBNAILS.map((size) => sharp(bytes).resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 82 }).toBuffer()));
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Downloads `path` over and over from 2 connections for `seconds`; every byte received counts, whole bodies are `ok`. */
async function downloadLoad(url: string, path: string, headers: Record<string, string>, seconds: number): Promise<{ bytesPerSecond: number; ok: number }> {
  const target = new URL(path, url);
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const until = Date.now() + seconds * 1000;
  let bytes = 0;
  let ok = 0;
  const started = process.hrtime.bigint();
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, headers, agent }, (res) => {
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => {
          if (res.statusCode === 200) ok++;
          resolve();
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (Date.now() < until) await one();
    }),
  );
  agent.destroy();
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return { bytesPerSecond: bytes / elapsed, ok };
}

export async function runMedia(): Promise<BenchOutcome> {
  const seconds = benchSeconds();
  const rows: SummaryRow[] = [];
  const dataDir = makeTempDir('media');
  const rawDir = makeTempDir('media-raw');
  const photo = await fiveMegabyteJpeg();
  say(NAME, `a ${mb(photo.length)} JPEG; ${UPLOADS} uploads each way; ${seconds} s per load phase`);
  const server = await startParley({
    dataDir,
    env: { ...envWithoutStores(), MEDIA_ALLOWED_TYPES: 'image/jpeg,application/octet-stream', MEDIA_SWEEP_INTERVAL_SECONDS: '0' },
    label: 'parley (media)',
  });
  let staticServer: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    const client = new HttpClient(server.url, 4);
    const user = await registerUser(client, `mediabench${Date.now().toString(36)}`);

    // 1. Upload: p50 against the raw work, interleaved so both see the same machine.
    const parleyMs: number[] = [];
    const rawMs: number[] = [];
    await uploadOnce(server.url, user.token, photo);
    await rawUpload(rawDir, photo, -1);
    for (let i = 0; i < UPLOADS; i++) {
      const answer = await uploadOnce(server.url, user.token, photo);
      if (answer.status !== 201) throw new Error(`upload answered ${answer.status}`);
      parleyMs.push(answer.ms);
      rawMs.push(await rawUpload(rawDir, photo, i));
    }
    const parleyP50 = percentile(sortedCopy(parleyMs), 50);
    const rawP50 = percentile(sortedCopy(rawMs), 50);
    const uploadRatio = parleyP50 / rawP50;
    say(NAME, `upload p50 ${fmt(parleyP50)} ms; raw (disk write + fsync + sharp) p50 ${fmt(rawP50)} ms; ratio ${uploadRatio.toFixed(2)}`);
    rows.push({ bench: NAME, metric: 'upload 5 MiB JPEG p50', figure: `${fmt(parleyP50)} ms`, baseline: `${fmt(rawP50)} ms`, ratio: uploadRatio.toFixed(2), goal: goalText(UPLOAD_GOAL), verdict: verdict(uploadRatio, UPLOAD_GOAL) });

    // 2. Download: the same 20 MiB through Parley (unsealed as it streams) and through @fastify/static.
    const blob = randomBytes(20 * MiB);
    await writeFile(join(rawDir, 'blob.bin'), blob);
    const uploaded = await client.json<{ id: string; position: string }>('POST', '/v1/media', 201, {
      headers: { authorization: `Bearer ${user.token}` },
      body: { data: blob.toString('base64') },
      timeoutMs: 120_000,
    });
    staticServer = await startServer({ label: 'static', script: join(DIST, 'bench', 'static-file-server.js'), env: { ...envWithoutStores(), STATIC_DIR: rawDir } });
    const viaParley = await downloadLoad(server.url, `/v1/media/${uploaded.id}`, { authorization: `Bearer ${user.token}`, 'x-min-position': uploaded.position }, seconds);
    const viaStatic = await downloadLoad(staticServer.url, '/files/blob.bin', {}, seconds);
    const downloadRatio = viaParley.bytesPerSecond / viaStatic.bytesPerSecond;
    say(NAME, `download ${mb(viaParley.bytesPerSecond)}/s (${viaParley.ok} whole downloads); @fastify/static ${mb(viaStatic.bytesPerSecond)}/s (${viaStatic.ok}); ratio ${downloadRatio.toFixed(2)}`);
    rows.push({ bench: NAME, metric: 'download 20 MiB throughput', figure: `${mb(viaParley.bytesPerSecond)}/s`, baseline: `${mb(viaStatic.bytesPerSecond)}/s`, ratio: downloadRatio.toFixed(2), goal: goalText(DOWNLOAD_GOAL), verdict: verdict(downloadRatio, DOWNLOAD_GOAL) });
    await staticServer.stop();
    staticServer = null;

    // 3. Sending with and without 4 uploads of 5 MiB running at once.
    const workload = await setupWorkload(server.url, 20, 40, 3);
    await postLoad({ url: server.url, rooms: workload.rooms, connections: 20, seconds: 2 });
    const quiet = await postLoad({ url: server.url, rooms: workload.rooms, connections: 20, seconds });
    let uploading = true;
    let uploadsDone = 0;
    const uploaders = Array.from({ length: 4 }, async () => {
      while (uploading) {
        const answer = await uploadOnce(server.url, user.token, photo);
        if (answer.status === 201) uploadsDone++;
      }
    });
    const busy = await postLoad({ url: server.url, rooms: workload.rooms, connections: 20, seconds });
    uploading = false;
    await Promise.all(uploaders);
    const sendRatio = busy.rps / quiet.rps;
    say(NAME, `send alone: ${describeLoad(quiet)}`);
    say(NAME, `send with 4 uploads at once (${uploadsDone} uploads done): ${describeLoad(busy)}; ratio ${sendRatio.toFixed(2)}`);
    rows.push({ bench: NAME, metric: 'send while 4 uploads run', figure: `${fmt(busy.rps)} req/s`, baseline: `${fmt(quiet.rps)} req/s`, ratio: sendRatio.toFixed(2), goal: goalText(SEND_GOAL), verdict: verdict(sendRatio, SEND_GOAL) });
    client.close();
    return { name: NAME, rows, data: { parleyMs, rawMs, viaParley, viaStatic, quiet, busy, uploadsDone } };
  } finally {
    await staticServer?.stop();
    await server.stop();
    removeTempDir(dataDir);
    removeTempDir(rawDir);
  }
}

if (require.main === module) runStandalone(runMedia);
