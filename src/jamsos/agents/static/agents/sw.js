/* The agent app's service worker (served by jamsos.agents.views.service_worker, which puts
   CACHE, ASSETS and SHELL above this line). The app shell is network-first (fresh when
   online, the cached copy when not); static assets are cache-first under a versioned
   cache name; an old version's cache is dropped on activation. The shell is dropped as
   soon as the network answers it with the log-in page (logged out, session over), and
   logging out clears the site's caches and storage (Clear-Site-Data, web.views). Nothing else is touched:
   API calls and other pages go to the network as usual. */
/* global CACHE, ASSETS, SHELL */
self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS).then(function () {
        return fetch(SHELL, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) { return cache.put(SHELL, response); }
          return null;
        });
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname === SHELL) {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(SHELL, copy); });
        } else if (response.redirected || response.status === 403 || response.status === 404) {
          // Logged out (sent to the log-in page) or no longer an agent: the cached shell
          // is the last agent's page; never serve it to whoever uses the phone next.
          caches.open(CACHE).then(function (cache) { cache.delete(SHELL); });
        }
        return response;
      }).catch(function () {
        return caches.match(SHELL).then(function (hit) { return hit || Response.error(); });
      })
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  }
});
