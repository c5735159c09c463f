// SHA-256 in the page, synchronous, over bytes. Web Crypto answers one digest
// per call through a promise; in Chromium that costs about 0.1 ms a call
// whatever the size (measured: ~9,000 digests/s, in parallel or not), which
// caps a backup's verification at a few thousand lines a second. The export
// chain hashes one short message per line, so this does it in place, into
// buffers allocated once; `verify-core.js` checks it against Web Crypto
// before trusting it.
//
// Every value stays a 32-bit integer: K is an Int32Array (a Uint32Array hands
// out numbers above 2^31, which V8 keeps as doubles, and the rounds then run
// in floating point, several times slower).

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const W = new Int32Array(64);
const H = new Int32Array(8);
const HEX = new Uint8Array([...'0123456789abcdef'].map((c) => c.charCodeAt(0)));
const encoder = new TextEncoder();
/** The message with its padding, grown when a longer one comes. */
let block = new Uint8Array(1 << 12);
let view = new DataView(block.buffer);

/**
 * The compression function over the first `total` bytes of `block` (a
 * multiple of 64). Message words are read big-endian through a DataView and
 * the schedule is computed inside the rounds' loop: one pass a block, about a
 * fifth faster than filling W first.
 */
function compress(total) {
  let h0 = 0x6a09e667, h1 = 0xbb67ae85 | 0, h2 = 0x3c6ef372, h3 = 0xa54ff53a | 0, h4 = 0x510e527f, h5 = 0x9b05688c | 0, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
  const m = view;
  const w = W;
  for (let offset = 0; offset < total; offset += 64) {
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i = 0; i < 64; i++) {
      let x;
      if (i < 16) x = m.getInt32(offset + i * 4);
      else {
        const w15 = w[i - 15];
        const w2 = w[i - 2];
        x = (w[i - 16] + (((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)) + w[i - 7] + (((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10))) | 0;
      }
      w[i] = x;
      const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[i] + x) | 0;
      const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  H[0] = h0;
  H[1] = h1;
  H[2] = h2;
  H[3] = h3;
  H[4] = h4;
  H[5] = h5;
  H[6] = h6;
  H[7] = h7;
}

/** Pads the `length` message bytes already in `block` and answers the padded size. */
function pad(length) {
  const total = ((length + 8) >>> 6 << 6) + 64;
  block.fill(0, length, total);
  block[length] = 0x80;
  const high = Math.floor(length / 0x20000000);
  const low = (length << 3) >>> 0;
  block[total - 8] = high >>> 24;
  block[total - 7] = high >>> 16;
  block[total - 6] = high >>> 8;
  block[total - 5] = high;
  block[total - 4] = low >>> 24;
  block[total - 3] = low >>> 16;
  block[total - 2] = low >>> 8;
  block[total - 1] = low;
  return total;
}

function room(length) {
  if (block.length < length + 72) {
    block = new Uint8Array(Math.max(length * 2, block.length * 2) + 72);
    view = new DataView(block.buffer);
  }
}

/**
 * The export chain's step without building a string: SHA-256 over `prefix`
 * (the previous hash in hex and a newline) followed by `bytes[start, end)`.
 * Answers the digest as eight big-endian words in a shared Int32Array, valid
 * until the next call.
 */
export function chainDigest(prefix, bytes, start, end) {
  const length = prefix.length + end - start;
  room(length);
  block.set(prefix, 0);
  block.set(bytes.subarray(start, end), prefix.length);
  compress(pad(length));
  return H;
}

/** Eight digest words as 64 lowercase hex bytes into `out` at `at`. */
export function digestHexInto(words, out, at) {
  for (let i = 0; i < 8; i++) {
    const word = words[i];
    for (let shift = 28; shift >= 0; shift -= 4) out[at++] = HEX[(word >>> shift) & 15];
  }
}

/** SHA-256 of a text's UTF-8 bytes, as lowercase hex. */
export function sha256HexSync(text) {
  room(text.length * 3);
  const length = encoder.encodeInto(text, block).written;
  compress(pad(length));
  const hex = new Uint8Array(64);
  digestHexInto(H, hex, 0);
  return String.fromCharCode(...hex);
}
