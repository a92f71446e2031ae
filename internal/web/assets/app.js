// The operator calendar. It reads a day from /calendar/day and changes
// appointments through the public API (/api/v1) with the session cookie and
// the page's CSRF token, so the server applies the same booking rules as to
// any integration. Times are minutes since the location's midnight: the
// browser's own time zone plays no part.
"use strict";

const PPM = 1.2; // pixels per minute; app.css --ppm
const SNAP = 15; // minutes a click in a free slot rounds down to
const DRAG_SNAP = 5; // minutes a dragged appointment snaps to
const ATTENDANCE = { "0": "Waiting", "2": "Confirmed", "1": "Arrived", "-1": "No-show" };

const $ = (id) => document.getElementById(id);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const csrfHeader = document.querySelector('meta[name="csrf-header"]').content;

let view = { location: "", date: "", week: 0 }; // week: the team member of the week view, 0 = day view
let day = null; // the /calendar/day answer for view.date (locations, rights, members, today)
let columns = []; // what is drawn: {member, date, head, sub, work, records}
let frame = { from: 0, to: 0 }; // minutes drawn
let current = null; // the appointment open in the details dialog, with its column
let slot = null; // the free slot the create dialog books: {member, date, minute}
let chosenClient = null;
let dragEndedAt = 0; // a drag ends with a click on whatever is under it: ignore that click

// ---- helpers ----

function clock(min) {
  const h = Math.floor(min / 60), m = min % 60;
  return String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0");
}

function parseClock(s) {
  const [h, m] = s.split(":").map(Number);
  return h * 60 + m;
}

// shiftDate moves a YYYY-MM-DD date by n days, in UTC so that no zone bends it.
function shiftDate(date, n) {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

function longDate(date) {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(undefined,
    { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

function money(v) {
  return Number(v).toLocaleString(undefined, { maximumFractionDigits: 2 });
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "style") e.style.cssText = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

class APIError extends Error {}

// api calls the public API as the signed-in user.
async function api(method, path, body) {
  const opt = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  opt.headers[csrfHeader] = csrf;
  if (body !== undefined) {
    opt.headers["Content-Type"] = "application/json";
    opt.body = JSON.stringify(body);
  }
  const r = await fetch(path, opt);
  if (r.status === 401) {
    location.href = "/";
    throw new APIError("Your session has ended. Please sign in again.");
  }
  if (r.status === 204) return null;
  let j = null;
  try { j = await r.json(); } catch (e) { /* not JSON */ }
  if (!r.ok || (j && j.success === false)) {
    const msg = j && ((j.meta && j.meta.message) || j.message);
    throw new APIError(msg || "The server answered " + r.status + ".");
  }
  return j;
}

let messageTimer = 0;
function say(text, bad) {
  const m = $("message");
  m.textContent = text;
  m.className = "message" + (bad ? " bad" : "");
  m.hidden = false;
  clearTimeout(messageTimer);
  messageTimer = setTimeout(() => { m.hidden = true; }, bad ? 10000 : 4000);
}

function params() {
  const q = new URLSearchParams(location.search);
  return { location: q.get("location_id") || "", date: q.get("date") || "", week: Number(q.get("staff_id")) || 0 };
}

function weekday(date) {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
}

// ---- loading and drawing ----

function dayURL(locationId, date) {
  const q = new URLSearchParams();
  if (locationId) q.set("location_id", locationId);
  if (date) q.set("date", date);
  return "/calendar/day?" + q;
}

// load shows a day of the location, or with week set the seven days from
// date of that team member.
async function load(v) {
  const next = Object.assign({}, view, v);
  let days;
  try {
    const first = await api("GET", dayURL(next.location, next.date));
    days = [first];
    if (next.week && first.members.some((m) => m.id === next.week)) {
      const rest = [1, 2, 3, 4, 5, 6].map((i) => api("GET", dayURL(first.location.id, shiftDate(first.date, i))));
      days = days.concat(await Promise.all(rest));
    } else {
      next.week = 0;
    }
  } catch (e) {
    say(e.message, true);
    return;
  }
  day = days[0];
  view = { location: day.location.id, date: day.date, week: next.week };
  const of = (d, m) => ({ member: m, date: d.date, work: m.work, records: d.records.filter((r) => r.staff_id === m.id) });
  if (view.week) {
    columns = days.map((d) => {
      const c = of(d, d.members.find((m) => m.id === view.week));
      return Object.assign(c, { head: weekday(d.date), sub: c.work.length ? "" : "day off", today: d.date === d.today });
    });
  } else {
    columns = day.members.map((m) => Object.assign(of(day, m), { head: m.name, sub: m.work.length ? m.specialization : "day off" }));
  }
  frame = frameOf(columns);
  const url = new URL(location.href);
  url.searchParams.set("location_id", view.location);
  url.searchParams.set("date", view.date);
  if (view.week) url.searchParams.set("staff_id", view.week);
  else url.searchParams.delete("staff_id");
  history.replaceState(null, "", url);
  draw();
}

function reload() { return load({}); }

// frameOf is the hours to draw: from the earliest start to the latest end
// of work or appointments in the columns (whole hours), else 9:00–21:00.
function frameOf(cols) {
  let lo = Infinity, hi = -Infinity;
  for (const c of cols) {
    for (const [a, b] of c.work) { lo = Math.min(lo, a); hi = Math.max(hi, b); }
    for (const r of c.records) { lo = Math.min(lo, r.start); hi = Math.max(hi, r.start + r.length); }
  }
  if (lo === Infinity) return { from: 9 * 60, to: 21 * 60 };
  return { from: Math.floor(lo / 60) * 60, to: Math.min(Math.ceil(hi / 60) * 60, 24 * 60) };
}

function draw() {
  const sel = $("location");
  sel.replaceChildren(...day.locations.map((l) => el("option", { value: l.id, selected: l.id === day.location.id }, l.title)));
  sel.hidden = day.locations.length < 2;
  $("date").value = day.date;
  $("dayview").hidden = !view.week;
  if (view.week) {
    const m = columns[0].member;
    $("title").textContent = m.name + " · week from " + longDate(day.date);
  } else {
    $("title").textContent = day.location.title + " · " + longDate(day.date) + (day.date === day.today ? " (today)" : "");
  }
  document.title = day.location.title + " · " + day.date + " · appointd";

  const grid = $("grid");
  if (columns.length === 0) {
    grid.replaceChildren(el("p", { class: "empty" }, "No team members to show."));
    return;
  }
  const height = (frame.to - frame.from) * PPM;
  const g = el("div", { class: "days-grid" + (view.week ? " week" : ""), style: "--cols:" + columns.length });
  g.append(el("div", { class: "corner" }));
  for (const c of columns) {
    const name = view.week ? el("span", { class: "name" }, c.head)
      : el("button", { type: "button", class: "name link", title: "This team member's week", onclick: () => load({ week: c.member.id }) }, c.head);
    g.append(el("div", { class: "head" + (c.today ? " today" : ""), "data-staff-id": c.member.id, "data-date": c.date }, name, el("small", {}, c.sub)));
  }
  const axis = el("div", { class: "axis", style: "height:" + height + "px" });
  for (let t = frame.from; t < frame.to; t += 60) {
    axis.append(el("span", { style: "top:" + (t - frame.from) * PPM + "px" }, clock(t)));
  }
  g.append(axis);
  for (const c of columns) {
    const col = el("div", { class: "col", "data-staff-id": c.member.id, "data-date": c.date, style: "height:" + height + "px" });
    for (const [a, b] of c.work) {
      col.append(el("div", { class: "work", "data-from": a, "data-to": b,
        style: "top:" + (a - frame.from) * PPM + "px;height:" + (b - a) * PPM + "px" }));
    }
    for (const r of c.records) col.append(block(r, c));
    col.addEventListener("click", (ev) => clickColumn(ev, c));
    if (c.date === day.today) drawNow(col);
    g.append(col);
  }
  grid.replaceChildren(g);
}

// drawNow marks the current time (in the location's zone) on today's column.
function drawNow(col) {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: day.location.timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .formatToParts(new Date());
  const min = Number(parts.find((p) => p.type === "hour").value) * 60 + Number(parts.find((p) => p.type === "minute").value);
  if (min < frame.from || min > frame.to) return;
  col.append(el("div", { class: "now", style: "top:" + (min - frame.from) * PPM + "px" }));
}

function colorOf(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  return m ? "#" + m[1] : "";
}

// ink picks black or white text for a fill colour.
function ink(hex) {
  const n = parseInt(hex.slice(1), 16);
  const l = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return l > 150 ? "#1d2330" : "#fff";
}

function block(r, c) {
  const top = (r.start - frame.from) * PPM;
  const h = Math.max(r.length * PPM, 18);
  const b = el("div", { class: "rec att-" + r.attendance + (r.paid_full ? " paid" : "") + (r.length < 40 ? " short" : ""), "data-record-id": r.id,
    "data-staff-id": r.staff_id, "data-start": r.start, "data-length": r.length,
    style: "top:" + top + "px;height:" + h + "px", tabIndex: 0, role: "button" });
  const fill = colorOf(r.custom_color);
  if (fill) {
    b.style.setProperty("--fill", fill);
    b.style.setProperty("--ink", ink(fill));
  }
  const who = r.client ? r.client.name : "No client";
  const what = r.services.map((s) => s.title).join(", ");
  b.title = clock(r.start) + "–" + clock(r.start + r.length) + " " + who + (what ? " · " + what : "");
  b.append(el("span", { class: "who" }, el("span", { class: "time" }, clock(r.start) + " "), who),
    el("span", { class: "what" }, what));
  if (r.technical_break > 0) {
    b.append(el("div", { class: "brk", title: "Technical break " + r.technical_break + " min",
      style: "height:" + r.technical_break * PPM + "px" }));
  }
  b.addEventListener("click", (ev) => { ev.stopPropagation(); if (!justDragged()) openDetails(r, c); });
  b.addEventListener("keydown", (ev) => { if (ev.key === "Enter") openDetails(r, c); });
  if (day.can.edit) draggable(b, r, c);
  return b;
}

// ---- moving by dragging (mouse and pen; on touch screens use the form) ----

function justDragged() { return Date.now() - dragEndedAt < 100; }

function draggable(b, r, c) {
  b.addEventListener("pointerdown", (ev) => {
    if (ev.pointerType === "touch" || ev.button !== 0) return;
    const x0 = ev.clientX, y0 = ev.clientY;
    let moving = false, target = null, minute = r.start;
    const move = (e) => {
      const dx = e.clientX - x0, dy = e.clientY - y0;
      if (!moving && Math.hypot(dx, dy) < 6) return;
      moving = true;
      b.classList.add("dragging");
      b.style.pointerEvents = "none";
      b.style.transform = "translate(" + dx + "px," + dy + "px)";
      const under = document.elementFromPoint(e.clientX, e.clientY);
      const col = under && under.closest(".col");
      if (target && target !== col) target.classList.remove("drop-target");
      target = col;
      if (col) col.classList.add("drop-target");
      minute = Math.round((r.start + dy / PPM) / DRAG_SNAP) * DRAG_SNAP;
    };
    const up = async () => {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", up);
      if (!moving) return;
      dragEndedAt = Date.now();
      b.classList.remove("dragging");
      b.style.pointerEvents = "";
      b.style.transform = "";
      if (target) target.classList.remove("drop-target");
      if (!target) return;
      const staff = Number(target.dataset.staffId), date = target.dataset.date;
      if (staff === r.staff_id && date === c.date && minute === r.start) return;
      await moveRecord(r, staff, date, minute);
    };
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
  });
}

// moveBody is the edit that puts r at minute of date with staff.
function moveBody(r, staff, date, minute) {
  const body = { datetime: date + "T" + clock(minute) + ":00" };
  if (staff !== r.staff_id) body.staff_id = staff;
  return body;
}

async function moveRecord(r, staff, date, minute) {
  try {
    await api("PUT", "/api/v1/record/" + day.location.id + "/" + r.id, moveBody(r, staff, date, minute));
    say("Moved to " + clock(minute) + " on " + longDate(date) + ".");
  } catch (e) {
    say(e.message, true);
  }
  await reload();
}

// ---- details of an appointment ----

function openDetails(r, c) {
  current = r;
  const who = r.client ? r.client.name : "No client";
  $("d-title").textContent = who;
  $("d-client").textContent = who;
  $("d-phone").textContent = (r.client && r.client.phone) || "—";
  $("d-time").textContent = c.date + " " + clock(r.start) + "–" + clock(r.start + r.length) +
    (r.technical_break ? " (incl. " + r.technical_break + " min break)" : "");
  $("d-services").replaceChildren(...r.services.map((s) =>
    el("div", {}, s.title + (s.amount > 1 ? " × " + s.amount : "") + " — " + money(s.cost))));
  $("d-price").textContent = money(r.cost);
  $("d-paid").textContent = r.paid_full ? "Paid" : (r.cost > 0 ? "Not paid" : "Nothing to pay");
  $("d-status").textContent = ATTENDANCE[String(r.attendance)] || String(r.attendance);
  $("d-comment").textContent = r.comment || "—";
  $("d-error").textContent = "";
  for (const btn of $("d-attendance").querySelectorAll("button")) {
    btn.setAttribute("aria-pressed", String(btn.dataset.attendance === String(r.attendance)));
    btn.className = "att-" + btn.dataset.attendance;
  }
  $("d-attendance").hidden = !day.can.attendance;
  $("d-move").hidden = !day.can.edit;
  $("d-cancel").hidden = !day.can.delete;
  $("m-staff").replaceChildren(...day.members.map((m) => el("option", { value: m.id, selected: m.id === r.staff_id }, m.name)));
  $("m-date").value = c.date;
  $("m-time").value = clock(r.start);
  $("details").showModal();
}

// fromDetails changes the appointment open in the details dialog: on
// success the dialog closes and the day is read again; a refusal shows in
// the dialog.
async function fromDetails(method, body, done) {
  try {
    await api(method, "/api/v1/record/" + day.location.id + "/" + current.id, body);
    $("details").close();
    say(done);
    await reload();
  } catch (e) {
    $("d-error").textContent = e.message;
  }
}

function setAttendance(value) {
  return fromDetails("PUT", { attendance: Number(value) }, "Marked " + ATTENDANCE[value].toLowerCase() + ".");
}

function moveFromForm() {
  const staff = Number($("m-staff").value), date = $("m-date").value, time = $("m-time").value;
  if (!date || !time) {
    $("d-error").textContent = "Choose a date and a time.";
    return;
  }
  return fromDetails("PUT", moveBody(current, staff, date, parseClock(time)), "Moved to " + time + " on " + longDate(date) + ".");
}

function cancelRecord() {
  if (!confirm("Cancel this appointment?")) return;
  return fromDetails("DELETE", undefined, "Appointment cancelled.");
}

// ---- creating in a free slot ----

function clickColumn(ev, c) {
  if (!day.can.create || ev.target.closest(".rec") || justDragged()) return;
  const col = ev.currentTarget;
  const y = ev.clientY - col.getBoundingClientRect().top;
  const minute = Math.floor((frame.from + y / PPM) / SNAP) * SNAP;
  openCreate(c.member, c.date, minute);
}

async function openCreate(m, date, minute) {
  slot = { staff: m, date, minute };
  chosenClient = null;
  $("c-form").reset();
  $("c-when").textContent = m.name + " · " + longDate(date);
  $("c-time").value = clock(minute);
  $("c-results").replaceChildren();
  $("c-chosen").hidden = true;
  $("c-new").hidden = false;
  $("c-error").textContent = "";
  $("c-services").replaceChildren(el("p", { class: "muted" }, "Loading services…"));
  $("create").showModal();
  try {
    const j = await api("GET", "/api/v1/services/" + day.location.id + "?staff_id=" + m.id);
    const list = j.data.filter((s) => s.active !== 0);
    $("c-services").replaceChildren(...(list.length ? list.map((s) => {
      const link = (s.staff || []).find((x) => x.id === m.id);
      const mins = link ? Math.round(link.seance_length / 60) : 0;
      const price = s.price_min === s.price_max ? money(s.price_min) : money(s.price_min) + "–" + money(s.price_max);
      return el("label", {}, el("input", { type: "checkbox", value: s.id, name: "service" }),
        el("span", {}, s.title), el("span", { class: "price" }, price + (mins ? " · " + mins + " min" : "")));
    }) : [el("p", { class: "muted" }, m.name + " offers no services.")]));
  } catch (e) {
    $("c-services").replaceChildren();
    $("c-error").textContent = e.message;
  }
}

let searchTimer = 0;
function searchClients() {
  clearTimeout(searchTimer);
  const q = $("c-search").value.trim();
  if (q.length < 2) {
    $("c-results").replaceChildren();
    return;
  }
  searchTimer = setTimeout(async () => {
    try {
      const j = await api("POST", "/api/v1/company/" + day.location.id + "/clients/search", {
        page_size: 8, fields: ["id", "name", "phone"],
        filters: [{ type: "quick_search", state: { value: q } }],
      });
      if ($("c-search").value.trim() !== q) return;
      $("c-results").replaceChildren(...(j.data.length ? j.data.map((c) => el("li", {},
        el("button", { type: "button", onclick: () => chooseClient(c) }, c.name + (c.phone ? " · " + c.phone : ""))))
        : [el("li", { class: "muted" }, "No client found; enter a new one below.")]));
    } catch (e) {
      $("c-error").textContent = e.message;
    }
  }, 250);
}

function chooseClient(c) {
  chosenClient = c;
  $("c-chosen").textContent = c.name + (c.phone ? " · " + c.phone : "");
  $("c-chosen").hidden = false;
  $("c-new").hidden = true;
  $("c-results").replaceChildren();
  $("c-search").value = "";
}

async function submitCreate(ev) {
  ev.preventDefault();
  const services = [...$("c-services").querySelectorAll("input:checked")].map((i) => ({ id: Number(i.value) }));
  const body = { staff_id: slot.staff.id, services, datetime: slot.date + "T" + $("c-time").value + ":00" };
  if (chosenClient) body.client = { id: chosenClient.id };
  else if ($("c-name").value.trim() || $("c-phone").value.trim()) {
    body.client = { name: $("c-name").value.trim(), phone: $("c-phone").value.trim() };
  }
  const comment = $("c-comment").value.trim();
  if (comment) body.comment = comment;
  $("c-save").disabled = true;
  try {
    await api("POST", "/api/v1/records/" + day.location.id, body);
    $("create").close();
    say("Booked " + slot.staff.name + " at " + $("c-time").value + ".");
    await reload();
  } catch (e) {
    $("c-error").textContent = e.message;
  } finally {
    $("c-save").disabled = false;
  }
}

// ---- wiring ----

document.addEventListener("DOMContentLoaded", () => {
  const step = () => (view.week ? 7 : 1);
  $("prev").onclick = () => load({ date: shiftDate(day.date, -step()) });
  $("next").onclick = () => load({ date: shiftDate(day.date, step()) });
  $("today").onclick = () => load({ date: day.today });
  $("date").onchange = (e) => { if (e.target.value) load({ date: e.target.value }); };
  $("location").onchange = (e) => load({ location: e.target.value, week: 0 });
  $("dayview").onclick = () => load({ week: 0 });
  for (const btn of $("d-attendance").querySelectorAll("button")) {
    btn.onclick = () => setAttendance(btn.dataset.attendance);
  }
  $("m-save").onclick = moveFromForm;
  $("d-cancel").onclick = cancelRecord;
  $("c-search").oninput = searchClients;
  $("c-form").onsubmit = submitCreate;
  $("c-close").onclick = () => $("create").close();
  load(params());
});
