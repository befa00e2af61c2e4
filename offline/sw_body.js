// iHanoi service worker (served by offline/views.py, which puts PRECACHE, FORM_URL, STATIC_URL and VERSION above this).
// The report form and its scripts, styles and map images are cached at install; the form page is network-first
// with the cached copy as the fallback, its assets come from the cache and are refreshed in the background.
"use strict";
var CACHE = "ihanoi-form-" + VERSION;

// Every script and stylesheet the form page names (their hashed names in production).
function assetsOf(html) {
  var out = [], re = /<(?:script[^>]+src|link[^>]+href)="([^"]+)"/g, m;
  while ((m = re.exec(html))) {
    var u = new URL(m[1].replace(/&amp;/g, "&"), self.location.origin);
    if (u.origin === self.location.origin && /\.(js|css)$/.test(u.pathname)) out.push(u.pathname);
  }
  return out;
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return fetch(FORM_URL, { credentials: "same-origin" }).then(function (resp) {
      return resp.clone().text().then(function (html) {
        return cache.put(FORM_URL, resp).then(function () {
          var rest = PRECACHE.filter(function (u) { return u !== FORM_URL; }).concat(assetsOf(html));
          return cache.addAll(rest.filter(function (u, i) { return rest.indexOf(u) === i; }));
        });
      });
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("ihanoi-form-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && url.pathname === FORM_URL) {
    // network first; offline (or no answer): the cached form, whatever its query string was
    event.respondWith(fetch(req).then(function (resp) {
      if (resp.ok) {
        var copy = resp.clone();
        caches.open(CACHE).then(function (cache) { cache.put(FORM_URL, copy); });
      }
      return resp;
    }).catch(function () {
      return caches.match(FORM_URL, { ignoreSearch: true }).then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  // only the form's own files: every other request (pages, the API, uploads) goes to the network untouched
  if (url.pathname.indexOf(STATIC_URL) !== 0 && PRECACHE.indexOf(url.pathname) < 0) return;
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(req, { ignoreSearch: false }).then(function (hit) {
      if (!hit) return fetch(req);
      // stale-while-revalidate: the cached copy now, a fresh one for next time
      event.waitUntil(fetch(req).then(function (resp) {
        if (resp.ok) return cache.put(req, resp);
      }).catch(function () {}));
      return hit;
    });
  }));
});

// Background Sync (where the browser has it): ask an open form page to send the queued reports.
self.addEventListener("sync", function (event) {
  if (event.tag !== "ihanoi-send-reports") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (c) { c.postMessage({ type: "send-queued-reports" }); });
  }));
});
