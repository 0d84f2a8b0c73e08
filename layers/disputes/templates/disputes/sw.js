{% load static %}// The field page's service worker: the page and its assets come from the cache when there is
// no signal. API calls are never cached here; the page keeps its own copy of the data.
const CACHE = "gisgov-field-v1";
const ASSETS = [
  "{% url 'field' %}",
  "{% static 'vendor/ol/ol.js' %}",
  "{% static 'vendor/ol/ol.css' %}",
  "{% static 'field/field.js' %}",
  "{% static 'field/field.css' %}",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!ASSETS.includes(url.pathname)) return;
  // Network first, so a new version is picked up; the cached copy when there is no signal.
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        const copy = response.clone();
        if (response.ok) caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        return response;
      })
      .catch(() => caches.match(url.pathname)),
  );
});
