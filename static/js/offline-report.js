/* Offline-safe report form (issue 18): registers the service worker (offline/sw_body.js), keeps the draft (text,
   topic, pin, address, contact, photos as Blobs) in IndexedDB while the citizen types, and a report sent without
   a connection waits in an IndexedDB outbox until the connection returns; then it goes to /api/v1/reports/ with
   its idempotency key (made when the draft started), so a second send gives the same case, never a new one.
   Words and URLs come from the page (json_script "offline-i18n"); no inline script (CSP). */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var dataEl = document.getElementById("offline-i18n");
  if (!form || !dataEl) return;
  var T = JSON.parse(dataEl.textContent || "{}");
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(T.swUrl, { scope: "/" }).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.type === "send-queued-reports") flush();
    });
  }
  if (!window.indexedDB || !window.Promise) return;

  var FIELDS = ["topic", "description", "latitude", "longitude", "address", "name", "phone", "email"];
  var photoInputs = [document.getElementById("id_photos"), document.getElementById("id_camera")].filter(Boolean);

  // --- what the citizen sees -----------------------------------------------------------------------------------
  var box = document.createElement("ul");
  box.className = "messages"; box.id = "offline-status"; box.setAttribute("role", "status"); box.hidden = true;
  form.parentNode.insertBefore(box, form);

  function show(text, link) {
    box.textContent = "";
    var li = document.createElement("li");
    li.textContent = text;
    if (link) {
      li.appendChild(document.createTextNode(" "));
      var a = document.createElement("a");
      a.href = link.url; a.textContent = link.code; a.className = "code"; a.id = "offline-tracking-code";
      li.appendChild(a);
    }
    box.appendChild(li);
    box.hidden = false;
  }

  // --- IndexedDB: "drafts" (one, under "report") and "outbox" (queued reports by key) ---------------------------
  var dbPromise = null;
  function db() {
    if (!dbPromise) dbPromise = new Promise(function (resolve, reject) {
      var req = indexedDB.open("ihanoi-offline", 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore("drafts");
        req.result.createObjectStore("outbox", { keyPath: "key" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
    return dbPromise;
  }
  function run(store, mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(store, mode), req = work(t.objectStore(store));
        t.oncomplete = function () { resolve(req ? req.result : undefined); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) h.push((b[i] + 256).toString(16).slice(1));
    h = h.join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- the draft ------------------------------------------------------------------------------------------------
  var keyInput = document.createElement("input");
  keyInput.type = "hidden"; keyInput.name = "idempotency_key";
  form.appendChild(keyInput);
  var draft = null, lastSaved = "";

  function fields() {
    var out = {};
    FIELDS.forEach(function (n) { if (form.elements[n]) out[n] = form.elements[n].value; });
    return out;
  }
  function photos() {
    var out = [];
    photoInputs.forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (f) { out.push({ name: f.name, type: f.type, blob: f }); });
    });
    return out;
  }
  function startDraft() {
    draft = { key: newKey(), fields: fields(), photos: photos() };
    keyInput.value = draft.key;
  }
  function saveDraft() {
    if (!draft) return Promise.resolve();
    draft.fields = fields();
    lastSaved = JSON.stringify(draft.fields);
    return run("drafts", "readwrite", function (s) { return s.put(draft, "report"); }).catch(function () {});
  }
  var timer = null;
  function saveSoon() { clearTimeout(timer); timer = setTimeout(saveDraft, 250); }
  function clearDraft() {
    return run("drafts", "readwrite", function (s) { return s.delete("report"); }).catch(function () {});
  }

  function restore(d) {
    draft = d; keyInput.value = d.key;
    var f = d.fields || {};
    FIELDS.forEach(function (n) {
      var el = form.elements[n];
      if (el && f[n] && !el.value) el.value = f[n];
    });
    if (f.latitude && f.longitude) {
      var map = window.ihanoiMaps && window.ihanoiMaps.reportmap;
      if (map && window.ihanoiReportPin) window.ihanoiReportPin(f.latitude, f.longitude, { zoom: true });
      // else report.js's map set-up puts the pin from these values
    }
    var kept = d.photos || [];
    if (kept.length && photoInputs.length && !photos().length && window.DataTransfer) {
      try {
        var dt = new DataTransfer();
        kept.forEach(function (p) { dt.items.add(new File([p.blob], p.name, { type: p.type })); });
        photoInputs[0].files = dt.files;
        photoInputs[0].dispatchEvent(new Event("change", { bubbles: true }));
      } catch (e) { /* this browser cannot put files back in an input: the photos stay in the draft */ }
    }
    lastSaved = JSON.stringify(fields());
    if (f.description) show(T.draftRestored);
  }

  function wasSent(d) {  // a draft sent by the ordinary form just before the page went away
    if (!d.submittedAt || !navigator.onLine) return Promise.resolve(null);
    return fetch(T.sentUrl.replace("00000000-0000-0000-0000-000000000000", d.key), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; }, function () { return null; });
  }

  run("drafts", "readonly", function (s) { return s.get("report"); }).then(function (d) {
    if (!d) { startDraft(); return; }
    return wasSent(d).then(function (sent) {
      if (sent) { clearDraft(); startDraft(); return; }
      delete d.submittedAt;
      if (document.getElementById("error-summary") || document.getElementById("kept-photos")) {
        // the server sent the form back with its errors: what it shows wins (its kept photos, not the draft's)
        draft = d; keyInput.value = d.key; d.photos = photos();
        return saveDraft();
      }
      restore(d);
    });
  }).catch(function () { startDraft(); }).then(function () {
    form.addEventListener("input", saveSoon);
    form.addEventListener("change", function (e) {
      if (photoInputs.indexOf(e.target) >= 0) draft.photos = photos();
      saveSoon();
    });
    // the pin is set by script (no input event): look for a change now and then
    setInterval(function () { if (JSON.stringify(fields()) !== lastSaved) saveDraft(); }, 1000);
    window.addEventListener("pagehide", saveDraft);
    form.dataset.draft = "ready";  // restored (or started): for tests and other scripts
    flush();
  });

  // --- sending: the ordinary form when online, the outbox when not -----------------------------------------------
  form.addEventListener("submit", function (e) {
    if (!draft) return;
    keyInput.value = draft.key;
    if (navigator.onLine) {  // the form posts as always, with the key: a double send gives the same case
      draft.submittedAt = Date.now();
      saveDraft();
      return;
    }
    e.preventDefault();
    draft.fields = fields();
    var entry = { key: draft.key, fields: draft.fields, photos: photos().length ? photos() : (draft.photos || []),
                  queuedAt: Date.now() };
    var f = entry.fields, problems = [];  // the form's own checks now, not hours later when it is sent
    if (!f.topic) problems.push(T.needTopic);
    if ((f.description || "").trim().length < 10) problems.push(T.needDescription);
    if (!entry.photos.length) problems.push(T.needPhoto);
    if (!(f.latitude && f.longitude) && !(f.address || "").trim()) problems.push(T.needLocation);
    if (problems.length) { show(T.check + ": " + problems.join(" ")); return; }
    saveDraft().then(function () {
      return run("outbox", "readwrite", function (s) { return s.put(entry); });
    }).then(function () {
      show(T.saved);
      if (navigator.serviceWorker) {
        navigator.serviceWorker.ready.then(function (reg) {
          if (reg.sync) return reg.sync.register("ihanoi-send-reports");
        }).catch(function () {});
      }
    });
  });

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);  // the cookie lives on after hours offline
    if (m) return decodeURIComponent(m[1]);
    return form.elements.csrfmiddlewaretoken ? form.elements.csrfmiddlewaretoken.value : "";
  }

  function errorsOf(body) {
    var out = [];
    (function walk(v) {
      if (typeof v === "string") out.push(v);
      else if (v && typeof v === "object") Object.keys(v).forEach(function (k) { walk(v[k]); });
    })(body);
    return out.join(" ");
  }

  function sent(entry, receipt) {
    return run("outbox", "readwrite", function (s) { return s.delete(entry.key); }).then(function () {
      if (draft && draft.key === entry.key) {
        form.reset();
        var previews = document.getElementById("photo-previews");
        if (previews) previews.textContent = "";
        return clearDraft().then(startDraft).then(saveDraft);
      }
    }).then(function () {
      show(T.sent, { code: receipt.tracking_code, url: receipt.tracking_url });
    });
  }

  function send(entry) {
    var f = entry.fields || {}, body = new FormData();
    body.append("topic", T.topics[f.topic] || f.topic || "");
    ["description", "address", "name", "phone", "email"].forEach(function (n) { body.append(n, f[n] || ""); });
    if (f.latitude && f.longitude) { body.append("latitude", f.latitude); body.append("longitude", f.longitude); }
    (entry.photos || []).forEach(function (p) { body.append("photos", p.blob, p.name); });
    body.append("idempotency_key", entry.key);
    show(T.sending);
    return fetch(T.apiUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Idempotency-Key": entry.key, "X-CSRFToken": csrfToken(), Accept: "application/json" },
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (answer) {
        if (r.ok) return sent(entry, answer);
        if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
          // refused (e.g. a missing location): out of the outbox, the draft stays in the form to be corrected
          return run("outbox", "readwrite", function (s) { return s.delete(entry.key); }).then(function () {
            show(T.refused + " " + errorsOf(answer));
          });
        }
        show(T.saved);  // the server is busy: try again on the next occasion
      });
    }, function () { show(T.saved); });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return;
    flushing = true;
    run("outbox", "readonly", function (s) { return s.getAll(); }).then(function (entries) {
      return (entries || []).reduce(function (p, entry) { return p.then(function () { return send(entry); }); },
                                    Promise.resolve());
    }).catch(function () {}).then(function () { flushing = false; });
  }
  window.addEventListener("online", flush);
})();
