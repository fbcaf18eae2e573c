// The door's service worker: the scanner page and its files come from the network when it is
// there (and are kept), from the kept copy when it is not. The API is never cached.
const CACHE = "door-v1";
const FILES = [{% for url in files %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

function isDoor(url) {
  return url.origin === self.location.origin && (FILES.includes(url.pathname) || /^\/(events\/[^/]+\/scan|scan\/[^/]+)\/$/.test(url.pathname));
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || !isDoor(url)) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        }
        return response;
      })
      .catch(() => caches.match(event.request).then((kept) => kept || Response.error()))
  );
});
