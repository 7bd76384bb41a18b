/* SM3 (GB/T 32905-2016), the Chinese national hash function, in plain JavaScript: browsers'
   WebCrypto does not offer it, and the portal's integrity proofs need it to recompute the
   ledger's hashes. Small and dependency-free; correct for any input length a page can hold.
   window.ZhifaSM3.digest(Uint8Array) -> Uint8Array(32).
   Test vector: SM3("abc") = 66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4b8f3c */
(function () {
  "use strict";

  var IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600,
            0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];

  function rotl(x, n) {
    n %= 32;
    return n === 0 ? x >>> 0 : ((x << n) | (x >>> (32 - n))) >>> 0;
  }
  function p0(x) { return (x ^ rotl(x, 9) ^ rotl(x, 17)) >>> 0; }
  function p1(x) { return (x ^ rotl(x, 15) ^ rotl(x, 23)) >>> 0; }

  // The round constants rotated by the round number, computed once.
  var TJ = new Array(64);
  for (var j = 0; j < 64; j++) {
    TJ[j] = rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j);
  }

  function pad(bytes) {
    var length = bytes.length;
    // message, 0x80, zeros, then the bit length as 64 bits big-endian; a multiple of 64 bytes
    var total = Math.ceil((length + 9) / 64) * 64;
    var out = new Uint8Array(total);
    out.set(bytes);
    out[length] = 0x80;
    var bitsHigh = Math.floor(length / 0x20000000); // length * 8 / 2^32
    var bitsLow = (length * 8) >>> 0;
    var view = new DataView(out.buffer);
    view.setUint32(total - 8, bitsHigh >>> 0, false);
    view.setUint32(total - 4, bitsLow, false);
    return out;
  }

  function digest(bytes) {
    var data = pad(bytes);
    var view = new DataView(data.buffer);
    var v = IV.slice();
    var w = new Array(68);
    var w1 = new Array(64);
    for (var offset = 0; offset < data.length; offset += 64) {
      var i;
      for (i = 0; i < 16; i++) { w[i] = view.getUint32(offset + i * 4, false); }
      for (i = 16; i < 68; i++) {
        w[i] = (p1(w[i - 16] ^ w[i - 9] ^ rotl(w[i - 3], 15)) ^ rotl(w[i - 13], 7) ^ w[i - 6]) >>> 0;
      }
      for (i = 0; i < 64; i++) { w1[i] = (w[i] ^ w[i + 4]) >>> 0; }
      var a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
      for (i = 0; i < 64; i++) {
        var a12 = rotl(a, 12);
        var ss1 = rotl((a12 + e + TJ[i]) >>> 0, 7);
        var ss2 = (ss1 ^ a12) >>> 0;
        var ff = i < 16 ? (a ^ b ^ c) : ((a & b) | (a & c) | (b & c));
        var gg = i < 16 ? (e ^ f ^ g) : ((e & f) | (~e & g));
        var tt1 = ((ff >>> 0) + d + ss2 + w1[i]) >>> 0;
        var tt2 = ((gg >>> 0) + h + ss1 + w[i]) >>> 0;
        d = c;
        c = rotl(b, 9);
        b = a;
        a = tt1;
        h = g;
        g = rotl(f, 19);
        f = e;
        e = p0(tt2);
      }
      v[0] = (v[0] ^ a) >>> 0; v[1] = (v[1] ^ b) >>> 0; v[2] = (v[2] ^ c) >>> 0;
      v[3] = (v[3] ^ d) >>> 0; v[4] = (v[4] ^ e) >>> 0; v[5] = (v[5] ^ f) >>> 0;
      v[6] = (v[6] ^ g) >>> 0; v[7] = (v[7] ^ h) >>> 0;
    }
    var out = new Uint8Array(32);
    var outView = new DataView(out.buffer);
    for (var k = 0; k < 8; k++) { outView.setUint32(k * 4, v[k], false); }
    return out;
  }

  window.ZhifaSM3 = { digest: digest };
})();
