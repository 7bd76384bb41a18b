/* "Verify in this browser": recomputes a public record's integrity proof from the data on
   the page (the JSON in #proof-data, the same bundle as proof.json), trusting nothing the
   server says about the result:
   1. digest: H(record text, UTF-8) equals content_digest in the ledger entry's payload;
   2. leaf: the entry's leaf data names this publication and carries that payload; the leaf
      hash H(0x00 || leaf data) is recomputed;
   3. root: folding the RFC 6962 inclusion path (H(0x01 || left || right)) from the leaf hash
      gives the checkpoint's root;
   4. signature: the checkpoint text rebuilt from its fields is the signed text, and the
      signature verifies with the public key (WebCrypto Ed25519; for SM2 the page says the
      server verified it and shows the OpenSSL command).
   H is SM3 (sm3.js) or SHA-256 (WebCrypto, or the small fallback below on plain-HTTP pages
   where WebCrypto is unavailable). Each result is written as text, not only as a colour. */
(function () {
  "use strict";

  var dataNode = document.getElementById("proof-data");
  var button = document.getElementById("proof-verify");
  if (!dataNode || !button) { return; }
  var bundle = JSON.parse(dataNode.textContent);
  var words = document.getElementById("proof-words").dataset;
  var summary = document.getElementById("proof-summary");
  var encoder = new TextEncoder();

  // --- bytes ---------------------------------------------------------------------------
  function fromB64(text) {
    var raw = atob(text);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function toB64(bytes) {
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw);
  }
  function toHex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) { out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return out;
  }
  function concat(parts) {
    var total = 0, i;
    for (i = 0; i < parts.length; i++) { total += parts[i].length; }
    var out = new Uint8Array(total), at = 0;
    for (i = 0; i < parts.length; i++) { out.set(parts[i], at); at += parts[i].length; }
    return out;
  }
  function equal(a, b) {
    if (a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } }
    return true;
  }

  // --- SHA-256 fallback (FIPS 180-4), only where crypto.subtle is missing -----------------
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];
  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }
  function sha256Plain(bytes) {
    var length = bytes.length;
    var total = Math.ceil((length + 9) / 64) * 64;
    var data = new Uint8Array(total);
    data.set(bytes);
    data[length] = 0x80;
    var view = new DataView(data.buffer);
    view.setUint32(total - 8, Math.floor(length / 0x20000000) >>> 0, false);
    view.setUint32(total - 4, (length * 8) >>> 0, false);
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    for (var off = 0; off < total; off += 64) {
      var i;
      for (i = 0; i < 16; i++) { w[i] = view.getUint32(off + i * 4, false); }
      for (i = 16; i < 64; i++) {
        var s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        var s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (i = 0; i < 64; i++) {
        var t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h[0] = (h[0] + a) >>> 0; h[1] = (h[1] + b) >>> 0; h[2] = (h[2] + c) >>> 0; h[3] = (h[3] + d) >>> 0;
      h[4] = (h[4] + e) >>> 0; h[5] = (h[5] + f) >>> 0; h[6] = (h[6] + g) >>> 0; h[7] = (h[7] + hh) >>> 0;
    }
    var out = new Uint8Array(32), outView = new DataView(out.buffer);
    for (var k = 0; k < 8; k++) { outView.setUint32(k * 4, h[k], false); }
    return out;
  }

  var subtle = window.crypto && window.crypto.subtle;

  function hasher(name) {
    if (name === "sm3") {
      return function (bytes) { return Promise.resolve(window.ZhifaSM3.digest(bytes)); };
    }
    if (name === "sha256") {
      return function (bytes) {
        if (subtle) {
          return subtle.digest("SHA-256", bytes).then(function (buf) { return new Uint8Array(buf); });
        }
        return Promise.resolve(sha256Plain(bytes));
      };
    }
    throw new Error("unknown hash algorithm " + name);
  }

  // --- RFC 6962 / RFC 9162 §2.1.3.2 ------------------------------------------------------
  function foldPath(h, leafIndex, treeSize, leafHash, path) {
    if (leafIndex < 0 || leafIndex >= treeSize) { return Promise.resolve(null); }
    var fn = leafIndex, sn = treeSize - 1, r = leafHash, i = 0, prefix = new Uint8Array([1]);
    function half(x) { return Math.floor(x / 2); }
    function step() {
      if (i === path.length) { return Promise.resolve(sn === 0 ? r : null); }
      if (sn === 0) { return Promise.resolve(null); }
      var p = path[i++];
      var right = fn % 2 === 1 || fn === sn;
      var data = right ? concat([prefix, p, r]) : concat([prefix, r, p]);
      return h(data).then(function (node) {
        r = node;
        if (right) {
          while (fn % 2 === 0 && fn !== 0) { fn = half(fn); sn = half(sn); }
        }
        fn = half(fn); sn = half(sn);
        return step();
      });
    }
    return step();
  }

  function checkpointText(cp) {
    return "zhifa-ledger-checkpoint/v1\n" + cp.algorithm + "\n" + cp.tree_size + "\n" +
      cp.root_hash + "\n" + cp.timestamp + "\n";
  }

  // --- the page --------------------------------------------------------------------------
  var results = {};
  function show(name, state, detail) {
    var li = document.querySelector('#proof-checks [data-check="' + name + '"]');
    if (!li) { return; }
    results[name] = state;
    var word = { ok: "✓ " + words.pass, fail: "✗ " + words.fail, pending: "… " + words.pending,
                 server: "— " + words.server, nocrypto: "— " + words.noCrypto }[state];
    li.dataset.result = state;
    li.className = "proof-check proof-check-" + state;
    li.textContent = "";
    var label = document.createElement("span");
    label.className = "proof-check-label";
    label.textContent = li.dataset.label + ": ";
    var verdict = document.createElement("strong");
    verdict.className = "proof-check-verdict";
    verdict.textContent = word;
    li.appendChild(label);
    li.appendChild(verdict);
    if (detail) {
      var more = document.createElement("span");
      more.className = "proof-check-detail mono";
      more.textContent = " " + detail;
      li.appendChild(more);
    }
  }

  function detail(computed, expected) {
    return words.computed + " " + computed + (expected === undefined ? "" : "; " + words.expected + " " + expected);
  }

  function checkDigest(entry, record) {
    var algorithm = entry.payload.algorithm;
    return hasher(algorithm)(encoder.encode(record.text)).then(function (d) {
      var computed = toHex(d);
      var ok = computed === entry.payload.content_digest && computed === record.content_digest;
      show("digest", ok ? "ok" : "fail", detail(computed, entry.payload.content_digest));
      return ok;
    });
  }

  function checkLeaf(entry, h) {
    var leaf;
    try { leaf = JSON.parse(entry.leaf_data); } catch (e) { leaf = null; }
    var payload = leaf && leaf[9];
    var names = !!payload && leaf[0] === 1 && leaf[1] === entry.seq &&
      payload.publication === bundle.publication &&
      payload.content_digest === entry.payload.content_digest &&
      payload.algorithm === entry.payload.algorithm;
    return h(concat([new Uint8Array([0]), encoder.encode(entry.leaf_data)])).then(function (leafHash) {
      var computed = toB64(leafHash);
      var ok = names && (entry.leaf_hash === undefined || computed === entry.leaf_hash);
      show("leaf", ok ? "ok" : "fail", detail(computed, entry.leaf_hash));
      return { ok: ok, hash: leafHash };
    });
  }

  function checkRoot(leafHash, h) {
    var inc = bundle.inclusion, cp = bundle.checkpoint;
    var path = inc.inclusion_path.map(fromB64);
    return foldPath(h, inc.leaf_index, inc.tree_size, leafHash, path).then(function (root) {
      var computed = root ? toB64(root) : "—";
      var ok = !!root && inc.leaf_index === bundle.entry.seq && inc.tree_size === cp.tree_size &&
        equal(root, fromB64(cp.root_hash));
      show("root", ok ? "ok" : "fail", detail(computed, cp.root_hash));
      return ok;
    });
  }

  function checkSignature() {
    var cp = bundle.checkpoint;
    var text = checkpointText(cp);
    if (text !== cp.signed_text) {
      show("signature", "fail");
      return Promise.resolve(false);
    }
    if (cp.key_algorithm !== "ed25519") {
      show("signature", "server");
      return Promise.resolve(null);
    }
    if (!subtle) {
      show("signature", "nocrypto");
      return Promise.resolve(null);
    }
    return subtle.importKey("spki", fromB64(cp.public_key), { name: "Ed25519" }, false, ["verify"])
      .then(function (key) {
        return subtle.verify({ name: "Ed25519" }, key, fromB64(cp.signature), encoder.encode(text));
      })
      .then(function (ok) {
        show("signature", ok ? "ok" : "fail", "Ed25519");
        return ok;
      }, function () {
        show("signature", "nocrypto");
        return null;
      });
  }

  function run() {
    button.disabled = true;
    summary.textContent = summary.dataset.running;
    results = {};
    var entry = bundle.entry, record = bundle.record;
    var treeHash = hasher((bundle.inclusion && bundle.inclusion.algorithm) || entry.payload.algorithm);
    var chain = checkDigest(entry, record)
      .then(function () { return checkLeaf(entry, treeHash); })
      .then(function (leaf) {
        if (bundle.status !== "complete") {
          show("root", "pending");
          show("signature", "pending");
          return null;
        }
        return checkRoot(leaf.hash, treeHash).then(checkSignature);
      });
    chain.catch(function (err) {
      ["digest", "leaf", "root", "signature"].forEach(function (name) {
        if (!results[name]) { show(name, "fail", String(err && err.message || err)); }
      });
    }).then(function () {
      var states = Object.keys(results).map(function (k) { return results[k]; });
      var failed = states.indexOf("fail") >= 0;
      var allOk = states.length === 4 && states.every(function (s) { return s === "ok"; });
      summary.textContent = failed ? summary.dataset.someFailed
        : allOk ? summary.dataset.allOk : summary.dataset.partial;
      summary.dataset.result = failed ? "failed" : allOk ? "ok" : "partial";
      summary.className = "notice " + (failed ? "notice-bad" : allOk ? "notice-ok" : "");
      button.disabled = false;
    });
  }

  button.addEventListener("click", run);
  button.disabled = false;
})();
