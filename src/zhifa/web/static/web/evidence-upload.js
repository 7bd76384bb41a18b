// The evidence upload widget of a case's evidence page: resumable uploads to the platform's
// tus 1.0 server (/uploads/) with tus-js-client (static/vendor/tus.min.js, window.tus).
//
// - Files are sent in parts of data-chunk-size bytes; pause stops after aborting the current
//   part, resume asks the server for its offset and continues from there.
// - Each upload's address is kept in localStorage under the file's fingerprint (name, type,
//   size, modification time): after a reload, or on another day, choosing the same file again
//   continues the upload instead of starting over. Unfinished uploads of this case are listed.
// - The server's refusals come as JSON {code, message} with the message already in the
//   user's language; it is shown next to the file.
// - After a file is stored the list of items is drawn again (HTMX swap of #evidence-items).
// Progressive enhancement: without JavaScript the form stays hidden and the page explains the
// command-line upload.
(function () {
  "use strict";

  var root = document.getElementById("evidence-upload");
  var form = document.getElementById("upload-form");
  if (!root || !form) {
    return;
  }
  var textsNode = document.getElementById("evidence-upload-texts");
  var T = textsNode ? JSON.parse(textsNode.textContent) : {};
  var tus = window.tus;
  if (!tus || !tus.isSupported || !root.dataset.endpoint) {
    var note = document.createElement("p");
    note.className = "alert alert-info";
    note.textContent = T.unavailable || "";
    root.appendChild(note);
    return;
  }
  form.hidden = false;

  var endpoint = new URL(root.dataset.endpoint, window.location.href).href;
  var caseId = root.dataset.case;
  var chunkSize = parseInt(root.dataset.chunkSize, 10) || 8 * 1024 * 1024;
  var avFieldset = document.getElementById("upload-av");
  var avKind = avFieldset ? avFieldset.dataset.avKind : "audio_visual";
  var el = {
    files: document.getElementById("upload-files"),
    existing: document.getElementById("upload-target-existing"),
    fresh: document.getElementById("upload-target-new"),
    item: document.getElementById("upload-item"),
    kind: document.getElementById("upload-kind"),
    title: document.getElementById("upload-title"),
    device: document.getElementById("upload-device"),
    officer: document.getElementById("upload-officer"),
    started: document.getElementById("upload-started"),
    ended: document.getElementById("upload-ended"),
    latitude: document.getElementById("upload-latitude"),
    longitude: document.getElementById("upload-longitude"),
    error: document.getElementById("upload-error"),
    start: document.getElementById("upload-start"),
    queue: document.getElementById("upload-queue"),
    pending: document.getElementById("upload-pending")
  };
  var AV_NAME = /\.(mp4|m4v|mov|webm|mkv|avi|3gp|mts|ts|mp3|m4a|aac|wav|ogg|oga|opus|amr|flac)$/i;

  // ---- small helpers ----------------------------------------------------------------------
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = document.querySelector("input[name='csrfmiddlewaretoken']");
    return input ? input.value : "";
  }

  function withCsrf(req) {
    req.setHeader("X-CSRFToken", csrfToken());
  }

  function formatBytes(n) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i += 1;
    }
    return (i === 0 ? String(n) : n.toFixed(n >= 100 ? 0 : 1)) + " " + units[i];
  }

  function stem(name) {
    var dot = name.lastIndexOf(".");
    return (dot > 0 ? name.slice(0, dot) : name).slice(0, 200);
  }

  function isAv(file) {
    return /^(audio|video)\//.test(file.type || "") || AV_NAME.test(file.name);
  }

  function statusOf(err) {
    var res = err && err.originalResponse;
    return res && res.getStatus ? res.getStatus() : 0;
  }

  // The server's message ({code, message}), or a note that the connection was lost.
  function serverMessage(err) {
    var res = err && err.originalResponse;
    if (res && res.getBody) {
      try {
        var data = JSON.parse(res.getBody());
        if (data && data.message) {
          return data.message;
        }
      } catch (ignored) {
        // not JSON: fall through
      }
      if (res.getStatus && res.getStatus() >= 400) {
        return (T.failed || "") + " (HTTP " + res.getStatus() + ")";
      }
    }
    return T.network || String(err);
  }

  // A refusal is final (4xx: wrong type, too large, no permission …); a lost connection, a
  // server error, a locked upload or an offset that moved meanwhile are tried again.
  function isFinal(err) {
    var status = statusOf(err);
    return status >= 400 && status < 500 && status !== 409 && status !== 423;
  }

  // The session ended or its CSRF token changed (a new login): not the upload's fault. Keep
  // what the server has; after logging in again, choosing the file resumes it.
  function needsLogin(err) {
    var status = statusOf(err);
    if (status === 401) {
      return true;
    }
    var res = err && err.originalResponse;
    try {
      return status === 403 && JSON.parse(res.getBody()).code === "csrf_failed";
    } catch (ignored) {
      return false;
    }
  }

  function shouldRetry(err) {
    return !isFinal(err);
  }

  function showError(message) {
    el.error.textContent = message;
    el.error.hidden = false;
  }

  function hideError() {
    el.error.hidden = true;
    el.error.textContent = "";
  }

  // ---- the form ---------------------------------------------------------------------------
  function targetIsNew() {
    return el.fresh.checked;
  }

  function selectedKind() {
    if (targetIsNew()) {
      return el.kind.value;
    }
    var option = el.item.options[el.item.selectedIndex];
    return option ? option.dataset.kind : "";
  }

  function updateAv() {
    if (!avFieldset) {
      return;
    }
    var files = Array.prototype.slice.call(el.files.files || []);
    avFieldset.hidden = !(files.some(isAv) || selectedKind() === avKind);
  }

  ["change", "input"].forEach(function (type) {
    form.addEventListener(type, updateAv);
  });
  el.item.addEventListener("focus", function () {
    el.existing.checked = !el.existing.disabled;
  });
  [el.kind, el.title].forEach(function (input) {
    input.addEventListener("focus", function () {
      el.fresh.checked = true;
    });
  });

  // The item list was drawn again: offer its items (a new one may have been created).
  function syncItems() {
    var template = document.getElementById("evidence-item-choices");
    if (!template) {
      return;
    }
    var chosen = el.item.value;
    el.item.innerHTML = "";
    Array.prototype.forEach.call(template.content.querySelectorAll("option"), function (o) {
      el.item.appendChild(o.cloneNode(true));
    });
    var has = el.item.options.length > 0;
    el.item.disabled = !has;
    el.existing.disabled = !has;
    if (chosen && el.item.querySelector("option[value='" + chosen + "']")) {
      el.item.value = chosen;
    }
    if (!has) {
      el.fresh.checked = true;
    }
  }

  function refreshList() {
    var target = document.getElementById(root.dataset.listTarget);
    if (!window.htmx || !target) {
      window.location.reload();
      return;
    }
    window.htmx.ajax("GET", root.dataset.listUrl, { target: target, swap: "outerHTML" })
      .then(syncItems);
  }

  function avMetadata(meta) {
    var pairs = [["device", el.device], ["officer", el.officer], ["started_at", el.started],
      ["ended_at", el.ended], ["latitude", el.latitude], ["longitude", el.longitude]];
    pairs.forEach(function (pair) {
      var input = pair[1];
      if (input && input.value.trim()) {
        meta[pair[0]] = input.value.trim();
      }
    });
  }

  function metadata(file, itemId) {
    var meta = { case: caseId, filename: file.name, filetype: file.type || "" };
    if (itemId) {
      meta.item = itemId;
    } else {
      meta.kind = el.kind.value;
      meta.title = el.title.value.trim() || stem(file.name);
    }
    if (isAv(file) || selectedKind() === avKind) {
      avMetadata(meta);
    }
    return meta;
  }

  // Several files for one new item: the item is recorded first (the evidence API).
  function createItem(kind, title) {
    return fetch(root.dataset.itemsApi, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ kind: kind, title: title })
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (data) {
        if (!response.ok) {
          throw new Error(data.message || (T.failed + " (HTTP " + response.status + ")"));
        }
        return data.public_id;
      });
    });
  }

  // ---- one row per file -------------------------------------------------------------------
  function button(cls, label) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button-quiet " + cls;
    b.textContent = label;
    return b;
  }

  function Row(file) {
    var li = document.createElement("li");
    li.className = "upload-row";
    li.dataset.filename = file.name;
    var head = document.createElement("div");
    head.className = "upload-row-head";
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    this.state = document.createElement("span");
    this.state.className = "upload-state";
    head.appendChild(name);
    head.appendChild(this.state);
    this.bar = document.createElement("progress");
    this.bar.max = 100;
    this.bar.value = 0;
    var stats = document.createElement("div");
    stats.className = "upload-stats";
    this.percent = document.createElement("span");
    this.percent.className = "upload-percent";
    this.bytes = document.createElement("span");
    this.bytes.className = "upload-bytes";
    this.speed = document.createElement("span");
    this.speed.className = "upload-speed";
    stats.appendChild(this.percent);
    stats.appendChild(this.bytes);
    stats.appendChild(this.speed);
    var actions = document.createElement("div");
    actions.className = "upload-row-actions";
    this.pause = button("upload-pause", T.pause);
    this.resume = button("upload-resume", T.resume);
    this.resume.hidden = true;
    actions.appendChild(this.pause);
    actions.appendChild(this.resume);
    this.message = document.createElement("p");
    this.message.className = "upload-message";
    this.message.hidden = true;
    li.appendChild(head);
    li.appendChild(this.bar);
    li.appendChild(stats);
    li.appendChild(actions);
    li.appendChild(this.message);
    this.li = li;
    this.size = file.size;
    this.samples = [];
    this.show(0, file.size);
    this.set("waiting");
    el.queue.appendChild(li);
  }

  Row.prototype.set = function (state) {
    this.li.dataset.state = state;
    this.state.textContent = T[state] || state;
    var running = state === "uploading" || state === "waiting";
    this.pause.hidden = !running;
    this.resume.hidden = state !== "paused";
    if (state !== "uploading") {
      this.samples = [];
      this.speed.textContent = "";
    }
  };

  Row.prototype.show = function (sent, total) {
    var pct = total ? Math.floor((sent / total) * 100) : 100;
    this.bar.value = pct;
    this.percent.textContent = pct + "%";
    this.bytes.textContent = formatBytes(sent) + " / " + formatBytes(total);
    this.li.dataset.sent = String(sent);
  };

  // Speed over the last five seconds.
  Row.prototype.progress = function (sent, total) {
    var now = Date.now();
    this.samples.push([now, sent]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 5000) {
      this.samples.shift();
    }
    var first = this.samples[0];
    var seconds = (now - first[0]) / 1000;
    if (seconds > 0.2 && sent >= first[1]) {
      this.speed.textContent = formatBytes((sent - first[1]) / seconds) + "/s";
    }
    this.show(sent, total);
  };

  Row.prototype.say = function (message) {
    this.message.textContent = message;
    this.message.hidden = !message;
  };

  // ---- uploads ----------------------------------------------------------------------------
  function forgetFile(upload) {
    var storage = tus.defaultOptions.urlStorage;
    return upload.findPreviousUploads().then(function (previous) {
      return Promise.all(previous.map(function (p) {
        return storage.removeUpload(p.urlStorageKey);
      }));
    });
  }

  function startUpload(file, itemId) {
    var row = new Row(file);
    var upload = new tus.Upload(file, {
      endpoint: endpoint,
      chunkSize: chunkSize,
      retryDelays: [0, 1000, 3000, 5000],
      metadata: metadata(file, itemId),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onBeforeRequest: withCsrf,
      onShouldRetry: shouldRetry,
      onProgress: function (sent, total) {
        row.progress(sent, total);
      },
      onSuccess: function () {
        row.show(file.size, file.size);
        row.set("done");
        row.say("");
        refreshList();
        showPending();
      },
      onError: function (err) {
        row.say(serverMessage(err));
        if (needsLogin(err)) {
          row.set("paused");  // the fingerprint stays: resumable after logging in again
        } else if (isFinal(err)) {
          row.set("failed");
          forgetFile(upload).then(showPending);
        } else {
          row.set("paused");
        }
      }
    });
    row.pause.addEventListener("click", function () {
      row.pause.disabled = true;
      upload.abort().then(function () {
        row.pause.disabled = false;
        row.set("paused");
      });
    });
    row.resume.addEventListener("click", function () {
      row.say("");
      row.set("uploading");
      upload.start();
    });
    return upload.findPreviousUploads().then(function (previous) {
      var mine = previous.filter(function (p) {
        return p.metadata && p.metadata.case === caseId && p.uploadUrl &&
          p.uploadUrl.indexOf(endpoint) === 0;
      });
      if (mine.length) {
        upload.resumeFromPreviousUpload(mine[0]);
        row.say(T.resuming);
      }
      row.set("uploading");
      upload.start();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    hideError();
    var files = Array.prototype.slice.call(el.files.files || []);
    if (!files.length) {
      showError(T.choose);
      return;
    }
    var itemId;
    if (targetIsNew()) {
      if (!el.kind.value) {
        showError(T.kind);
        return;
      }
      itemId = files.length > 1
        ? createItem(el.kind.value, el.title.value.trim() || stem(files[0].name))
        : Promise.resolve(null);
    } else {
      if (!el.item.value) {
        showError(T.item);
        return;
      }
      itemId = Promise.resolve(el.item.value);
    }
    el.start.disabled = true;
    itemId.then(function (id) {
      return Promise.all(files.map(function (file) {
        return startUpload(file, id);
      }));
    }).then(function () {
      el.files.value = "";
      updateAv();
    }, function (err) {
      showError(err && err.message ? err.message : String(err));
    }).then(function () {
      el.start.disabled = false;
    });
  });

  // ---- unfinished uploads of this case on this computer -----------------------------------
  function showPending() {
    var storage = tus.defaultOptions.urlStorage;
    if (!storage || !storage.findAllUploads || !el.pending) {
      return;
    }
    storage.findAllUploads().then(function (all) {
      var running = {};
      Array.prototype.forEach.call(el.queue.querySelectorAll(".upload-row"), function (li) {
        if (li.dataset.state !== "done" && li.dataset.state !== "failed") {
          running[li.dataset.filename] = true;
        }
      });
      var mine = all.filter(function (u) {
        return u.metadata && u.metadata.case === caseId && u.uploadUrl &&
          u.uploadUrl.indexOf(endpoint) === 0 && !running[u.metadata.filename];
      });
      el.pending.innerHTML = "";
      el.pending.hidden = mine.length === 0;
      if (!mine.length) {
        return;
      }
      var intro = document.createElement("p");
      intro.textContent = T.pending;
      var list = document.createElement("ul");
      mine.forEach(function (u) {
        var li = document.createElement("li");
        li.className = "upload-pending-file";
        li.textContent = (u.metadata.filename || "?") + " (" + formatBytes(u.size || 0) + ") ";
        var forget = button("upload-forget", T.forget);
        forget.addEventListener("click", function () {
          forget.disabled = true;
          tus.Upload.terminate(u.uploadUrl, { onBeforeRequest: withCsrf, retryDelays: [] })
            .catch(function () {
              return null; // gone already (expired, finished): forget it here all the same
            })
            .then(function () {
              return storage.removeUpload(u.urlStorageKey);
            })
            .then(showPending);
        });
        li.appendChild(forget);
        list.appendChild(li);
      });
      el.pending.appendChild(intro);
      el.pending.appendChild(list);
    });
  }

  updateAv();
  showPending();
})();
