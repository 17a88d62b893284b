// Listening panel view (anywidget ES module, no build step).
// Python (Listening) decides where to play and decodes the sound one window at a time; this file
// plays each window (a WAV sent as a binary buffer) from a Blob URL in one of two <audio>
// elements, asks for the next window as soon as one starts, so the next is ready before this
// one ends, and reports the time heard every 250 ms. At most two windows are held at once.

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const clock = (ms) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(r)}` : `${two(m)}:${two(r)}`;
};

function render({ model, el: host }) {
  const root = el("div", { class: "miam-lp" });
  host.append(root);
  const players = [el("audio", { preload: "auto", class: "miam-lp-audio" }), el("audio", { preload: "auto", class: "miam-lp-audio" })];
  const title = el("div", { class: "miam-lp-title" });
  const time = el("span", { class: "miam-lp-clock" }, "00:00");
  const pauseButton = el("button", { class: "miam-lp-btn", disabled: true, onclick: () => togglePause() }, "Pause");
  const stopButton = el("button", { class: "miam-lp-btn", disabled: true, onclick: () => stop("arrêt") }, "■ Arrêter");
  const cueList = el("div", { class: "miam-lp-cues", role: "list", "aria-label": "Minutages du document" });
  const statusLine = el("div", { class: "miam-lp-status", role: "status", "aria-live": "polite" });
  root.append(
    el("div", { class: "miam-lp-top" },
      title,
      el("button", { class: "miam-lp-btn miam-lp-selection", title: "Écouter le passage sélectionné dans le panneau de codage", onclick: () => model.send({ action: "selection" }) }, "▶ Écouter la sélection"),
      el("button", { class: "miam-lp-btn miam-lp-here", title: "Écouter à partir de l'endroit cliqué dans le texte", onclick: () => model.send({ action: "here" }) }, "▶ Écouter à partir d'ici"),
      pauseButton, stopButton, time, ...players),
    cueList, statusLine);

  // One play at a time: `play` is the number Python gave it; `active` is the window being heard,
  // `next` the one loaded behind it in the other <audio>.
  const state = { play: 0, active: null, next: null, ended: false, stopMs: null, timer: 0, lastSent: 0 };

  function release(win) { if (win) { win.player.pause(); win.player.removeAttribute("src"); URL.revokeObjectURL(win.url); } }
  function load(msg, buffer) {
    const player = state.active && state.active.player === players[0] ? players[1] : players[0];
    const url = URL.createObjectURL(new Blob([buffer], { type: "audio/wav" }));
    player.src = url;
    player.load();
    return { player, url, begin: msg.begin_ms, end: msg.end_ms, last: msg.last };
  }
  function begin(win) {
    state.active = win;
    state.next = null;
    win.player.currentTime = 0;
    win.player.play().catch((err) => say(`Lecture refusée par le navigateur : ${err.message}`, true));
    if (!win.last) model.send({ action: "window", play: state.play, begin_ms: win.end });
  }
  function stop(reason) {
    const wasPlaying = state.active !== null;
    release(state.active); release(state.next);
    state.active = state.next = null;
    clearInterval(state.timer); state.timer = 0;
    pauseButton.disabled = stopButton.disabled = true;
    pauseButton.textContent = "Pause";
    if (wasPlaying && reason !== "nouvelle") model.send({ action: "stopped", reason });  // a new play keeps the recording open
  }
  function togglePause() {
    const player = state.active && state.active.player;
    if (!player) return;
    if (player.paused) { player.play(); pauseButton.textContent = "Pause"; } else { player.pause(); pauseButton.textContent = "Reprendre"; }
  }
  function now() { return state.active ? state.active.begin + state.active.player.currentTime * 1000 : null; }
  function tick() {
    const at = now();
    if (at === null) return;
    time.textContent = clock(at);
    if (state.stopMs !== null && at >= state.stopMs) { stop("fin"); return; }
    if (!state.active.player.paused) model.send({ action: "time", play: state.play, ms: Math.round(at) });
  }
  for (const player of players) {
    player.addEventListener("ended", () => {
      if (!state.active || state.active.player !== player) return;
      const done = state.active;
      if (state.next) { const win = state.next; state.active = null; release(done); begin(win); }
      else if (done.last || state.ended) stop("fin");
      // else: the next window is on its way; it starts as soon as it arrives
    });
  }

  model.on("msg:custom", (msg, buffers) => {
    if (msg.kind === "stop") { stop("arrêt"); return; }
    if (msg.start) { stop("nouvelle"); state.play = msg.play; state.ended = false; state.stopMs = msg.stop_ms ?? null; }
    if (msg.play !== state.play) return;  // a window of an earlier play
    if (msg.kind === "end") {
      state.ended = true;
      if (state.active && state.active.player.ended) stop("fin");
      return;
    }
    const win = load(msg, buffers[0]);
    if (!state.active || state.active.player.ended) {
      if (state.active) { const old = state.active; state.active = null; release(old); }
      begin(win);
      pauseButton.disabled = stopButton.disabled = false;
      if (!state.timer) state.timer = setInterval(tick, 250);
    } else {
      state.next = win;
    }
  });

  function say(text, error) {
    statusLine.textContent = text;
    statusLine.className = "miam-lp-status" + (error ? " error" : "");
  }
  function drawInfo() {
    const info = model.get("info") || {};
    title.replaceChildren(
      el("strong", {}, "Écoute"),
      el("span", { class: "miam-lp-muted" }, info.document ? ` · ${info.document}` : " · aucun document"),
      el("span", { class: "miam-lp-muted" }, info.media ? ` · ${info.media}${info.duration ? " (" + info.duration + ")" : ""}` : " · sans enregistrement"));
  }
  function drawCues() {
    const cues = model.get("cues") || [];
    cueList.replaceChildren(...cues.map((c) => el("button", { class: "miam-lp-cue", role: "listitem", "data-index": String(c.index), title: "Écouter à partir de ce minutage",
      onclick: () => model.send({ action: "cue", index: c.index }) }, el("time", {}, c.time), el("span", {}, c.text))));
    if (!cues.length) cueList.append(el("p", { class: "miam-lp-muted", style: "margin: 4px 12px" }, "Ce document n'a pas de minutage."));
    drawCurrent();
  }
  function drawCurrent() {
    const index = model.get("current");
    cueList.querySelectorAll(".miam-lp-cue.current").forEach((n) => n.classList.remove("current"));
    const row = cueList.querySelector(`.miam-lp-cue[data-index="${index}"]`);
    if (!row) return;
    row.classList.add("current");
    const list = cueList.getBoundingClientRect(), box = row.getBoundingClientRect();
    if (box.top < list.top || box.bottom > list.bottom) cueList.scrollTop += box.top - list.top - list.height / 3;
  }
  function drawStatus() { const s = model.get("status") || {}; say(s.text || "", s.level === "erreur"); }

  model.on("change:info", drawInfo);
  model.on("change:cues", drawCues);
  model.on("change:current", drawCurrent);
  model.on("change:status", drawStatus);
  drawInfo(); drawCues(); drawStatus();
  return () => stop("arrêt");
}

export default { render };
