/* The agent's phone app: a queue in IndexedDB and a sender (STYLE.md 43).

   A proposal is stored on the phone first, under a UUID made here, then sent to the API
   when the network is there. The server keeps the UUID as an idempotency key, so sending
   the same proposal again (the answer was lost, the page was reloaded mid-send) never
   proposes the person twice. The page always shows what is waiting, what was sent, and
   the fate of the agent's proposals (fetched from the server, kept for offline use). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("phone-config").textContent);
  var DB_NAME = "jamsos-agent-" + config.user, DB_VERSION = 1;
  var FIELDS = ["nik", "full_name", "birth_place", "birth_date", "sex", "mother_name",
    "address", "village", "occupation", "phone", "family_card_number"];
  var REQUIRED = ["nik", "full_name", "birth_date", "sex", "village", "occupation"];
  var text = {};
  Array.prototype.forEach.call(
    document.getElementById("text").content.querySelectorAll("[data-key]"),
    function (el) { text[el.getAttribute("data-key")] = el.textContent; }
  );
  var sending = false;

  // --- IndexedDB ---------------------------------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains("queue")) { db.createObjectStore("queue", { keyPath: "id" }); }
        if (!db.objectStoreNames.contains("meta")) { db.createObjectStore("meta"); }
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(store, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode), result;
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
        result = work(t.objectStore(store));
      });
    });
  }
  function all(store) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var req = db.transaction(store).objectStore(store).getAll();
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    });
  }
  function getMeta(key) {
    return openDb().then(function (db) {
      return new Promise(function (resolve) {
        var req = db.transaction("meta").objectStore("meta").get(key);
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { resolve(undefined); };
      });
    });
  }
  function put(item) { return tx("queue", "readwrite", function (s) { s.put(item); }); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- Rendering -----------------------------------------------------------------------
  function li(main, detail, testid, badge) {
    var el = document.createElement("li");
    el.className = "list-group-item py-1";
    el.setAttribute("data-testid", testid);
    var strong = document.createElement("div");
    strong.textContent = main;
    if (badge) {
      var b = document.createElement("span");
      b.className = "badge ms-1 " + badge[1];
      b.textContent = badge[0];
      strong.appendChild(b);
    }
    el.appendChild(strong);
    if (detail) {
      var small = document.createElement("div");
      small.className = "text-muted";
      small.textContent = detail;
      el.appendChild(small);
    }
    return el;
  }

  function maskNik(nik) { return nik.length === 16 ? nik.slice(0, 6) + "********" + nik.slice(14) : nik; }

  function render() {
    return Promise.all([all("queue"), getMeta("proposals")]).then(function (r) {
      var queue = r[0].sort(function (a, b) { return a.queued_at < b.queued_at ? -1 : 1; });
      var server = (r[1] && r[1].items) || [];
      var fates = {};
      server.forEach(function (p) { if (p.client_id) { fates[p.client_id] = p; } });
      var waiting = queue.filter(function (i) { return i.state !== "sent"; });
      document.getElementById("queue-count").textContent = String(waiting.length);
      var list = document.getElementById("queue");
      list.replaceChildren();
      waiting.forEach(function (i) {
        list.appendChild(li(i.name + " · " + maskNik(i.nik), i.error || "", "queued-item",
          [text[i.state === "sending" ? "sending" : "waiting"], "text-bg-warning"]));
      });
      var sent = document.getElementById("sent");
      sent.replaceChildren();
      var shown = {};
      queue.filter(function (i) { return i.state === "sent"; }).reverse().forEach(function (i) {
        var fate = fates[i.id];
        shown[i.id] = true;
        var badge = fate ? [fate.fate, "text-bg-secondary"] :
          [i.outcome === "invalid" ? text.invalid : text.sent, i.outcome === "invalid" ? "text-bg-danger" : "text-bg-success"];
        sent.appendChild(li(i.name + " · " + maskNik(i.nik), (fate && fate.note) || i.message || "", "sent-item", badge));
      });
      server.forEach(function (p) {
        if (p.client_id && shown[p.client_id]) { return; }
        if (!p.name) { return; }
        sent.appendChild(li(p.name + " · " + p.nik, p.note || p.proposed_on, "server-item", [p.fate, "text-bg-secondary"]));
      });
      if (r[1] && r[1].at) {
        document.getElementById("sent-as-of").textContent = text.as_of + ": " + new Date(r[1].at).toLocaleString("id-ID");
      }
    });
  }

  function setNet() {
    var el = document.getElementById("net-status");
    el.textContent = navigator.onLine ? text.online : text.offline;
    el.className = "badge " + (navigator.onLine ? "text-bg-light" : "text-bg-dark");
  }

  function say(message) { document.getElementById("sync-message").textContent = message || ""; }

  // --- Checks on the phone -----------------------------------------------------------
  function values(form) {
    var out = {};
    FIELDS.forEach(function (name) {
      var el = form.elements[name];
      if (el && el.value.trim()) { out[name] = el.value.trim(); }
    });
    return out;
  }

  function showChecks(form) {
    var v = values(form), ok = true;
    document.querySelectorAll(".field-check").forEach(function (el) { el.replaceChildren(); });
    function add(name, message, cls) {
      var box = document.getElementById("check-" + name);
      if (!box) { return; }
      var d = document.createElement("div");
      d.className = cls;
      d.textContent = message;
      box.appendChild(d);
    }
    REQUIRED.forEach(function (name) {
      if (!v[name]) { add(name, text.required, "text-danger"); ok = false; }
    });
    if (v.nik) {
      var r = window.JamsosNik.check(v.nik, v.birth_date, v.sex, config);
      r.errors.forEach(function (m) { add("nik", m, "text-danger"); ok = false; });
      r.warnings.forEach(function (m) { add("nik", m, "text-warning-emphasis"); });
    }
    return ok;
  }

  function onSubmit(event) {
    event.preventDefault();
    var form = event.target;
    if (!showChecks(form)) { say(text.fix); return; }
    var v = values(form);
    v.nik = window.JamsosNik.clean(v.nik);
    var item = {
      id: uuid(), values: v, name: v.full_name, nik: v.nik, state: "waiting",
      queued_at: new Date().toISOString(),
      ktp: form.elements.ktp_photo.files[0] || null,
      kk: form.elements.kk_photo.files[0] || null
    };
    // Clear the form now, not after the queue write: a quick agent typing the next person
    // meanwhile must not have it wiped. The values live on in ``item``.
    var village = form.elements.village.value;
    form.reset();
    form.elements.village.value = village;
    put(item).then(function () {
      say(text.queued);
      return render();
    }).then(send);
  }

  // --- Sending -----------------------------------------------------------------------
  function token() {
    return fetch(config.tokenUrl, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok || r.redirected) { throw new Error("login"); }
      return r.json();
    }).then(function (data) {
      if (data.user !== config.user) { throw new Error("login"); }
      return data.csrf;
    });
  }

  function sendOne(item, csrf) {
    var body = new FormData();
    body.append("client_id", item.id);
    body.append("values", JSON.stringify(item.values));
    body.append("queued_at", item.queued_at);
    if (item.ktp) { body.append("ktp_photo", item.ktp, "ktp.jpg"); }
    if (item.kk) { body.append("kk_photo", item.kk, "kk.jpg"); }
    item.state = "sending";
    return put(item).then(render).then(function () {
      return fetch(config.submitUrl, {
        method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf }
      });
    }).then(function (r) {
      if (r.status === 401) { throw new Error("login"); }
      return r.json().then(function (data) { return [r.status, data]; }, function () {
        return [r.status, {}];
      });
    }).then(function (res) {
      // A 403 without a programme reason is a lost session or CSRF token: log in again.
      if (res[0] === 403 && res[1].code !== "agent_not_active") { throw new Error("login"); }
      if (res[0] === 200 || res[0] === 201) {
        item.state = "sent";
        item.outcome = res[1].outcome;
        item.message = res[1].message || "";
        item.ktp = null; item.kk = null; // the photos are on the server now
        item.error = "";
      } else {
        item.state = "waiting";
        item.error = (res[1] && res[1].message) || text.retry;
      }
      return put(item);
    }, function (err) {
      item.state = "waiting";
      item.error = text.retry;
      return put(item).then(function () { throw err; });
    });
  }

  function refreshList() {
    return fetch(config.listUrl, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) { return null; }
      return r.json().then(function (items) {
        return tx("meta", "readwrite", function (s) { s.put({ items: items, at: Date.now() }, "proposals"); });
      });
    }).catch(function () { return null; });
  }

  function send() {
    setNet();
    if (sending || !navigator.onLine) { return Promise.resolve(); }
    sending = true;
    return all("queue").then(function (items) {
      var todo = items.filter(function (i) { return i.state !== "sent"; });
      if (!todo.length) { return null; }
      return token().then(function (csrf) {
        return todo.reduce(function (p, item) {
          return p.then(function () { return sendOne(item, csrf); });
        }, Promise.resolve());
      });
    }).then(function () {
      say("");
      return refreshList();
    }).catch(function (err) {
      say(err && err.message === "login" ? text.login : text.retry);
    }).then(function () {
      sending = false;
      return render();
    });
  }

  // --- Start ---------------------------------------------------------------------------
  document.getElementById("phone-form").addEventListener("submit", onSubmit);
  document.getElementById("phone-form").addEventListener("change", function (e) {
    if (["nik", "birth_date", "sex"].indexOf(e.target.name) >= 0) { showChecks(e.currentTarget); }
  });
  // Logging out clears this phone's storage (a shared phone), queue included: ask first.
  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var waiting = Number(document.getElementById("queue-count").textContent || "0");
      if (waiting > 0 && !window.confirm(text.logout_queued.replace("%s", String(waiting)))) {
        event.preventDefault();
      }
    });
  });
  window.addEventListener("online", send);
  window.addEventListener("offline", setNet);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.swUrl, { scope: config.swScope }).catch(function () { return null; });
  }
  setNet();
  render().then(send);
  window.setInterval(send, 30000);
  document.documentElement.setAttribute("data-phone-ready", "1");
})();
