/* Report form: pin on the Leaflet map (click, keyboard, "use my location", photo GPS), live ward lookup,
   nearby open reports with "Me too", photo previews. The form works without this script (address text). */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var T = JSON.parse(document.getElementById("report-i18n").textContent || "{}");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var pinStatus = document.getElementById("pin-status");
  var topic = document.getElementById("id_topic");
  var map = null, marker = null;

  function fmt(x) { return Number(x).toFixed(6); }

  function setPin(la, lo, opts) {
    la = Number(la); lo = Number(lo);
    lat.value = fmt(la); lon.value = fmt(lo);
    if (map) {
      if (!marker) {
        marker = L.marker([la, lo], { draggable: true, keyboard: false }).addTo(map);
        marker.on("dragend", function () { var p = marker.getLatLng(); setPin(p.lat, p.lng); });
      } else {
        marker.setLatLng([la, lo]);
      }
      if (opts && opts.zoom) map.setView([la, lo], Math.max(map.getZoom(), 17), { animate: false });
    }
    pinStatus.textContent = T.pinned + " (" + la.toFixed(5) + ", " + lo.toFixed(5) + ")…";
    lookupWard(la, lo);
    lookupNearby();
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      return r.json();
    });
  }

  function lookupWard(la, lo) {
    getJSON(form.dataset.wardUrl + "?lat=" + fmt(la) + "&lon=" + fmt(lo)).then(function (d) {
      if (fmt(la) !== lat.value || fmt(lo) !== lon.value) return; // a newer pin won
      pinStatus.classList.toggle("outside", !d.code);
      pinStatus.textContent = d.full_name ? "✔ " + d.full_name : (d.message || d.error || T.outside);
      pinStatus.dataset.ward = d.code || "";
    }).catch(function () { pinStatus.textContent = T.pinned; });
  }

  // --- nearby open reports of the same topic -------------------------------------------------------------------
  var nearbyBox = document.getElementById("nearby");
  var nearbyList = document.getElementById("nearby-list");

  function lookupNearby() {
    if (!topic.value || !lat.value || !lon.value) { nearbyBox.hidden = true; return; }
    var url = form.dataset.nearbyUrl + "?topic=" + encodeURIComponent(topic.value) + "&lat=" + lat.value + "&lon=" + lon.value;
    getJSON(url).then(function (d) {
      nearbyList.textContent = "";
      (d.results || []).forEach(function (c) {
        var li = document.createElement("li");
        var head = document.createElement("p");
        var a = document.createElement("a");
        a.href = c.url; a.textContent = c.code; a.className = "code";
        head.appendChild(a);
        head.appendChild(document.createTextNode(" · " + c.status + " · " + c.distance_m + " " + T.away));
        var desc = document.createElement("p");
        desc.className = "desc"; desc.textContent = c.description;
        var actions = document.createElement("p");
        actions.className = "actions";
        var me = document.createElement("button");
        me.type = "button"; me.className = "secondary"; me.textContent = T.meToo + " — " + c.code;
        me.addEventListener("click", function () { meToo(c.support_url); });
        var follow = document.createElement("a");
        follow.href = c.url; follow.textContent = T.follow;
        actions.appendChild(me); actions.appendChild(follow);
        li.appendChild(head); li.appendChild(desc); li.appendChild(actions);
        nearbyList.appendChild(li);
      });
      nearbyBox.hidden = !(d.results && d.results.length);
    }).catch(function () { nearbyBox.hidden = true; });
  }

  function meToo(url) {
    var sf = document.getElementById("support-form");
    ["name", "phone", "email"].forEach(function (n) {
      sf.elements[n].value = form.elements[n] ? form.elements[n].value : "";
    });
    sf.action = url;
    sf.submit();
  }

  topic.addEventListener("change", lookupNearby);
  window.ihanoiReportPin = setPin; // offline-report.js puts a draft's pin back

  // --- "use my location" ---------------------------------------------------------------------------------------
  var geoBtn = document.getElementById("use-my-location");
  if (!("geolocation" in navigator)) geoBtn.hidden = true;
  geoBtn.addEventListener("click", function () {
    pinStatus.textContent = T.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      setPin(pos.coords.latitude, pos.coords.longitude, { zoom: true });
    }, function () {
      pinStatus.textContent = T.noGeo;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  // --- photo GPS offered by the server after a try without a location ----------------------------------------
  function bindOffer(btn) {
    btn.addEventListener("click", function () {
      setPin(btn.dataset.lat, btn.dataset.lon, { zoom: true });
      btn.parentNode.hidden = true;
    });
  }
  var offerBtn = document.getElementById("use-photo-gps");
  if (offerBtn) bindOffer(offerBtn);

  // --- photos: previews, early warnings, GPS read in the browser (JPEG EXIF) ----------------------------------
  var previews = document.getElementById("photo-previews");
  var photoWarnings = document.getElementById("photo-warnings");
  var inputs = [document.getElementById("id_photos"), document.getElementById("id_camera")];
  // the server's limits (feedback/photos.py), from the page: the same check, before the upload
  var MAX = T.photoMaxBytes || 10 * 1024 * 1024;
  var TYPES = T.photoTypes || ["image/jpeg", "image/png", "image/webp"];

  // The first bytes of the formats the server accepts: a file renamed to .jpg is caught here too.
  function looksLikePhoto(b) {
    function at(o, s) {
      for (var i = 0; i < s.length; i++) if (b[o + i] !== s.charCodeAt(i)) return false;
      return true;
    }
    return (b[0] === 0xFF && b[1] === 0xD8 && b[2] === 0xFF) || (b[0] === 0x89 && at(1, "PNG")) ||
      (at(0, "RIFF") && at(8, "WEBP")) || (TYPES.indexOf("image/heic") >= 0 && at(4, "ftyp"));
  }

  var checking = 0;  // a newer choice of files makes the older checks' answers stale

  function warnPhoto(li, f, text) {
    li.className = "warn";
    var img = li.querySelector("img");
    if (img) img.remove();
    var w = document.createElement("span");
    w.className = "error"; w.textContent = " " + text;
    li.appendChild(w);
    var item = document.createElement("li");
    item.textContent = f.name + " " + text;
    photoWarnings.appendChild(item);
    photoWarnings.hidden = false;
    photoWarnings.closest(".field-group").classList.add("has-error");
  }

  function exifGps(buf) {
    var v = new DataView(buf), off = 2;
    if (v.byteLength < 4 || v.getUint16(0) !== 0xFFD8) return null;
    while (off + 4 < v.byteLength) {
      var marker = v.getUint16(off), size = v.getUint16(off + 2);
      if (marker === 0xFFE1 && v.getUint32(off + 4) === 0x45786966) return tiffGps(v, off + 10);
      if ((marker & 0xFF00) !== 0xFF00) return null;
      off += 2 + size;
    }
    return null;
  }
  function tiffGps(v, t) {
    var le = v.getUint16(t) === 0x4949;
    function u16(o) { return v.getUint16(t + o, le); }
    function u32(o) { return v.getUint32(t + o, le); }
    function entries(ifd) {
      var n = u16(ifd), out = {};
      for (var i = 0; i < n; i++) { var e = ifd + 2 + i * 12; out[u16(e)] = e; }
      return out;
    }
    var ifd0 = entries(u32(4));
    if (!ifd0[0x8825]) return null;
    var gps = entries(u32(ifd0[0x8825] + 8));
    function deg(tag) {
      var p = u32(gps[tag] + 8), d = 0;
      for (var i = 0; i < 3; i++) d += (u32(p + i * 8) / (u32(p + i * 8 + 4) || 1)) / Math.pow(60, i);
      return d;
    }
    function ref(tag) { return gps[tag] ? String.fromCharCode(v.getUint8(t + gps[tag] + 8)) : ""; }
    if (!gps[2] || !gps[4]) return null;
    var la = deg(2) * (ref(1) === "S" ? -1 : 1), lo = deg(4) * (ref(3) === "W" ? -1 : 1);
    return (Math.abs(la) <= 90 && Math.abs(lo) <= 180 && (la || lo)) ? [la, lo] : null;
  }

  function offerPhotoGps(gps) {
    if (lat.value || document.getElementById("photo-gps-live")) return;
    var p = document.createElement("p");
    p.className = "offer"; p.id = "photo-gps-live";
    p.appendChild(document.createTextNode(T.photoGps + " "));
    var b = document.createElement("button");
    b.type = "button"; b.className = "secondary"; b.textContent = T.usePhotoGps;
    b.dataset.lat = gps[0]; b.dataset.lon = gps[1];
    p.appendChild(b);
    bindOffer(b);
    document.getElementById("map-hint").before(p);
  }

  function showPreviews() {
    var run = ++checking;
    previews.textContent = "";
    photoWarnings.textContent = "";
    photoWarnings.hidden = true;
    if (!document.getElementById("id_photos_error")) {  // keep the server's own error marking
      photoWarnings.closest(".field-group").classList.remove("has-error");
    }
    inputs.forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (f) {
        var li = document.createElement("li");
        // some systems give no type (e.g. for .heic): then the first bytes decide
        var ok = (f.type === "" || TYPES.indexOf(f.type) >= 0) && f.size <= MAX;
        if (ok && window.URL) {
          var img = document.createElement("img");
          img.alt = ""; img.src = URL.createObjectURL(f);
          li.appendChild(img);
        }
        var cap = document.createElement("span");
        cap.textContent = f.name;
        li.appendChild(cap);
        previews.appendChild(li);
        if (!ok) {
          warnPhoto(li, f, f.size > MAX ? T.tooBig : T.notImage);
        } else if (f.slice) {
          f.slice(0, 256 * 1024).arrayBuffer().then(function (buf) {
            if (run !== checking) return;
            if (!looksLikePhoto(new Uint8Array(buf, 0, Math.min(12, buf.byteLength)))) {
              warnPhoto(li, f, T.notImage);
              return;
            }
            var gps = null;
            try { gps = f.type === "image/jpeg" ? exifGps(buf) : null; } catch (e) { gps = null; }
            if (gps) offerPhotoGps(gps);
          });
        }
      });
    });
  }
  inputs.forEach(function (input) { if (input) input.addEventListener("change", showPreviews); });

  // --- what a typed address says: an old (pre-2025) ward is now part of which new ward(s) ----------------------
  var address = document.getElementById("id_address");
  var addressHint = document.getElementById("address-hint");
  var addressTimer = null;

  function lookupAddress() {
    var typed = address.value.trim();
    if (typed.length < 4) { addressHint.hidden = true; return; }
    getJSON(form.dataset.addressUrl + "?address=" + encodeURIComponent(typed)).then(function (d) {
      if (address.value.trim() !== typed) return; // the citizen typed on
      addressHint.textContent = d.message || "";
      addressHint.hidden = !d.message;
      addressHint.classList.toggle("needs-pin", !!d.needs_pin);
    }).catch(function () { addressHint.hidden = true; });
  }

  if (address && addressHint) {
    address.addEventListener("input", function () {
      clearTimeout(addressTimer);
      addressTimer = setTimeout(lookupAddress, 350);
    });
  }

  // --- the map (django-leaflet calls this with the map) ---------------------------------------------------------
  window.ihanoiReportMap = function (m) {
    map = m;
    (window.ihanoiMaps = window.ihanoiMaps || {}).reportmap = m; // for tests and other scripts
    m.on("click", function (e) { setPin(e.latlng.lat, e.latlng.lng); });
    m.getContainer().addEventListener("keydown", function (e) {
      if ((e.key === "Enter" || e.key === " ") && e.target === m.getContainer()) {
        var c = m.getCenter();
        setPin(c.lat, c.lng);
        e.preventDefault();
      }
    });
    if (lat.value && lon.value) setPin(lat.value, lon.value, { zoom: true });
  };

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
