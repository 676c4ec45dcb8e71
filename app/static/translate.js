/* Translator note screen: saves through the API (Ctrl+Enter saves and moves on), suggestion
 * buttons, conflicts shown in place. Everything works without this script: the forms post
 * normally and the suggestions are text to copy. */
(function () {
  "use strict";

  var screen = document.getElementById("tr-screen");
  if (!screen) { return; }
  var messages = screen.dataset;

  function segments() {
    return Array.prototype.slice.call(screen.querySelectorAll("article.segment"));
  }

  function textareaOf(segment) {
    return segment.querySelector("textarea[name=msgstr]");
  }

  function setStatus(segment, text, kind) {
    var status = segment.querySelector("[data-role=save-status]");
    if (!status) { return; }
    status.textContent = text;
    status.className = "save-status" + (kind ? " save-status-" + kind : "");
  }

  function fill(segment, text) {
    var area = textareaOf(segment);
    area.value = text;
    area.focus();
  }

  function wireUseButtons(root) {
    Array.prototype.forEach.call(root.querySelectorAll("button.use-text"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        fill(button.closest("article.segment"), button.dataset.text || "");
      });
    });
  }

  function statusOf(entry) {
    if (!entry.msgstr) { return "untranslated"; }
    return entry.fuzzy ? "fuzzy" : "translated";
  }

  function renderChecks(segment, checks) {
    var list = segment.querySelector("[data-role=checks]");
    if (!list) { return; }
    list.textContent = "";
    checks.forEach(function (check) {
      var item = document.createElement("li");
      var label = document.createElement("span");
      item.className = "check check-" + check.severity;
      label.className = "check-severity";
      label.textContent = check.severity === "error" ? messages.labelError : messages.labelWarning;
      item.appendChild(label);
      item.appendChild(document.createTextNode(" " + check.message));
      list.appendChild(item);
    });
    list.hidden = checks.length === 0;
  }

  function applyNote(note) {
    ["translated", "fuzzy", "untranslated", "errors"].forEach(function (name) {
      Array.prototype.forEach.call(screen.querySelectorAll("[data-count=" + name + "]"), function (node) {
        node.textContent = String(note[name]);
      });
    });
    var state = screen.querySelector("[data-role=note-state]");
    var label = messages["state" + note.state.split("_").map(function (part) {
      return part.charAt(0).toUpperCase() + part.slice(1);
    }).join("")];
    if (state && label) {
      state.textContent = label;
      state.className = "tr-state tr-state-" + note.state;
    }
    var gaps = screen.querySelector("[data-role=gaps]");
    var ready = screen.querySelector("[data-role=ready]");
    var submitted = note.state === "submitted";  // waiting for the editor: nothing to submit again
    if (gaps) { gaps.hidden = note.ready; }
    if (ready) { ready.hidden = !note.ready || submitted; }
    screen.querySelectorAll("[data-role=submitted]").forEach(function (node) { node.hidden = !submitted; });
    screen.querySelectorAll("[data-role=submit-form]").forEach(function (node) { node.hidden = submitted; });
    if (note.ready) {
      var errors = screen.querySelector("[data-role=gap-errors]");
      if (errors) { errors.hidden = true; }
    }
  }

  function updateCounts() {
    var counts = { translated: 0, fuzzy: 0, untranslated: 0, errors: 0 };
    segments().forEach(function (segment) {
      ["translated", "fuzzy", "untranslated"].forEach(function (name) {
        if (segment.classList.contains("segment-" + name)) { counts[name] += 1; }
      });
      if (segment.classList.contains("segment-translated") && segment.querySelector(".check-error")) { counts.errors += 1; }
    });
    Object.keys(counts).forEach(function (name) {
      Array.prototype.forEach.call(screen.querySelectorAll("[data-count=" + name + "]"), function (node) {
        node.textContent = String(counts[name]);
      });
    });
  }

  function applyEntry(segment, entry) {
    var status = statusOf(entry);
    var hasError = entry.checks.some(function (check) { return check.severity === "error"; });
    segment.classList.remove("segment-translated", "segment-fuzzy", "segment-untranslated");
    segment.classList.add("segment-" + status);
    segment.dataset.needsWork = status !== "translated" || hasError ? "true" : "false";
    segment.querySelector("[data-role=status]").textContent = messages["label" + status.charAt(0).toUpperCase() + status.slice(1)];
    segment.querySelector("input[name=base_version]").value = entry.version;
    var diff = segment.querySelector("[data-role=diff]");
    if (diff && !entry.fuzzy) { diff.hidden = true; }
    renderChecks(segment, entry.checks);
  }

  function showConflict(segment, current, mine) {
    var slot = segment.querySelector("[data-role=conflict-slot]");
    var template = document.getElementById("tr-conflict-template");
    if (!slot || !template) { return; }
    var panel = template.content.firstElementChild.cloneNode(true);
    panel.querySelector("[data-role=theirs]").textContent = current.msgstr;
    panel.querySelector("[data-role=mine]").textContent = mine;
    var use = panel.querySelector("[data-role=use-theirs]");
    use.dataset.text = current.msgstr;
    use.addEventListener("click", function () { fill(segment, current.msgstr); });
    slot.textContent = "";
    slot.appendChild(panel);
    segment.querySelector("input[name=base_version]").value = current.version;
  }

  function focusNext(segment) {
    var all = segments();
    var start = all.indexOf(segment);
    for (var step = 1; step <= all.length; step += 1) {
      var candidate = all[(start + step) % all.length];
      if (candidate !== segment && candidate.dataset.needsWork === "true") {
        var area = textareaOf(candidate);
        candidate.scrollIntoView({ block: "center" });
        area.focus();
        return;
      }
    }
    var ready = screen.querySelector("[data-role=ready]");
    if (ready && ready.hidden) {  // work left on other pages: offer the way there
      var next = screen.querySelector("a[data-role=next-link]");
      if (next) { next.focus(); return; }
    }
    setStatus(segment, messages.msgSaved + " " + messages.msgDone, "ok");
    var submit = document.getElementById("submit-button");
    if (submit) { submit.focus(); }
  }

  function save(form, advance) {
    var segment = form.closest("article.segment");
    var token = form.querySelector("input[name=csrf_token]");
    var mine = textareaOf(segment).value;
    var body = JSON.stringify({ msgstr: mine, base_version: form.querySelector("input[name=base_version]").value });
    setStatus(segment, messages.msgSaving, "busy");
    fetch(form.dataset.api, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token ? token.value : "" },
      body: body
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) {
          var slot = segment.querySelector("[data-role=conflict-slot]");
          if (slot) { slot.textContent = ""; }
          applyEntry(segment, data.entry);
          if (data.note) { applyNote(data.note); } else { updateCounts(); }
          setStatus(segment, messages.msgSaved, "ok");
          if (advance) { focusNext(segment); }
        } else if (response.status === 409 && data.current) {
          showConflict(segment, data.current, mine);
          setStatus(segment, messages.msgConflict, "error");
        } else if (response.status === 401) {
          setStatus(segment, messages.msgSession, "error");
        } else {
          setStatus(segment, messages.msgFailed + " " + (data.error || response.statusText), "error");
        }
      });
    }).catch(function () {
      form.submit();  // no API reachable: fall back to the plain form post
    });
  }

  Array.prototype.forEach.call(screen.querySelectorAll("form.segment-form"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(form, false);
    });
    textareaOf(form.closest("article.segment")).addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        save(form, true);
      }
    });
  });
  wireUseButtons(screen);
}());
