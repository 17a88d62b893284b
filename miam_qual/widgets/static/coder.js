// Coding workbench view (anywidget ES module, no build step).
// Python (CodingSession) decides everything; this file draws the state and sends the reader's
// gestures. Offsets sent to Python are Unicode code points: the browser counts UTF-16 units, so
// every boundary is converted below (an emoji is 2 units here and 1 code point in Python).

const fold = (s) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else if (k === "style") node.style.cssText = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function rgba(hex, alpha) {
  let h = hex.replace("#", "");
  if (h.length === 3) h = [...h].map((c) => c + c).join("");
  const n = parseInt(h, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

// Code-point offset of a DOM boundary inside the document pane, or null.
function pointOffset(node, offset, isEnd) {
  if (node.nodeType === Node.TEXT_NODE) {
    const span = node.parentElement.closest("[data-s]");
    if (!span) return null;
    const before = node.data.slice(0, offset);
    let count = Array.from(before).length;
    const last = before.charCodeAt(before.length - 1);
    if (!isEnd && last >= 0xd800 && last <= 0xdbff) count -= 1; // inside a pair: round outward
    return Number(span.dataset.s) + count;
  }
  const spans = [...node.querySelectorAll?.("[data-s]") ?? []];
  const child = node.childNodes[offset];
  if (child) {
    const inside = child.nodeType === Node.ELEMENT_NODE ? child.closest("[data-s]") || child.querySelector("[data-s]") : null;
    const next = inside || spans.find((s) => child.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING);
    if (next) return Number(next.dataset.s);
  }
  const prev = spans.filter((s) => !child || child.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_PRECEDING).pop();
  return prev ? Number(prev.dataset.s) + Array.from(prev.textContent).length : null;
}

function render({ model, el: host }) {
  const root = el("div", { class: "miam-cp", tabindex: "0" });
  host.append(root);
  let seq = 0;
  const sentAt = new Map();
  window.miamTimings = window.miamTimings || [];
  const send = (action, extra = {}) => {
    seq += 1;
    sentAt.set(seq, performance.now());
    model.send({ action, seq, ...extra });
  };
  // Traits Python sends as one JSON string (panel.py `_as_json`): parsed once per new value.
  const parsedCache = new Map();
  const parsed = (name) => {
    const raw = model.get(name);
    const hit = parsedCache.get(name);
    if (hit && hit.raw === raw) return hit.value;
    const value = typeof raw === "string" && raw ? JSON.parse(raw) : raw || [];
    parsedCache.set(name, { raw, value });
    return value;
  };
  let cps = [];
  let filter = "";
  const checked = new Set();
  let vivoLabelTouched = false;

  const top = el("div", { class: "miam-cp-top" });
  const docPane = el("div", { class: "miam-cp-doc", "aria-label": "Texte du document" });
  const gridPane = el("div", { class: "miam-cp-grid" });
  const findBar = el("div", { class: "miam-cp-findbar" });
  const findPane = el("div", { class: "miam-cp-find", hidden: true });
  const side = el("aside", { class: "miam-cp-side" });
  const statusLine = el("div", { class: "miam-cp-status", role: "status", "aria-live": "polite" });
  root.append(top, el("div", { class: "miam-cp-main" }, el("div", { class: "miam-cp-left" }, findBar, findPane, docPane, gridPane), side), statusLine);

  // -- top bar ------------------------------------------------------------------------------
  function drawTop() {
    const doc = model.get("doc") || {};
    const [done, total] = model.get("progress") || [0, 0];
    const coders = model.get("coders") || [];
    const coderInput = el("input", { class: "miam-cp-input", list: "miam-cp-coders", value: model.get("coder"), "aria-label": "Codeur", size: "12" });
    const isQuest = doc.kind === "questionnaire";
    top.replaceChildren(
      el("div", { class: "miam-cp-nav" },
        el("button", { class: "miam-cp-btn", title: "Document précédent", onclick: () => send("previous") }, "◀"),
        el("button", { class: "miam-cp-btn", title: "Document suivant", onclick: () => send("next") }, "▶"),
        el("button", { class: "miam-cp-btn", onclick: () => send("uncoded") }, "Prochain non codé"),
        isQuest ? el("button", { class: "miam-cp-btn" + (model.get("grid_open") ? " on" : ""), onclick: () => send("grid", { value: !model.get("grid_open") }) }, model.get("grid_open") ? "Vue document" : "Vue grille") : null,
      ),
      el("div", { class: "miam-cp-title" },
        el("strong", {}, doc.name || "Aucun document"),
        doc.count ? el("span", { class: "miam-cp-muted" }, ` · ${doc.position + 1}/${doc.count} · ${{ transcript: "entretien", questionnaire: "questionnaire", text: "texte" }[doc.kind] || doc.kind}`) : null,
      ),
      el("div", { class: "miam-cp-progress", title: `${done} documents codés sur ${total}` },
        el("progress", { max: String(total || 1), value: String(done) }),
        el("span", {}, `${done}/${total} codés`),
      ),
      el("div", { class: "miam-cp-coder" },
        el("label", {}, "Codeur ", coderInput),
        el("datalist", { id: "miam-cp-coders" }, coders.map((c) => el("option", { value: c }))),
        el("button", { class: "miam-cp-btn", onclick: () => send("coder", { name: coderInput.value }) }, "OK"),
        el("label", { class: "miam-cp-check" },
          el("input", { type: "checkbox", checked: model.get("show_others"), onchange: (e) => send("others", { value: e.target.checked }) }),
          " autres codeurs"),
      ),
    );
  }

  // -- finding: document picker, text search, hits (finder.py) --------------------------------
  const picker = { open: false, query: "", uncoded: false, timer: 0 };
  const finding = { query: "", scope: "document", code: "", closed: false, prepared: false };
  const pickerInput = el("input", { class: "miam-cp-input", type: "search", placeholder: "Nom, site, vague, participant…", "aria-label": "Chercher un document",
    oninput: (e) => { picker.query = e.target.value; clearTimeout(picker.timer); picker.timer = setTimeout(askPicker, 150); },
    onkeydown: (e) => { if (e.key === "Enter") { const first = pickerList.querySelector("button"); if (first) first.click(); } else if (e.key === "Escape") togglePicker(false); } });
  const pickerCheck = el("input", { type: "checkbox", onchange: (e) => { picker.uncoded = e.target.checked; askPicker(); } });
  const pickerList = el("div", { class: "miam-cp-picklist", role: "listbox", "aria-label": "Documents trouvés" });
  const pickerPane = el("div", { class: "miam-cp-picker", hidden: true },
    pickerInput, el("label", { class: "miam-cp-check" }, pickerCheck, " pas encore codé par moi"), pickerList);
  findBar.after(pickerPane);
  const askPicker = () => send("pick", { query: picker.query, uncoded: picker.uncoded });
  function togglePicker(open = !picker.open) {
    picker.open = open;
    pickerPane.hidden = !open;
    pickerButton.classList.toggle("on", open);
    pickerButton.setAttribute("aria-expanded", String(open));
    if (open) { askPicker(); pickerInput.focus(); } else root.focus({ preventScroll: true });
  }
  function drawPicker() {
    const found = model.get("picker") || {};
    const doc = model.get("doc") || {};
    const docs = found.documents || [];
    pickerList.replaceChildren(
      ...docs.map((d) => el("button", { class: "miam-cp-pick" + (d.id === doc.id ? " current" : ""), role: "option", onclick: () => { send("open", { document: d.id }); togglePicker(false); } },
        el("span", { class: "miam-cp-muted" }, `${d.position}. `), el("span", {}, d.name),
        d.found_in ? el("span", { class: "miam-cp-muted" }, ` · ${d.found_in}`) : null)),
      ...[docs.length ? null : el("p", { class: "miam-cp-muted" }, "Aucun document ne correspond."),
        found.more ? el("p", { class: "miam-cp-muted" }, `… et ${found.more} autres : précisez la recherche.`) : null].filter(Boolean));
  }

  // Built once, never redrawn: what is typed stays while the rest of the panel changes.
  const pickerButton = el("button", { class: "miam-cp-btn", title: "Chercher un document par son nom ou ses attributs", "aria-expanded": "false", onclick: () => togglePicker() }, "Documents…");
  const searchInput = el("input", { class: "miam-cp-input miam-cp-search", type: "search", placeholder: "Rechercher un mot (Ctrl+F)", "aria-label": "Rechercher dans le texte",
    oninput: (e) => { finding.query = e.target.value; },
    onfocus: () => { if (!finding.prepared) { finding.prepared = true; send("prepare_search"); } },  // fold the corpus while the user types
    onkeydown: (e) => { if (e.key === "Enter") { e.preventDefault(); runSearch(); } } });
  const scopeSelect = el("select", { class: "miam-cp-input", "aria-label": "Où chercher", onchange: (e) => { finding.scope = e.target.value; } },
    el("option", { value: "document" }, "dans ce document"),
    el("option", { value: "corpus" }, "dans tout le corpus"));
  findBar.append(pickerButton, searchInput, scopeSelect, el("button", { class: "miam-cp-btn", onclick: () => runSearch() }, "Chercher"));
  function runSearch() {
    finding.closed = false;
    send("search", { query: finding.query, scope: finding.scope });
  }

  function drawFind() {
    const found = model.get("search") || {};
    const left = root.querySelector(".miam-cp-left");
    findPane.hidden = !found.query || finding.closed;
    left.classList.toggle("finding", !findPane.hidden);
    if (findPane.hidden) { findPane.replaceChildren(); return; }
    const codable = (model.get("codes") || []).filter((c) => c.codable);
    if (!codable.some((c) => c.id === finding.code)) finding.code = codable.length ? codable[0].id : "";
    const codeSelect = el("select", { class: "miam-cp-input", "aria-label": "Code pour toutes les occurrences", onchange: (e) => { finding.code = e.target.value; } },
      codable.map((c) => el("option", { value: c.id, selected: c.id === finding.code }, c.label)));
    const preview = found.preview;
    const hits = found.hits || [];
    const count = `${found.count}${found.truncated ? "+" : ""} occurrence${found.count > 1 ? "s" : ""} de « ${found.query} »`;
    findPane.replaceChildren(...[
      el("div", { class: "miam-cp-find-head" },
        el("strong", {}, count),
        el("span", { class: "miam-cp-muted" }, found.scope === "corpus" ? " · tout le corpus" : " · ce document"),
        el("button", { class: "miam-cp-btn", title: "Occurrence précédente (Maj+N)", disabled: !hits.length, onclick: () => send("next_hit", { back: true }) }, "↑"),
        el("button", { class: "miam-cp-btn", title: "Occurrence suivante (N)", disabled: !hits.length, onclick: () => send("next_hit") }, "↓"),
        el("span", { class: "miam-cp-find-all" }, codeSelect,
          el("button", { class: "miam-cp-btn", disabled: !hits.length || found.truncated, title: found.truncated ? "Trop d'occurrences : précisez la recherche" : "Voir ce qui sera codé avant d'écrire", onclick: () => send("preview_all", { code: finding.code }) }, "Coder toutes…")),
        el("button", { class: "miam-cp-remove", title: "Fermer la recherche", onclick: () => { finding.closed = true; drawFind(); } }, "×")),
      preview ? el("div", { class: "miam-cp-preview", role: "alertdialog" },
        el("span", {}, `Coder les ${preview.count} occurrences de « ${preview.query} » (${preview.documents} document${preview.documents > 1 ? "s" : ""}) avec « ${preview.label} » : ${preview.new} nouveau${preview.new > 1 ? "x" : ""} codage${preview.new > 1 ? "s" : ""}.`),
        el("button", { class: "miam-cp-btn primary", onclick: () => send("code_all", { code: preview.code }) }, "Confirmer"),
        el("button", { class: "miam-cp-btn", onclick: () => send("cancel_all") }, "Annuler")) : null,
      el("div", { class: "miam-cp-kwic", role: "list" }, hits.map((h) =>
        el("button", { class: "miam-cp-hit" + (h.index === found.current ? " current" : ""), role: "listitem", title: `${h.document}${h.speaker ? " · " + h.speaker : ""}`,
          onclick: () => { send("hit", { index: h.index }); root.focus({ preventScroll: true }); } },
          el("span", { class: "miam-cp-kwic-before" }, el("span", {}, h.before)),
          el("mark", {}, h.match),
          el("span", { class: "miam-cp-kwic-after" }, h.after),
          found.scope === "corpus" ? el("span", { class: "miam-cp-kwic-doc" }, h.document) : null)))].filter(Boolean));
    const current = findPane.querySelector(".miam-cp-hit.current");
    if (current) current.scrollIntoView({ block: "nearest" });
  }

  // -- document -----------------------------------------------------------------------------
  // Blocks are rebuilt only when their codings or the selection inside them change: a long
  // transcript keeps its hundreds of untouched blocks between two clicks.
  let drawn = { doc: null, blocks: [] };
  function drawDoc() {
    const doc = model.get("doc") || {};
    docPane.hidden = Boolean(model.get("grid_open") && model.get("grid"));
    if (!doc.text) {
      drawn = { doc: null, blocks: [] };
      docPane.replaceChildren(el("p", { class: "miam-cp-muted" }, "Aucun document à afficher."));
      return;
    }
    const shown = `${doc.id}:${doc.load}`;  // a corrected text is the same document, drawn anew
    if (drawn.doc !== shown) {
      drawn.blocks.forEach((b) => b && visibility.unobserve(b.node));
      onScreen.clear();
      drawn = { doc: shown, blocks: [] };
      docPane.replaceChildren();
    }
    const codings = parsed("codings");
    const sel = model.get("selection") || [];
    // Each coding goes to the blocks it overlaps: a binary search for its first block, then the
    // blocks it runs into (not every coding tested against every block: thousands of each).
    const perBlock = doc.blocks.map(() => []);
    for (const c of codings) {
      let lo = 0, hi = doc.blocks.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (doc.blocks[mid].end <= c.start) lo = mid + 1; else hi = mid; }
      for (let i = lo; i < doc.blocks.length && doc.blocks[i].start < c.end; i++) {
        if (c.start < doc.blocks[i].end && c.end > doc.blocks[i].start) perBlock[i].push(c);
      }
    }
    doc.blocks.forEach((b, i) => {
      const inBlock = perBlock[i];
      const selIn = sel.length && sel[0] < b.end && sel[1] > b.start ? sel : null;
      const key = JSON.stringify([inBlock.map((c) => [c.id, c.start, c.end, c.color, c.mine, c.label, c.modified, c.review]), selIn]);
      if (drawn.blocks[i] && drawn.blocks[i].key === key) return;
      const node = drawBlock(b, inBlock, selIn);
      if (drawn.blocks[i]) { visibility.unobserve(drawn.blocks[i].node); onScreen.delete(drawn.blocks[i].node); drawn.blocks[i].node.replaceWith(node); }
      else docPane.append(node);
      drawn.blocks[i] = { key, node, inBlock };
      node.miamCodings = inBlock;
      visibility.observe(node);
      if (inBlock.length) scheduleStripes(node);
    });
  }

  // -- coding stripes: one coloured bar per coding beside the lines it covers ------------------
  // (as MAXQDA and NVivo show a code's extent); one lane per code of the block, hover for the
  // code and the coder, click to select the passage. Stripes need the lines' positions, so they
  // are drawn for the blocks on screen only (a 300,000-word transcript has thousands of blocks),
  // all positions read first and then all stripes written: one layout per frame, not one per block.
  const stripesDue = new Set();  // block nodes whose stripes must be (re)drawn
  const onScreen = new Set();
  let stripesFrame = 0;
  const scheduleStripes = (node) => {
    if (node) stripesDue.add(node);
    if (!stripesFrame) stripesFrame = requestAnimationFrame(drawDueStripes);
  };
  const visibility = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (e.isIntersecting) { onScreen.add(e.target); } else onScreen.delete(e.target);
    }
    scheduleStripes();
  }, { root: docPane, rootMargin: "400px 0px" });
  function drawDueStripes() {
    stripesFrame = 0;
    const plans = [];
    for (const node of [...stripesDue]) {  // read: every position first
      if (!node.isConnected) { stripesDue.delete(node); continue; }
      if (!onScreen.has(node)) continue;  // drawn when it scrolls into view
      stripesDue.delete(node);
      plans.push(planStripes(node));
    }
    for (const plan of plans) if (plan) writeStripes(plan);  // write: then every stripe
  }
  function planStripes(node) {
    const margin = node.querySelector(".miam-cp-margin");
    const inBlock = node.miamCodings || [];
    if (!margin) return null;
    const top = margin.getBoundingClientRect().top;
    const lanes = [...new Set(inBlock.map((c) => c.code))];
    const spans = [...node.querySelectorAll(".miam-cp-hl")];
    const bars = [];
    for (const c of inBlock) {
      const rects = spans.filter((span) => span.dataset.codings.split(" ").includes(c.id)).flatMap((span) => [...span.getClientRects()]);
      if (!rects.length) continue;
      const y0 = Math.min(...rects.map((r) => r.top)) - top;
      const y1 = Math.max(...rects.map((r) => r.bottom)) - top;
      bars.push({ c, y0, y1, lane: lanes.indexOf(c.code) });
    }
    return { margin, bars, lanes: lanes.length };
  }
  function writeStripes({ margin, bars, lanes }) {
    margin.querySelectorAll(".miam-cp-stripe").forEach((s) => s.remove());
    for (const { c, y0, y1, lane } of bars) {
      margin.append(el("div", {
        class: "miam-cp-stripe" + (c.mine ? "" : " other"), "data-coding": c.id,
        title: `${c.label} (${c.coder})`,
        style: `top:${y0}px;height:${Math.max(4, y1 - y0)}px;left:${lane * 5}px;background:${c.color}`,
        onclick: () => send("select", { start: c.start, end: c.end }),
      }));
    }
    margin.style.paddingLeft = lanes ? `${lanes * 5 + 4}px` : "";
  }
  let paneWidth = 0;
  const stripesObserver = new ResizeObserver((entries) => {  // lines re-wrap: the stripes follow
    const width = entries[entries.length - 1].contentRect.width;
    if (width === paneWidth) return;
    paneWidth = width;
    for (const b of drawn.blocks) if (b && b.node.isConnected && b.inBlock.length) stripesDue.add(b.node);
    scheduleStripes();
  });
  stripesObserver.observe(docPane);

  function drawBlock(b, inBlock, sel) {
    const cuts = new Set([b.start, b.end, b.body]);
    for (const c of inBlock) { cuts.add(Math.max(c.start, b.start)); cuts.add(Math.min(c.end, b.end)); }
    if (sel) for (const x of sel) if (x > b.start && x < b.end) cuts.add(x);
    const points = [...cuts].filter((x) => x >= b.start && x <= b.end).sort((a, z) => a - z);
    const pieces = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const [s, e] = [points[i], points[i + 1]];
      if (s === e) continue;
      const active = inBlock.filter((c) => c.start <= s && c.end >= e);
      const span = el("span", { "data-s": String(s), class: s < b.body ? "miam-cp-speaker" : null }, cps.slice(s, e).join(""));
      if (active.length) {
        span.classList.add("miam-cp-hl");
        span.dataset.codings = active.map((c) => c.id).join(" ");
        span.title = active.map((c) => `${c.label} (${c.coder})`).join("\n");
        const shadows = active.map((c, k) => `inset 0 -${3 * (k + 1)}px 0 ${c.mine ? c.color : rgba(c.color, 0.45)}`);
        span.style.boxShadow = shadows.join(", ");
        span.style.backgroundColor = rgba(active[0].color, active.length > 1 ? 0.22 : 0.14);
        span.style.paddingBottom = `${3 * active.length - 2}px`;
        if (active.some((c) => c.modified)) span.classList.add("miam-cp-modified");
        if (active.some((c) => c.review === "contesté")) span.classList.add("miam-cp-contested");
      }
      if (sel && s >= sel[0] && e <= sel[1]) span.classList.add("miam-cp-sel");
      pieces.push(span);
    }
    const codes = new Map();
    for (const c of inBlock) if (!codes.has(c.code)) codes.set(c.code, c);
    const gutter = el("div", { class: "miam-cp-gutter" },
      b.number ? el("span", { class: "miam-cp-num" }, `§${b.number}`) : null,
      b.time ? el("span", { class: "miam-cp-time" }, b.time) : null);
    const margin = el("div", { class: "miam-cp-margin" }, [...codes.values()].map((c) =>
      el("button", { class: "miam-cp-chip", style: `--c:${c.color}`, title: `Sélectionner ce passage (${c.coder})`, onclick: () => send("select", { start: c.start, end: c.end }) }, c.label)));
    return el("div", { class: `miam-cp-block kind-${b.kind}${b.role ? " role-" + b.role : ""}` },
      gutter, el("div", { class: "miam-cp-body" }, el("div", { class: "miam-cp-text" }, pieces)), margin);
  }

  // -- edit mode: correct the text of a passage (text_edit.py) ---------------------------------
  // Python decides the passage (whole turns, paragraphs or answers around the selection) and
  // sends it as `editing`; the box replaces those blocks until saved or abandoned. What is typed
  // survives the panel's other redraws: the box is rebuilt only when `editing` changes.
  let editor = null;
  function drawEditor() {
    const editing = model.get("editing") || {};
    const doc = model.get("doc") || {};
    docPane.querySelectorAll(".miam-cp-block.edited").forEach((n) => n.classList.remove("edited"));
    if (editing.start === undefined || !doc.blocks) { if (editor) { editor.node.remove(); editor = null; } return; }
    const id = `${doc.id}:${editing.start}:${editing.end}:${editing.version}`;
    const covered = doc.blocks.map((b, i) => [b, drawn.blocks[i]]).filter(([b, d]) => d && b.start < Math.max(editing.end, editing.start + 1) && b.end > editing.start);
    if (!covered.length) return;
    covered.forEach(([, d]) => d.node.classList.add("edited"));
    if (editor && editor.id === id) { if (editor.node.nextSibling !== covered[0][1].node) covered[0][1].node.before(editor.node); return; }
    if (editor) editor.node.remove();
    const speaker = covered[0][0].speaker;
    const box = el("textarea", { class: "miam-cp-input miam-cp-editbox", "aria-label": "Texte du passage à corriger", spellcheck: "true",
      rows: String(Math.min(16, Math.max(3, Math.ceil(editing.text.length / 90) + (editing.text.match(/\n/g) || []).length))),
      onkeydown: (e) => {
        if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); send("edit_cancel"); root.focus({ preventScroll: true }); }
        else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); e.stopPropagation(); save(); }
        else e.stopPropagation();  // a text editor's keys: Ctrl+Z, arrows… stay in the box
      } });
    box.value = editing.text;
    const save = () => send("edit_save", { text: box.value });
    const node = el("div", { class: "miam-cp-editor", role: "group", "aria-label": "Correction du texte" },
      el("div", { class: "miam-cp-editor-head" },
        el("strong", {}, "Correction du texte"),
        speaker ? el("span", { class: "miam-cp-muted" }, ` · ${speaker}`) : null,
        el("span", { class: "miam-cp-muted" }, " · les codages, citations et temps suivent le texte")),
      box,
      el("div", { class: "miam-cp-editor-actions" },
        el("button", { class: "miam-cp-btn primary", title: "Ctrl+Entrée", onclick: save }, "Enregistrer la correction"),
        el("button", { class: "miam-cp-btn", title: "Échap", onclick: () => { send("edit_cancel"); root.focus({ preventScroll: true }); } }, "Annuler")));
    covered[0][1].node.before(node);
    editor = { id, node };
    box.focus({ preventScroll: true });
    const pane = docPane.getBoundingClientRect(), at = node.getBoundingClientRect();
    if (at.top < pane.top || at.bottom > pane.bottom) docPane.scrollTop += at.top - pane.top - pane.height / 4;
  }

  function scrollToSelection(again = true) {
    const first = docPane.querySelector(".miam-cp-sel");
    if (first) {
      const pane = docPane.getBoundingClientRect(), box = first.getBoundingClientRect();
      if (box.top < pane.top || box.bottom > pane.bottom) {
        docPane.scrollTop += box.top - pane.top - pane.height / 3;
        // blocks scrolled past are laid out only now (content-visibility): correct once more
        if (again) requestAnimationFrame(() => requestAnimationFrame(() => scrollToSelection(false)));
      }
    }
  }

  // -- grid (questionnaires) -----------------------------------------------------------------
  function drawGrid() {
    const grid = model.get("grid");
    if (!model.get("grid_open") || !grid) { gridPane.hidden = true; gridPane.replaceChildren(); return; }
    gridPane.hidden = false;
    const doc = model.get("doc") || {};
    const labels = new Map((model.get("codes") || []).map((c) => [c.id, c]));
    gridPane.replaceChildren(el("table", { class: "miam-cp-table" },
      el("thead", {}, el("tr", {}, el("th", {}, "Répondant"), grid.questions.map((q) => el("th", {}, q)))),
      el("tbody", {}, grid.rows.map((row) => el("tr", {},
        el("th", {}, row.document.split("#").pop()),
        grid.questions.map((q) => {
          const cell = row.cells[q];
          if (!cell) return el("td", { class: "miam-cp-empty" }, "—");
          const current = row.document_id === doc.id && (model.get("selection") || [])[0] === cell.start;
          return el("td", { class: current ? "miam-cp-cell current" : "miam-cp-cell", onclick: () => send("cell", { document: row.document_id, question: q }) },
            el("div", {}, cell.text),
            el("div", {}, [...new Set(cell.codings.map((c) => c.code_id))].map((id) => {
              const k = labels.get(id) || { label: id, color: "#999" };
              const who = cell.codings.filter((c) => c.code_id === id).map((c) => c.coder).join(", ");
              return el("span", { class: "miam-cp-chip small", style: `--c:${k.color}`, title: who }, k.label);
            })));
        }))))));
  }

  // -- side panel ---------------------------------------------------------------------------
  // The side panel is drawn in sections, each rebuilt only when what it shows changed: coding a
  // passage redraws « Codages du passage », not the codebook's fifty rows (nor what is typed in
  // the in-vivo box).
  const sideParts = new Map();  // section name → { key, node }
  function drawSide() {
    const codes = model.get("codes") || [];
    const shortcuts = model.get("shortcuts") || [];
    const recent = model.get("recent") || [];
    const sel = model.get("selection") || [];
    const doc = model.get("doc") || {};
    const here = model.get("here") || [];
    const orphans = model.get("orphans") || [];
    const hist = model.get("history") || {};
    const editing = (model.get("editing") || {}).text !== undefined;
    const selText = sel.length ? cps.slice(sel[0], sel[1]).join("") : "";
    const codesShown = codes.map((c) => ({ ...c, uses: c.uses > 0 }));  // a count alone changes nothing drawn
    const sections = [
      ["selection", [selText, doc.kind, editing], () => selectionSection(selText, doc, editing)],
      // recent codes order the list only while it is filtered
      ["codes", [codesShown, shortcuts, filter.trim() ? recent : null, filter, [...checked]], () => codesSection(codes, shortcuts, recent)],
      ["here", [here], () => hereSection(here)],
      ["orphans", [orphans, sel.length > 0], () => orphansSection(orphans, sel)],
      ["vivo", [vivoLabelTouched ? null : selText, codesShown.map((c) => [c.id, c.label, c.depth])], () => vivoSection(codes, selText)],
      ["undo", [hist], () => undoSection(hist)],
    ];
    sections.forEach(([name, inputs, build], i) => {
      const key = JSON.stringify(inputs);
      const part = sideParts.get(name);
      if (part && part.key === key && part.node.parentNode === side) return;
      const node = build() || el("span", { hidden: true });  // an empty section keeps its place
      if (part && part.node.parentNode === side) part.node.replaceWith(node);
      else side.insertBefore(node, side.children[i] || null);
      sideParts.set(name, { key, node });
    });
  }
  function selectionSection(selText, doc, editing) {
    return el("section", {},
      el("h4", {}, "Sélection"),
      el("div", { class: "miam-cp-excerpt" }, selText ? `« ${selText.length > 140 ? selText.slice(0, 139) + "…" : selText} »` : "Surlignez des mots, ou choisissez :"),
      el("div", { class: "miam-cp-units" },
        el("button", { class: "miam-cp-btn", onclick: () => send("unit", { kind: "turn" }) }, "Tour"),
        el("button", { class: "miam-cp-btn", onclick: () => send("unit", { kind: "sentence" }) }, "Phrase"),
        el("button", { class: "miam-cp-btn", onclick: () => send("unit", { kind: "paragraph" }) }, "Paragraphe"),
        doc.kind === "questionnaire" ? el("button", { class: "miam-cp-btn", onclick: () => send("unit", { kind: "answer" }) }, "Réponse") : null,
        el("button", { class: "miam-cp-btn miam-cp-edit", title: "Corriger le texte du passage (touche E) : les codages suivent", disabled: editing, onclick: () => send("edit_open") }, "Corriger le texte…")));
  }
  function codesSection(codes, shortcuts, recent) {
    const keyOf = (id) => { const k = shortcuts.indexOf(id); return k >= 0 ? String(k + 1) : ""; };
    const row = (c, indent) => el("div", { class: "miam-cp-code" + (c.codable ? "" : " theme"), style: `padding-left:${indent * 14 + 4}px` },
      c.codable ? el("input", { type: "checkbox", title: "Cocher pour appliquer plusieurs codes", checked: checked.has(c.id), onchange: (e) => { e.target.checked ? checked.add(c.id) : checked.delete(c.id); drawSide(); } }) : null,
      el("span", { class: "miam-cp-dot", style: `background:${c.color}` }),
      c.codable
        ? el("button", { class: "miam-cp-apply", "data-code": c.id, title: c.definition || c.path, onclick: () => send("apply", { codes: [c.id] }) }, c.label)
        : el("span", { class: "miam-cp-theme", title: c.definition || "" }, c.label),
      keyOf(c.id) ? el("kbd", {}, keyOf(c.id)) : null,
      c.codable && c.uses ? el("button", { class: "miam-cp-occ", title: "Occurrence suivante de ce code", onclick: () => send("occurrence", { code: c.id }) }, "›") : null);
    let list;
    if (filter.trim()) {
      const needle = fold(filter.trim());
      const found = codes.filter((c) => c.codable && (fold(c.label).includes(needle) || c.id.includes(needle)));
      found.sort((a, b) => (recent.indexOf(a.id) + 1 || 1e9) - (recent.indexOf(b.id) + 1 || 1e9));
      list = found.length ? found.map((c) => row(c, 0)) : [el("p", { class: "miam-cp-muted" }, "Aucun code ne correspond.")];
    } else {  // the codebook as it is: nothing is inserted above it as one codes (no jump under the mouse)
      list = codes.map((c) => row(c, c.depth));
    }
    const filterInput = el("input", {
      class: "miam-cp-input miam-cp-filter", type: "search", placeholder: "Filtrer les codes (touche /)", title: "Entrée applique le premier code trouvé", value: filter,
      oninput: (e) => { filter = e.target.value; const pos = e.target.selectionStart; drawSide(); const f = side.querySelector(".miam-cp-filter"); f.focus(); f.setSelectionRange(pos, pos); },
      onkeydown: (e) => { if (e.key === "Enter") { const first = side.querySelector(".miam-cp-apply"); if (first) first.click(); } },
    });
    return el("section", {},
      el("h4", {}, "Codes"),
      filterInput,
      el("div", { class: "miam-cp-codes" }, list),
      checked.size ? el("button", { class: "miam-cp-btn primary", onclick: () => { send("apply", { codes: [...checked] }); checked.clear(); drawSide(); } }, `Appliquer les ${checked.size} codes cochés`) : null);
  }
  function hereSection(here) {
    return el("section", {},
        el("h4", {}, "Codages du passage"),
        here.length ? here.map((c) => el("div", { class: "miam-cp-here", "data-coding": c.id },
          el("div", { class: "miam-cp-here-head" },
            el("span", { class: "miam-cp-dot", style: `background:${c.color}` }), el("span", {}, c.label),
            el("span", { class: "miam-cp-muted" }, ` · ${c.coder}`),
            c.review ? el("span", { class: `miam-cp-review review-${{ "contesté": "contested", "commenté": "commented", "approuvé": "approved" }[c.review] || "settled"}`, title: "Revue par un·e superviseur·e : le fil de discussion est dans le panneau « À revoir » (carnet 04)" }, c.review) : null,
            c.mine ? el("button", { class: "miam-cp-remove", title: "Retirer ce codage", onclick: () => send("remove", { id: c.id }) }, "×") : null),
          c.modified ? el("div", { class: "miam-cp-modified-note" },
            el("span", {}, "Texte corrigé : avant « ", el("del", {}, c.modified), " », maintenant « ", el("ins", {}, c.text), " »"),
            el("button", { class: "miam-cp-btn", title: "Accepter la nouvelle formulation de ce passage", onclick: () => send("confirm", { id: c.id }) }, "Confirmer")) : null,
          c.mine ? el("textarea", { class: "miam-cp-input miam-cp-memo", rows: "1", placeholder: "Mémo…", onchange: (e) => send("memo", { id: c.id, text: e.target.value }) }, c.memo)
            : (c.memo ? el("div", { class: "miam-cp-muted" }, c.memo) : null)))
          : el("p", { class: "miam-cp-muted" }, "Aucun codage ici."));
  }
  function orphansSection(orphans, sel) {
    return orphans.length ? el("section", { class: "miam-cp-orphans" },
        el("h4", {}, `Codages orphelins (${orphans.length})`),
        el("p", { class: "miam-cp-muted" }, "Leurs mots ont disparu lors d'une correction : sélectionnez le bon passage puis replacez-les, ou supprimez-les."),
        orphans.map((o) => el("div", { class: "miam-cp-here", "data-orphan": o.id },
          el("div", { class: "miam-cp-here-head" },
            el("span", { class: "miam-cp-dot", style: `background:${o.color}` }), el("span", {}, o.label),
            el("span", { class: "miam-cp-muted" }, ` · ${o.coder}`)),
          el("div", { class: "miam-cp-muted" }, `« ${o.text} »`),
          el("div", { class: "miam-cp-units" },
            el("button", { class: "miam-cp-btn", disabled: !sel.length, title: sel.length ? "Replacer ce codage sur la sélection" : "Sélectionnez d'abord un passage", onclick: () => send("place_orphan", { id: o.id }) }, "Replacer sur la sélection"),
            el("button", { class: "miam-cp-btn", onclick: (e) => {
              if (e.target.dataset.armed) send("remove_orphan", { id: o.id });
              else { e.target.dataset.armed = "1"; e.target.textContent = "Confirmer la suppression"; }
            } }, "Supprimer"))))) : null;
  }
  function vivoSection(codes, selText) {
    const vivoLabel = el("input", { class: "miam-cp-input", placeholder: "Libellé", value: vivoLabelTouched ? side.querySelector(".miam-cp-vivo-label")?.value ?? "" : selText.slice(0, 60), oninput: () => { vivoLabelTouched = true; } });
    vivoLabel.classList.add("miam-cp-vivo-label");
    // rebuilt when the selection changes: the parent chosen and the definition typed stay
    const parentBefore = side.querySelector(".miam-cp-vivo-parent")?.value;
    const parent = el("select", { class: "miam-cp-input miam-cp-vivo-parent", "aria-label": "Code parent" }, codes.map((c) => el("option", { value: c.id, selected: c.id === parentBefore }, "  ".repeat(c.depth) + c.label)));
    const definition = el("textarea", { class: "miam-cp-input miam-cp-vivo-definition", rows: "2", placeholder: "Définition" }, side.querySelector(".miam-cp-vivo-definition")?.value ?? "");
    const vivoOpen = side.querySelector("details")?.open;
    return el("details", { open: vivoOpen },
        el("summary", {}, "Nouveau code in vivo"),
        vivoLabel, parent, definition,
        el("button", { class: "miam-cp-btn primary", onclick: () => { vivoLabelTouched = false; send("create", { label: vivoLabel.value, parent: parent.value, definition: definition.value }); } }, "Créer et appliquer"));
  }
  function undoSection(hist) {
    return el("div", { class: "miam-cp-undo" },
        el("button", { class: "miam-cp-btn", disabled: !hist.undo, title: "Ctrl+Z", onclick: () => send("undo") }, "↶ Annuler"),
        el("button", { class: "miam-cp-btn", disabled: !hist.redo, title: "Ctrl+Y", onclick: () => send("redo") }, "↷ Rétablir"));
  }

  function drawStatus() {
    const status = model.get("status") || {};
    statusLine.textContent = status.text || "";
    statusLine.className = "miam-cp-status" + (status.level === "erreur" ? " error" : "");
  }

  // -- gestures -----------------------------------------------------------------------------
  function onMouseUp(event) {
    if (!root.isConnected || event.button !== 0) return;
    setTimeout(() => {
      const selection = window.getSelection();
      if (!selection.rangeCount) return;
      const range = selection.getRangeAt(0);
      const inside = (n) => docPane.contains(n);
      if (!inside(range.commonAncestorContainer) && !range.intersectsNode(docPane)) return;
      if (range.collapsed) {
        if (!inside(event.target)) return;
        const at = pointOffset(range.startContainer, range.startOffset, false);
        if (at !== null) send("point", { offset: at });
        root.focus({ preventScroll: true });
        return;
      }
      const length = cps.length;
      const start = inside(range.startContainer) ? pointOffset(range.startContainer, range.startOffset, false) : 0;
      const end = inside(range.endContainer) ? pointOffset(range.endContainer, range.endOffset, true) : length;
      if (start === null || end === null) return;
      selection.removeAllRanges();
      root.focus({ preventScroll: true });
      send("select", { start, end });
    }, 0);
  }
  document.addEventListener("mouseup", onMouseUp);
  // JupyterLab's notebook reacts to mousedown in a cell (mode switch, focus, cell drag), which
  // cancels a text selection that is just starting: keep the widget's presses to itself.
  root.addEventListener("mousedown", (e) => e.stopPropagation());

  root.addEventListener("keydown", (e) => {
    const tag = e.target.tagName;
    const typing = tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
    if (e.key === "Escape" || (e.key === "Enter" && e.shiftKey)) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && !typing && (e.key === "z" || e.key === "Z")) { e.preventDefault(); e.stopPropagation(); send(e.shiftKey ? "redo" : "undo"); return; }
    if (mod && !typing && e.key === "y") { e.preventDefault(); e.stopPropagation(); send("redo"); return; }
    if (mod && (e.key === "f" || e.key === "F")) { e.preventDefault(); e.stopPropagation(); searchInput.focus(); searchInput.select(); return; }
    if (mod || e.altKey) return;
    e.stopPropagation(); // plain keys belong to the widget, not to JupyterLab's command mode
    if (typing) return;
    if (/^[1-9]$/.test(e.key)) { e.preventDefault(); send("shortcut", { key: Number(e.key) }); }
    else if (e.key === "t") send("unit", { kind: "turn" });
    else if (e.key === "e") { e.preventDefault(); send("edit_open"); }
    else if (e.key === "n" || e.key === "N") send("next_hit", { back: e.key === "N" });
    else if (e.key === "p") send("unit", { kind: "sentence" });
    else if (e.key === "/") { e.preventDefault(); side.querySelector(".miam-cp-filter")?.focus(); }
  });

  // -- the passage being heard (set by a ListenPanel: listen.py, listen.js) ---------------------
  // `playing` is [start, end] or []. Drawn apart from the blocks' cache: a class on the blocks it
  // covers and, where the browser has the CSS Custom Highlight API, the cue's exact words; drawn
  // again whenever blocks are replaced. Its styles are in listen.css.
  function drawPlaying(scroll) {
    const [start, end] = model.get("playing") || [];
    docPane.querySelectorAll(".miam-cp-block.playing").forEach((n) => n.classList.remove("playing"));
    const marks = window.CSS && CSS.highlights && typeof Highlight === "function" ? CSS.highlights : null;
    if (marks) marks.delete("miam-playing");
    if (start === undefined) return;
    const inside = [...docPane.querySelectorAll("[data-s]")].filter((s) => {
      const a = Number(s.dataset.s);
      return a < end && a + Array.from(s.textContent).length > start;
    });
    if (!inside.length) return;
    inside.forEach((s) => s.closest(".miam-cp-block")?.classList.add("playing"));
    const at = (span, cp) => {  // code point → UTF-16 position inside the span's text node
      const node = span.firstChild;
      const units = Array.from(node.data).slice(0, Math.max(0, cp - Number(span.dataset.s))).join("").length;
      return [node, units];
    };
    if (marks) {
      const range = document.createRange();
      range.setStart(...at(inside[0], start));
      range.setEnd(...at(inside[inside.length - 1], end));
      marks.set("miam-playing", new Highlight(range));
    }
    if (scroll) {
      const pane = docPane.getBoundingClientRect(), box = inside[0].getBoundingClientRect();
      if (box.top < pane.top || box.bottom > pane.bottom) docPane.scrollTop += box.top - pane.top - pane.height / 3;
    }
  }
  model.on("change:playing", () => requestAnimationFrame(() => drawPlaying(true)));
  new MutationObserver(() => { if ((model.get("playing") || []).length) drawPlaying(false); }).observe(docPane, { childList: true });

  // -- model events -------------------------------------------------------------------------
  // Several traits change per action: draw once per frame, only the parts concerned.
  const pending = new Set();
  let frame = 0;
  const parts = { top: drawTop, find: drawFind, picker: drawPicker, doc: drawDoc, editor: drawEditor, grid: drawGrid, side: drawSide, status: drawStatus };
  const flush = () => {
    frame = 0;
    const todo = [...pending];
    pending.clear();
    // A redraw replaces the button just clicked: keep the keyboard in the panel (keys 1–9, Ctrl+Z).
    const hadFocus = root.contains(document.activeElement);
    for (const name of ["top", "find", "picker", "doc", "editor", "grid", "side", "status"]) if (todo.includes(name)) parts[name]();
    if (todo.includes("scroll")) scrollToSelection();
    if (hadFocus && !root.contains(document.activeElement)) (editor ? editor.node.querySelector("textarea") : root).focus({ preventScroll: true });
    if (ackDue !== undefined) { window.miamTimings.push(performance.now() - ackDue); ackDue = undefined; }
  };
  const schedule = (...names) => {
    names.forEach((n) => pending.add(n));
    if (!frame) frame = requestAnimationFrame(flush);
  };
  const redraw = () => { Object.values(parts).forEach((draw) => draw()); };
  const triggers = {
    doc: ["top", "doc", "editor", "grid", "side"], codings: ["doc", "editor"], selection: ["doc", "editor", "grid", "side", "scroll"],
    editing: ["editor", "side"], orphans: ["side"],
    grid: ["doc", "grid", "top"], grid_open: ["doc", "grid", "top"], progress: ["top"], coder: ["top"],
    coders: ["top"], show_others: ["top"], here: ["side"], codes: ["side"], shortcuts: ["side"],
    recent: ["side"], history: ["side"], status: ["status"], search: ["find"], picker: ["picker"],
  };
  model.on("change:doc", () => { cps = Array.from((model.get("doc") || {}).text || ""); docPane.scrollTop = 0; });
  model.on("change:selection", () => { vivoLabelTouched = false; });
  for (const [name, names] of Object.entries(triggers)) model.on(`change:${name}`, () => schedule(...names));
  // The acknowledgement comes in the same message as the state it answers: the time from the
  // click is taken once that state is drawn (at the end of the next frame's redraw).
  let ackDue;
  model.on("change:ack", () => {
    ackDue = sentAt.get(model.get("ack"));
    if (ackDue !== undefined) schedule();
  });
  cps = Array.from((model.get("doc") || {}).text || "");
  redraw();
  return () => { document.removeEventListener("mouseup", onMouseUp); stripesObserver.disconnect(); visibility.disconnect(); };
}

export default { render };
