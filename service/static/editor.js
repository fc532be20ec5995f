// The Chorus editor: each segment saves on its own through /api/v1, without a page reload.
//
// The page is rendered whole by the server; this module only adds behaviour:
// - saving (PUT with the version the text started from; a 409 shows theirs beside yours
//   with "Keep mine" and "Take theirs"), approval, history with revert;
// - drafts in localStorage from the first keystroke until the server has the text, so
//   nothing typed is lost to a conflict, a lost connection or an expired session; drafts
//   found on load are put back and, when signed in, saved;
// - keys: Ctrl+Enter saves and moves to the next open segment, Alt+Down / Alt+Up move,
//   Ctrl+Shift+C copies the source; placeholder buttons (or Alt+Shift+1...9, the source's
//   first to ninth token) insert {1} or [1];
// - filters and search; the progress bar and the language's state after every save;
// - suggestions (memory, then machine) shown when a segment gets the focus, taken with
//   "Use" or Ctrl+Shift+Down (the next one each press), never saved without the person;
// - comments per segment; presence: the segment with the focus is announced every 5 s
//   (a lease the server forgets after 20 s), and others' marks are shown.
// Text from the server or the user is only ever set with textContent or value, never as HTML.
// Every message comes translated from the page (data-messages, see service/web/i18n.py);
// numbers and dates are written for the interface language (<html lang>).

const root = document.getElementById("editor");
const api = root.dataset.api; // .../segments
const slug = root.dataset.slug;
const lang = root.dataset.lang;
const dir = root.dataset.dir;
const signedIn = root.dataset.signedIn === "yes";
const csrf = root.dataset.csrf;
const articleApi = api.replace(/\/[^/]+\/segments$/, "");
const segments = Array.from(document.querySelectorAll(".segment"));
const OPEN = new Set(["empty", "outdated"]);

// -- messages in the interface language -----------------------------------------------

const ui = document.documentElement.lang || "en";
const t = JSON.parse(root.dataset.messages);
const plurals = new Intl.PluralRules(ui);
const numbers = new Intl.NumberFormat(ui, { numberingSystem: "latn" });
const percents = new Intl.NumberFormat(ui, {
  style: "percent",
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
  numberingSystem: "latn",
});
const wholePercents = new Intl.NumberFormat(ui, { style: "percent", numberingSystem: "latn" });
const when = (at) => new Date(at).toLocaleString(ui, { numberingSystem: "latn" });

// The message's pieces: text, with each {name} replaced by values[name] (a number is
// written for the interface language; a node is kept as it is). A plural message (one
// string per CLDR category) takes the form for values.num.
function pieces(key, values = {}) {
  let text = t[key];
  if (typeof text === "object") text = text[plurals.select(values.num)] ?? text.other;
  return text.split(/(\{\w+\})/).map((part) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined || !(name in values)) return part;
    const value = values[name];
    return typeof value === "number" ? numbers.format(value) : value;
  });
}

// The message as one string.
const msg = (key, values = {}) => pieces(key, values).join("");
const word = (table, value) => t[table][value] ?? value;

const draftKey = (id) => `chorus:draft:${slug}:${lang}:${id}`;

function readDraft(id) {
  try {
    return JSON.parse(localStorage.getItem(draftKey(id)) || "null");
  } catch {
    return null;
  }
}

function writeDraft(seg) {
  const box = textarea(seg);
  localStorage.setItem(
    draftKey(seg.dataset.id),
    JSON.stringify({ text: box.value, version: Number(seg.dataset.version), at: Date.now() }),
  );
}

const dropDraft = (seg) => localStorage.removeItem(draftKey(seg.dataset.id));
const textarea = (seg) => seg.querySelector("textarea");
const sourceOf = (seg) => seg.querySelector(".source-text").textContent;

function say(seg, text, kind = "info") {
  const message = seg.querySelector(".message");
  message.textContent = text;
  message.className = `message ${kind === "error" ? "error" : ""}`;
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

async function call(method, url, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrf;
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = { message: msg("server_answered", { status: String(response.status) }) };
  }
  return { status: response.status, data };
}

function expired(status, data) {
  return status === 401 || (status === 400 && /csrf/i.test(data.message || ""));
}

function signInAgain(seg) {
  const message = seg.querySelector(".message");
  message.className = "message error";
  const link = element("a", { href: root.dataset.signin }, msg("sign_in_again"));
  message.replaceChildren(...pieces("session_ended", { link }));
}

function showChecks(seg, checks) {
  const list = seg.querySelector(".checks");
  list.replaceChildren(
    ...checks.map((check) =>
      element(
        "li",
        { class: `check ${check.severity}` },
        msg("label_value", { label: check.name, value: check.message }),
      ),
    ),
  );
  seg.dataset.critical = checks.some((check) => check.severity === "critical") ? "yes" : "no";
  seg.dataset.failing = checks.length ? "yes" : "no";
}

function showState(seg, state, author) {
  seg.dataset.state = state;
  seg.querySelector(".state").textContent = word("segment_states", state);
  let who = seg.querySelector(".author");
  if (author) {
    if (!who) {
      who = element("span", { class: "author" });
      seg.querySelector(".state").after(" · ", who);
    }
    who.textContent = author;
  }
}

let polling = null;

function showStatus(status, queued) {
  const bar = document.getElementById("progress");
  bar.max = status.segments || 1;
  bar.value = status.done;
  document.getElementById("progress-text").textContent = msg("progress", {
    done: status.done,
    num: status.segments,
    percent: percents.format(status.percent / 100),
  });
  const line = document.getElementById("language-state");
  line.dataset.state = status.state;
  if (status.state === "published") {
    line.textContent = msg("published");
  } else if (queued || status.queued) {
    line.textContent = msg("publishing");
    if (!polling) polling = setInterval(poll, 2000);
  } else if (status.critical) {
    line.textContent = msg("critical", { num: status.critical });
  } else {
    line.textContent = msg("state", { state: word("language_states", status.state) });
  }
}

async function poll() {
  const { status, data } = await call("GET", articleApi);
  if (status !== 200) return;
  const mine = data.languages.find((item) => item.language === lang);
  if (!mine) return;
  showStatus(mine, false);
  if (mine.state === "published" || (!mine.queued && mine.state !== "finished")) {
    clearInterval(polling);
    polling = null;
  }
}

function applied(seg, data) {
  seg.dataset.version = data.version;
  textarea(seg).value = data.translation;
  textarea(seg).defaultValue = data.translation;
  dropDraft(seg);
  seg.querySelector(".conflict").hidden = true;
  showState(seg, data.state, data.author);
  showChecks(seg, data.checks);
  showStatus(data.status, data.publication_queued);
}

function conflict(seg, data, mine) {
  seg.dataset.version = data.version;
  const box = seg.querySelector(".conflict");
  const theirs = element("div", { class: "theirs", lang, dir }, data.translation || msg("empty_text"));
  const yours = element("div", { class: "yours", lang, dir }, mine);
  const keep = element("button", { type: "button", class: "keep-mine" }, msg("keep_mine"));
  const take = element("button", { type: "button", class: "take-theirs" }, msg("take_theirs"));
  keep.addEventListener("click", () => {
    textarea(seg).value = mine;
    save(seg);
  });
  take.addEventListener("click", () => {
    textarea(seg).value = data.translation;
    textarea(seg).defaultValue = data.translation;
    dropDraft(seg);
    box.hidden = true;
    showState(seg, data.state, data.author);
    say(seg, msg("took_theirs"));
    textarea(seg).focus();
  });
  box.replaceChildren(
    element(
      "p",
      {},
      data.author
        ? msg("saved_meanwhile", { author: data.author })
        : msg("someone_saved_meanwhile"),
    ),
    element("strong", {}, msg("theirs")),
    theirs,
    element("strong", {}, msg("yours")),
    yours,
    keep,
    " ",
    take,
  );
  box.hidden = false;
  say(seg, msg("not_saved_conflict"), "error");
  keep.focus();
}

async function save(seg) {
  if (!signedIn) {
    signInAgain(seg);
    return false;
  }
  const text = textarea(seg).value;
  writeDraft(seg);
  say(seg, msg("saving"));
  let answer;
  try {
    answer = await call("PUT", `${api}/${seg.dataset.id}`, {
      translation: text,
      version: Number(seg.dataset.version),
    });
  } catch {
    say(seg, msg("unreachable"), "error");
    return false;
  }
  const { status, data } = answer;
  if (status === 200) {
    applied(seg, data);
    say(seg, data.changed ? msg("saved", { version: String(data.version) }) : msg("unchanged"));
    return true;
  }
  if (status === 409) {
    conflict(seg, data, text);
    return false;
  }
  if (expired(status, data)) {
    signInAgain(seg);
    return false;
  }
  say(seg, msg("not_saved", { reason: data.message || String(status) }), "error");
  return false;
}

async function approve(seg) {
  const { status, data } = await call("POST", `${api}/${seg.dataset.id}/approve`, {
    version: Number(seg.dataset.version),
  });
  if (status === 200) {
    applied(seg, data);
    say(seg, msg("approved"));
  } else if (status === 409) {
    conflict(seg, data, textarea(seg).value);
  } else if (expired(status, data)) {
    signInAgain(seg);
  } else {
    say(seg, msg("not_approved", { reason: data.message || String(status) }), "error");
  }
}

async function showHistory(seg, button) {
  const box = seg.querySelector(".history");
  if (!box.hidden) {
    box.hidden = true;
    button.setAttribute("aria-expanded", "false");
    return;
  }
  const { status, data } = await call("GET", `${api}/${seg.dataset.id}/history`);
  if (status !== 200) {
    say(seg, msg("no_history", { reason: data.message || String(status) }), "error");
    return;
  }
  const table = element("table");
  const head = element("tr");
  for (const name of [msg("when"), msg("who"), msg("how"), msg("text"), ""]) {
    head.append(element("th", {}, name));
  }
  table.append(head);
  for (const change of data.changes) {
    const row = element("tr");
    row.append(
      element("td", {}, when(change.at)),
      element("td", {}, change.author || "—"),
      element("td", {}, word("ways", change.how)),
      element("td", { lang, dir }, change.new || msg("empty_text")),
    );
    const cell = element("td");
    if (signedIn && change.new !== textarea(seg).value) {
      const revert = element(
        "button",
        {
          type: "button",
          class: "revert",
          "aria-label": msg("revert_to_version", { version: String(change.version) }),
        },
        msg("revert"),
      );
      revert.addEventListener("click", () => doRevert(seg, change.id, button));
      cell.append(revert);
    }
    row.append(cell);
    table.append(row);
  }
  box.replaceChildren(data.changes.length ? table : element("p", {}, msg("no_change")));
  box.hidden = false;
  button.setAttribute("aria-expanded", "true");
}

async function doRevert(seg, change, button) {
  const { status, data } = await call("POST", `${api}/${seg.dataset.id}/revert`, { change });
  if (status === 200) {
    applied(seg, data);
    say(seg, msg("reverted", { version: String(data.version) }));
    seg.querySelector(".history").hidden = true;
    button.setAttribute("aria-expanded", "false");
  } else if (expired(status, data)) {
    signInAgain(seg);
  } else {
    say(seg, msg("not_reverted", { reason: data.message || String(status) }), "error");
  }
}

function insert(box, token) {
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? start;
  box.value = box.value.slice(0, start) + token + box.value.slice(end);
  box.selectionStart = box.selectionEnd = start + token.length;
  box.dispatchEvent(new Event("input"));
  box.focus();
}

const visible = () => segments.filter((seg) => !seg.hidden);

function move(seg, step, openOnly = false) {
  const list = visible();
  let index = list.indexOf(seg);
  while (index + step >= 0 && index + step < list.length) {
    index += step;
    if (!openOnly || OPEN.has(list[index].dataset.state) || list[index].dataset.critical === "yes") {
      focus(list[index]);
      return true;
    }
  }
  return false;
}

function focus(seg) {
  for (const other of segments) other.classList.remove("current");
  seg.classList.add("current");
  textarea(seg).focus();
  seg.scrollIntoView({ block: "nearest" });
}

function filter() {
  const show = document.querySelector('input[name="show"]:checked').value;
  const words = document.getElementById("search").value.trim().toLowerCase();
  const review = root.dataset.review === "on";
  let shown = 0;
  for (const seg of segments) {
    const state = seg.dataset.state;
    const wanted = {
      all: true,
      untranslated: state === "empty",
      outdated: state === "outdated",
      failing: seg.querySelectorAll(".check").length > 0,
      review: review && state === "translated",
      questions: Number(seg.querySelector(".comments-toggle").dataset.open) > 0,
    }[show];
    const text = `${sourceOf(seg)}\n${textarea(seg).value}`.toLowerCase();
    seg.hidden = !(wanted && (!words || text.includes(words)));
    if (!seg.hidden) shown += 1;
  }
  document.getElementById("shown").textContent = msg("shown", { shown, num: segments.length });
  showContext(show !== "all" || words !== "");
}

// When a filter hides segments, each one shown says what comes before and after it.
function showContext(filtered) {
  const clip = (text) => (text.length > 140 ? `${text.slice(0, 140)}…` : text);
  segments.forEach((seg, index) => {
    const box = seg.querySelector(".context");
    if (!filtered || seg.hidden) {
      box.hidden = true;
      return;
    }
    const lines = [];
    if (index > 0) lines.push(["before", segments[index - 1]]);
    if (index < segments.length - 1) lines.push(["after", segments[index + 1]]);
    box.replaceChildren(
      ...lines.map(([key, other]) => {
        const source = element("span", { lang: "en", dir: "ltr" }, clip(sourceOf(other)));
        const line = element("p");
        line.append(...pieces(key, { source }));
        return line;
      }),
    );
    box.hidden = false;
  });
}

// -- suggestions: translation memory and machine translation -------------------------

const aids = new Map(); // segment id -> list of {label, text}, once fetched

async function loadAids(seg) {
  if (aids.has(seg.dataset.id)) return aids.get(seg.dataset.id);
  aids.set(seg.dataset.id, []);
  let found;
  try {
    const { status, data } = await call("GET", `${api}/${seg.dataset.id}/suggestions`);
    if (status !== 200) return [];
    found = data;
  } catch {
    return [];
  }
  const list = found.memory.map((match) => {
    const score = wholePercents.format(match.score / 100);
    return {
      label: `${match.exact ? msg("exact_match", { score }) : score} · ${match.origin}`,
      text: match.translation,
      kind: match.exact ? "exact" : "memory",
    };
  });
  if (found.machine) {
    list.push({
      label: msg("machine", { engine: found.machine.engine }),
      text: found.machine.translation,
      kind: "machine",
    });
  }
  aids.set(seg.dataset.id, list);
  showAids(seg, list);
  return list;
}

function take(seg, text) {
  const box = textarea(seg);
  box.value = text;
  box.dispatchEvent(new Event("input"));
  box.focus();
  say(seg, msg("taken"));
}

function showAids(seg, list) {
  const panel = seg.querySelector(".aids");
  if (!list.length) {
    panel.hidden = true;
    return;
  }
  const items = list.map((aid, index) => {
    const row = element("div", { class: `aid ${aid.kind}` });
    row.append(
      ...pieces("label_value", {
        label: element("span", { class: "muted" }, aid.label),
        value: element("span", { lang, dir }, aid.text),
      }),
    );
    if (signedIn) {
      const use = element(
        "button",
        { type: "button", class: "use-aid", "aria-label": msg("use_suggestion", { number: index + 1 }) },
        msg("use"),
      );
      use.addEventListener("click", () => take(seg, aid.text));
      row.append(" ", use);
    }
    return row;
  });
  panel.replaceChildren(element("strong", {}, msg("suggestions")), ...items);
  panel.hidden = false;
}

async function nextAid(seg) {
  const list = await loadAids(seg);
  if (!list.length) {
    say(seg, msg("no_suggestion"));
    return;
  }
  const at = (Number(seg.dataset.aid ?? -1) + 1) % list.length;
  seg.dataset.aid = at;
  take(seg, list[at].text);
}

// -- comments ------------------------------------------------------------------------

function countOpen(seg, comments) {
  const open = comments.filter((comment) => !comment.resolved).length;
  const toggle = seg.querySelector(".comments-toggle");
  toggle.dataset.open = open;
  toggle.textContent = open ? msg("open_comments", { num: open }) : msg("comments");
}

function renderThread(seg, comments) {
  const box = seg.querySelector(".comments");
  const list = element("ul", { class: "thread" });
  for (const comment of comments) {
    const classes = [comment.resolved ? "resolved" : "", comment.from_reader ? "from-reader" : ""];
    const item = element("li", { class: classes.join(" ").trim() });
    const author = comment.author || (comment.from_reader ? msg("reader") : "—");
    const by = msg("comment_by", { author, when: when(comment.created_at) });
    item.append(element("span", { class: "muted" }, `${by} `));
    item.append(element("span", {}, comment.text));
    if (comment.resolved) {
      item.append(" ", element("span", { class: "muted" }, msg("resolved")));
    } else if (signedIn) {
      const done = element("button", { type: "button", class: "resolve" }, msg("resolve"));
      done.addEventListener("click", async () => {
        const { status, data } = await call(
          "POST",
          `${api}/${seg.dataset.id}/comments/${comment.id}/resolve`,
        );
        if (status === 200) loadThread(seg);
        else say(seg, msg("not_resolved", { reason: data.message || String(status) }), "error");
      });
      item.append(" ", done);
    }
    list.append(item);
  }
  const parts = [comments.length ? list : element("p", { class: "muted" }, msg("no_comment"))];
  if (signedIn) {
    const id = `ask${seg.dataset.id}`;
    const label = element("label", { for: id }, msg("ask"));
    const text = element("textarea", { id, rows: "2", maxlength: "2000" });
    const post = element("button", { type: "button", class: "post" }, msg("post"));
    post.addEventListener("click", async () => {
      if (!text.value.trim()) return;
      const { status, data } = await call("POST", `${api}/${seg.dataset.id}/comments`, {
        text: text.value,
      });
      if (status === 201) {
        await loadThread(seg);
        seg.querySelector(`#ask${seg.dataset.id}`).focus();
      } else if (expired(status, data)) signInAgain(seg);
      else say(seg, msg("not_posted", { reason: data.message || String(status) }), "error");
    });
    parts.push(label, text, post);
  }
  box.replaceChildren(...parts);
}

async function loadThread(seg) {
  const { status, data } = await call("GET", `${api}/${seg.dataset.id}/comments`);
  if (status !== 200) {
    say(seg, msg("no_comments", { reason: data.message || String(status) }), "error");
    return;
  }
  renderThread(seg, data.comments);
  countOpen(seg, data.comments);
}

async function toggleComments(seg, button) {
  const box = seg.querySelector(".comments");
  if (!box.hidden) {
    box.hidden = true;
    button.setAttribute("aria-expanded", "false");
    return;
  }
  await loadThread(seg);
  box.hidden = false;
  button.setAttribute("aria-expanded", "true");
}

// -- presence: who else is in which segment (leases in the database) ----------------

const presenceApi = api.replace(/\/segments$/, "/presence");
const people = new Intl.ListFormat(ui, { type: "conjunction" });
let where = null; // the segment this volunteer is in

function showPresence(others) {
  for (const seg of segments) {
    const names = others[seg.dataset.id] || [];
    const line = seg.querySelector(".presence");
    if (!names.length) {
      line.hidden = true;
      line.textContent = "";
      continue;
    }
    line.textContent = msg("editing", { names: people.format(names), num: names.length });
    line.hidden = false;
  }
}

async function heartbeat() {
  try {
    const answer =
      signedIn && where !== null
        ? await call("PUT", presenceApi, { segment: Number(where) })
        : await call("GET", presenceApi);
    if (answer.status === 200) showPresence(answer.data.others);
  } catch {
    // offline: presence is a courtesy, the editor keeps working
  }
}

function arrive(seg) {
  if (where === seg.dataset.id) return;
  where = seg.dataset.id;
  heartbeat();
}

for (const seg of segments) {
  const box = textarea(seg);
  box.addEventListener("input", () => writeDraft(seg));
  box.addEventListener("focus", () => {
    for (const other of segments) other.classList.remove("current");
    seg.classList.add("current");
    if (signedIn) arrive(seg);
    loadAids(seg);
  });
  box.addEventListener("keydown", async (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      if (await save(seg)) move(seg, 1, true);
    } else if ((event.ctrlKey || event.metaKey) && event.shiftKey && event.key === "ArrowDown") {
      event.preventDefault();
      nextAid(seg);
    } else if (event.altKey && event.shiftKey && /^Digit[1-9]$/.test(event.code)) {
      const token = seg.querySelectorAll(".token")[Number(event.code.slice(5)) - 1];
      if (token) {
        event.preventDefault();
        insert(box, token.dataset.token);
      }
    } else if (event.altKey && event.key === "ArrowDown") {
      event.preventDefault();
      move(seg, 1);
    } else if (event.altKey && event.key === "ArrowUp") {
      event.preventDefault();
      move(seg, -1);
    } else if ((event.ctrlKey || event.metaKey) && event.shiftKey && event.key.toLowerCase() === "c") {
      event.preventDefault();
      box.value = sourceOf(seg);
      box.dispatchEvent(new Event("input"));
    }
  });
  seg.querySelector(".save")?.addEventListener("click", () => save(seg));
  seg.querySelector(".approve")?.addEventListener("click", () => approve(seg));
  seg.querySelector(".copy")?.addEventListener("click", () => {
    box.value = sourceOf(seg);
    box.dispatchEvent(new Event("input"));
    box.focus();
  });
  seg.querySelector(".history-toggle").addEventListener("click", (event) =>
    showHistory(seg, event.currentTarget),
  );
  seg.querySelector(".comments-toggle").addEventListener("click", (event) =>
    toggleComments(seg, event.currentTarget),
  );
  for (const token of seg.querySelectorAll(".token")) {
    token.addEventListener("click", () => insert(box, token.dataset.token));
  }
  for (const use of seg.querySelectorAll(".suggestion .use")) {
    use.addEventListener("click", () => {
      box.value = use.dataset.text;
      box.dispatchEvent(new Event("input"));
      box.focus();
    });
  }
}

for (const control of document.querySelectorAll('#filters input[name="show"]')) {
  control.addEventListener("change", filter);
}
document.getElementById("search").addEventListener("input", filter);
document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());

setInterval(heartbeat, 5000);
heartbeat();
window.addEventListener("pagehide", () => {
  if (!signedIn || where === null) return;
  fetch(presenceApi, {
    method: "PUT",
    keepalive: true,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify({ segment: null }),
  });
});
if (location.hash === "#questions") {
  document.querySelector('#filters input[value="questions"]').checked = true;
}

// The glossary (reviewers and up): add or remove a term, then show the page again so
// every segment highlights it.
const addTerm = document.getElementById("add-term");
addTerm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const fields = new FormData(addTerm);
  const { status, data } = await call("POST", addTerm.dataset.api, {
    term: fields.get("term"),
    translation: fields.get("translation"),
    note: fields.get("note") || "",
  });
  if (status === 201) {
    location.hash = "glossary";
    location.reload();
  } else {
    addTerm.querySelector(".message").textContent = msg("not_added", {
      reason: data.message || String(status),
    });
  }
});
for (const remove of document.querySelectorAll(".remove-term")) {
  remove.addEventListener("click", async () => {
    const { status, data } = await call("DELETE", `${addTerm.dataset.api}/${remove.dataset.term}`);
    if (status === 204 || status === 200) location.reload();
    else {
      addTerm.querySelector(".message").textContent = msg("not_removed", {
        reason: data.message || String(status),
      });
    }
  });
}
if (location.hash === "#glossary") document.getElementById("glossary").open = true;

// Drafts left by an earlier visit (a conflict, a lost connection, an expired session).
const restored = [];
for (const seg of segments) {
  const draft = readDraft(seg.dataset.id);
  if (!draft) continue;
  if (draft.text === textarea(seg).value) {
    dropDraft(seg);
    continue;
  }
  textarea(seg).value = draft.text;
  seg.dataset.version = draft.version;
  say(seg, msg("restored"));
  restored.push(seg);
}
filter();
if (signedIn) {
  for (const seg of restored) await save(seg);
  const first = segments.find((seg) => OPEN.has(seg.dataset.state)) || segments[0];
  if (first && !restored.length) focus(first);
}
