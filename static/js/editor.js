/* The plan editor: keeps the page's plan version current, keeps typed text in the
   browser until the server has it and reopens it in its form on return, asks before
   leaving unsaved text, filters the catalogue as you type, reorders rows by dragging
   and by keyboard, and says plainly what went wrong. No inline scripts: everything
   is wired here by delegation. */
(function () {
  "use strict";
  var PREFIX = "profplan:draft:";
  var DRAFT_DAYS = 14;
  var body = document.body;
  var versionInput = document.getElementById("plan-version");
  // Drafts are kept per user: on a shared computer nobody sees another person's text.
  var userPrefix = PREFIX + "u" + (body.dataset.user || "0") + ":";
  var editable = body.hasAttribute("data-editable");

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  // Signing in again (in another tab) rotates the CSRF token: read it afresh for
  // every request so that the next save after re-login goes through.
  body.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) event.detail.headers["X-CSRFToken"] = token;
  });

  function setVersion(version) {
    if (!version) return;
    if (versionInput) versionInput.value = version;
    document.querySelectorAll(".js-version-copy").forEach(function (input) { input.value = version; });
  }

  body.addEventListener("planChanged", function (event) {
    setVersion(event.detail && event.detail.version);
  });

  // --- storage that never breaks the page (full, disabled, or holding junk) ---
  function storageGet(key) {
    try { return localStorage.getItem(key); } catch (error) { return null; }
  }
  function storageRemove(key) {
    try { localStorage.removeItem(key); } catch (error) { /* nothing to do */ }
  }
  function storageKeys() {
    var keys = [];
    try {
      for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
    } catch (error) { /* storage disabled */ }
    return keys;
  }

  /* A stored draft, or null. A draft that is not what this code wrote (bad JSON, a
     wrong shape) is deleted: it can never be reopened and must not break the page. */
  function readDraft(key) {
    var raw = storageGet(key);
    if (raw === null) return null;
    var draft = null;
    try { draft = JSON.parse(raw); } catch (error) { draft = null; }
    if (!draft || typeof draft !== "object" || !draft.data || typeof draft.data !== "object" ||
        typeof draft.url !== "string" || typeof draft.target !== "string" ||
        !/^#[\w-]+$/.test(draft.target)) {
      storageRemove(key);
      return null;
    }
    return draft;
  }

  function draftStorageKey(draftKey) { return userPrefix + draftKey; }
  function planPrefix() {
    var plan = body.dataset.plan;
    return plan ? userPrefix + "plan-" + plan + ":" : null;
  }
  function formFor(draftKey) {
    return document.querySelector('form[data-draft-key="' + CSS.escape(draftKey) + '"]');
  }

  // --- drafts: what is typed stays in localStorage until the server confirms it ---
  function draftData(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "version") return;
      (data[name] = data[name] || []).push(value);
    });
    return data;
  }

  function saveDraft(form) {
    try {
      localStorage.setItem(draftStorageKey(form.dataset.draftKey), JSON.stringify({
        saved: Date.now(),
        label: form.dataset.draftLabel,
        url: form.dataset.restoreUrl,
        target: form.dataset.restoreTarget,
        stamp: Number(form.dataset.rowStamp || 0),
        data: draftData(form)
      }));
    } catch (error) { /* storage full or disabled: the form still holds the text */ }
  }

  function setState(form, saved) {
    var state = form.querySelector(".save-state");
    if (!state) return;
    state.className = "save-state small align-self-center " + (saved ? "text-success" : "text-danger fw-semibold");
    state.textContent = "";
    var icon = document.createElement("i");
    icon.className = "bi " + (saved ? "bi-check-circle" : "bi-exclamation-circle");
    state.appendChild(icon);
    state.appendChild(document.createTextNode(saved ? " Сохранено" : " Не сохранено: нажмите «" + submitWord(form) + "»"));
  }

  function submitWord(form) {
    var button = form.querySelector("button[type=submit]");
    return button ? button.textContent.trim() : "Сохранить";
  }

  function markDirty(form) {
    form.setAttribute("data-dirty", "");
    setState(form, false);
  }

  function dirtyForms() {
    return Array.prototype.slice.call(document.querySelectorAll("form[data-draft-key][data-dirty]"));
  }

  function onEdit(event) {
    var form = event.target.closest && event.target.closest("form[data-draft-key]");
    if (!form) return;
    markDirty(form);
    saveDraft(form);
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  var savedRow = null;
  body.addEventListener("draftSaved", function (event) {
    var key = event.detail && event.detail.key;
    if (!key) return;
    storageRemove(draftStorageKey(key));
    var match = /:row-(\d+)$/.exec(key);
    savedRow = match ? match[1] : null;
  });

  function flagSaved(rowPk) {
    var cell = document.querySelector("#row-" + rowPk + " td.line-number");
    if (!cell) return;
    var flag = document.createElement("span");
    flag.className = "badge text-bg-success row-saved-flag d-block mt-1";
    flag.setAttribute("role", "status");
    flag.textContent = "Сохранено";
    cell.appendChild(flag);
    setTimeout(function () { flag.remove(); }, 6000);
  }

  function fillForm(form, data) {
    Object.keys(data).forEach(function (name) {
      var values = data[name];
      if (!Array.isArray(values)) return;
      form.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (field) {
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = values.indexOf(field.value) !== -1;
        } else if (field.type !== "hidden" || name === "client_token") {
          field.value = String(values[0]);
        }
      });
    });
  }

  // --- on return: drafts reopen in their forms, where they were ---
  function cleanUp() {
    var oldest = Date.now() - DRAFT_DAYS * 24 * 3600 * 1000;
    storageKeys().forEach(function (key) {
      if (!key || key.indexOf(PREFIX) !== 0) return;
      var raw = storageGet(key);
      var saved = 0;
      try { saved = Number(JSON.parse(raw).saved) || 0; } catch (error) { saved = 0; }
      if (saved < oldest) storageRemove(key);  // weeks old, or junk
    });
  }

  function stale(draft, draftKey) {
    var match = /:row-(\d+)$/.exec(draftKey);
    if (!match) return false;
    var line = document.getElementById("row-" + match[1]);
    // The row was saved after this draft began (another tab, another computer).
    return !!(line && !line.querySelector("form") && Number(line.dataset.stamp || 0) > Number(draft.stamp || 0));
  }

  var reopening = Promise.resolve();

  function reopenDrafts(announce) {
    reopening = reopening.then(function () { return reopenNow(announce); }).catch(function () {});
    return reopening;
  }

  function reopenNow(announce) {
    var prefix = planPrefix();
    if (!prefix) return null;
    var orphans = [];
    var chain = Promise.resolve();
    var reopened = [];
    storageKeys().forEach(function (key) {
      if (!key || key.indexOf(prefix) !== 0) return;
      var draftKey = key.slice(userPrefix.length);
      var draft = readDraft(key);
      if (!draft) return;
      if (stale(draft, draftKey)) { storageRemove(key); return; }
      if (formFor(draftKey)) return;  // it is on the screen already
      var target = document.querySelector(draft.target);
      if (!editable || !target) { orphans.push([key, draft]); return; }
      chain = chain.then(function () {
        var isNew = draft.target.indexOf("#add-") === 0;
        return htmx.ajax("GET", draft.url, { target: draft.target, swap: isNew ? "beforebegin" : "outerHTML" }).then(function () {
          var form = formFor(draftKey);
          if (!form) return;
          fillForm(form, draft.data);
          markDirty(form);
          saveDraft(form);
          reopened.push(form);
        });
      });
    });
    renderOrphans(orphans);
    return chain.then(function () {
      if (!reopened.length) return;
      if (announce) {
        showAlert("warning", "Открыт несохранённый текст (" + reopened.map(function (form) {
          return form.dataset.draftLabel;
        }).join("; ") + "). Он отмечен «Не сохранено»: проверьте его и нажмите «Сохранить» или «Добавить».");
      }
      reopened[0].scrollIntoView({ block: "center" });
    });
  }

  function renderOrphans(orphans) {
    var box = document.getElementById("drafts");
    var list = document.getElementById("drafts-list");
    if (!box || !list) return;
    list.textContent = "";
    orphans.forEach(function (pair) {
      var key = pair[0], draft = pair[1];
      var item = document.createElement("li");
      item.appendChild(document.createTextNode((draft.label || "строка") + " (" + new Date(draft.saved).toLocaleString("ru-RU") + "): "));
      var text = document.createElement("span");
      text.className = "preserve-lines";
      text.textContent = Object.keys(draft.data).filter(function (name) {
        return name !== "parent" && name !== "client_token" && name !== "grades";
      }).map(function (name) { return draft.data[name].join(", "); }).filter(Boolean).join(" · ");
      item.appendChild(text);
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "btn btn-sm btn-link py-0";
      drop.textContent = "Удалить черновик";
      drop.dataset.action = "drop-draft";
      drop.dataset.key = key;
      item.appendChild(drop);
      list.appendChild(item);
    });
    box.classList.toggle("d-none", orphans.length === 0);
  }

  // --- leaving the page with unsaved text asks first ---
  var leaving = false;

  function unsavedLabels() {
    return dirtyForms().map(function (form) { return form.dataset.draftLabel; }).join("; ");
  }

  window.addEventListener("beforeunload", function (event) {
    if (leaving || !dirtyForms().length) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers need a value to ask
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var href = link.getAttribute("href");
    if (!href || href.charAt(0) === "#" || link.target === "_blank" || link.hasAttribute("download")) return;
    if (!dirtyForms().length) return;
    var go = window.confirm("На странице есть несохранённый текст: " + unsavedLabels() +
      ".\n\nУйти со страницы? Текст останется в этом браузере и снова откроется в форме, когда вы вернётесь к плану. " +
      "Чтобы сохранить его сейчас, нажмите «Отмена» и затем «Сохранить».");
    if (!go) { event.preventDefault(); return; }
    leaving = true;  // asked once: the browser's own question would be a second one
    setTimeout(function () { leaving = false; }, 3000);
  });

  // --- buttons of forms and drafts ---
  // Capture: runs before htmx's own listener on «Отмена», so a «no» stops it.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-action]");
    if (!button) return;
    var action = button.dataset.action;
    if (action === "drop-draft") { storageRemove(button.dataset.key); reopenDrafts(false); return; }
    if (action === "cancel-new" || action === "discard-draft") {
      var form = button.closest("td").querySelector("form[data-draft-key]");
      if (form && form.hasAttribute("data-dirty") &&
          !window.confirm("Отменить правку? Введённый текст не сохранён и будет потерян.")) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      if (form) storageRemove(draftStorageKey(form.dataset.draftKey));
      if (action === "cancel-new") button.closest("tr").remove();
    }
  }, true);

  // --- the catalogue: filtered as you type, picked with a click or Enter ---
  function normalize(text) { return text.toLowerCase().replace(/ё/g, "е"); }

  function filterCatalogue(input) {
    var box = input.closest(".catalogue");
    var words = normalize(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    box.querySelectorAll(".catalogue-group").forEach(function (group) {
      var title = normalize(group.querySelector(".catalogue-group-title").textContent);
      var inGroup = 0;
      group.querySelectorAll(".catalogue-item").forEach(function (item) {
        var text = title + " " + normalize(item.textContent);
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        item.hidden = !match;
        if (match) inGroup++;
      });
      group.hidden = inGroup === 0;
      shown += inGroup;
    });
    box.querySelector(".catalogue-empty").hidden = shown > 0;
    var found = box.querySelector("[data-total]");
    found.textContent = words.length
      ? "Найдено: " + shown + " из " + found.dataset.total + "."
      : "В каталоге " + found.dataset.total + ". Нажмите мероприятие, чтобы заполнить строку.";
  }

  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("js-catalogue-search")) filterCatalogue(event.target);
  });

  function visibleItems(box) {
    return Array.prototype.filter.call(box.querySelectorAll(".catalogue-item"), function (item) {
      return !item.hidden && !item.closest(".catalogue-group").hidden;
    });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.closest) return;
    var box = target.closest(".catalogue");
    if (box && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      var items = visibleItems(box);
      var index = items.indexOf(target);
      var next = event.key === "ArrowDown" ? index + 1 : index - 1;
      if (target.classList.contains("js-catalogue-search")) next = event.key === "ArrowDown" ? 0 : -1;
      event.preventDefault();
      if (next < 0) box.querySelector(".js-catalogue-search").focus();
      else if (items[next]) items[next].focus();
      return;
    }
    if (box && event.key === "Escape" && !target.classList.contains("js-catalogue-search")) {
      box.querySelector(".js-catalogue-search").focus();
      return;
    }
    if (target.classList.contains("js-catalogue-search") && event.key === "Enter") {
      event.preventDefault();  // not a submit of anything
      var first = visibleItems(box)[0];
      if (first) first.focus();
      return;
    }
    // Rows move by keyboard: ↑ and ↓ on a row's move buttons.
    if (target.classList.contains("js-move") && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      var button = target.closest("td").querySelector('.js-move[data-direction="' + (event.key === "ArrowUp" ? "up" : "down") + '"]');
      if (button && !button.disabled) button.click();
    }
  });

  document.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest(".catalogue-item");
    if (!item) return;
    var row = item.closest("tr");
    var form = row.querySelector("form[data-draft-key]");
    if (form && form.hasAttribute("data-dirty") &&
        !window.confirm("Заменить введённый текст мероприятием из каталога?")) return;
    if (form) storageRemove(draftStorageKey(form.dataset.draftKey));
    var url = item.closest(".catalogue").dataset.catalogueUrl + "&activity=" + encodeURIComponent(item.dataset.activity);
    htmx.ajax("GET", url, { target: row, swap: "outerHTML" });
  });

  // --- rows reordered: by dragging (SortableJS), by the buttons, by ↑ ↓ ---
  var focusAfterMove = null;

  body.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    if (source && source.classList && source.classList.contains("js-move")) {
      focusAfterMove = { row: source.closest("tr").id, direction: source.dataset.direction };
    }
  });

  function lineBefore(tr) {
    var line = tr.previousElementSibling;
    while (line && (!line.id || !/^(row|item)-\d+$/.test(line.id))) line = line.previousElementSibling;
    return line;
  }

  function enableDragging(table) {
    var tbody = table && table.querySelector("tbody");
    if (!editable || !tbody || !window.Sortable || tbody.dataset.sortable) return;
    tbody.dataset.sortable = "1";
    window.Sortable.create(tbody, {
      draggable: "tr[data-movable]",
      handle: ".drag-handle",
      animation: 150,
      // Mouse and touch events rather than the browser's drag and drop, which drags
      // table rows badly (and not at all on touch screens).
      forceFallback: true,
      fallbackOnBody: true,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) return;
        var before = lineBefore(event.item);
        var row = event.item.id.replace("row-", "");
        focusAfterMove = { row: event.item.id, direction: "up" };
        htmx.ajax("POST", table.dataset.rowsUrl + row + "/move/", {
          target: "#plan-table",
          swap: "outerHTML",
          values: { after: before ? before.id : "", version: versionInput ? versionInput.value : "" }
        });
      }
    });
  }

  function announce(text) {
    var status = document.getElementById("move-status");
    if (!status) {
      status = document.createElement("div");
      status.id = "move-status";
      status.className = "visually-hidden";
      status.setAttribute("aria-live", "polite");
      body.appendChild(status);
    }
    status.textContent = text;
  }

  function afterTable() {
    if (!focusAfterMove) return;
    var line = document.getElementById(focusAfterMove.row);
    var wanted = focusAfterMove;
    focusAfterMove = null;
    if (!line) return;
    var button = line.querySelector('.js-move[data-direction="' + wanted.direction + '"]:not([disabled])') ||
      line.querySelector(".js-move:not([disabled])");
    if (button) button.focus();
    announce("Строка теперь под номером " + line.dataset.number);
  }

  // --- errors in plain words; the typed text stays in the form and in the browser ---
  function showAlert(kind, text, html) {
    var box = document.getElementById("alerts");
    if (!box) { window.alert(text); return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-" + kind + " alert-dismissible";
    alert.setAttribute("role", "alert");
    alert.textContent = text + " ";
    if (html) alert.appendChild(html);
    var close = document.createElement("button");
    close.type = "button"; close.className = "btn-close"; close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Закрыть");
    alert.appendChild(close);
    box.appendChild(alert);
    alert.scrollIntoView({ block: "nearest" });
  }

  body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401) {
      var link = document.createElement("a");
      link.href = "/accounts/login/?next=" + encodeURIComponent(window.location.pathname);
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = "Войти снова (в новой вкладке)";
      showAlert("warning", "Сеанс работы истёк. Введённый текст не потерян: он сохранён в этом браузере. Войдите снова, вернитесь в эту вкладку и нажмите «Сохранить» ещё раз.", link);
    } else if (status === 400 && /^text\/plain/.test(event.detail.xhr.getResponseHeader("Content-Type") || "")) {
      // The server says in one line what was wrong (too much text in one request).
      showAlert("warning", event.detail.xhr.responseText);
    } else if (status === 403) {
      showAlert("warning", "Сервер не принял форму (устаревшая страница или нет прав). Введённый текст сохранён в браузере: обновите страницу, и он откроется в форме снова.");
    } else {
      showAlert("danger", "Не удалось сохранить: ошибка на сервере (" + status + "). Введённый текст сохранён в браузере; попробуйте ещё раз через минуту.");
    }
  });

  body.addEventListener("htmx:sendError", function () {
    showAlert("danger", "Нет связи с сервером. Введённый текст сохранён в браузере; попробуйте сохранить ещё раз.");
  });

  body.addEventListener("htmx:afterSettle", function (event) {
    // A form the server sent back with the user's text (an error, a conflict) or
    // prefilled from the catalogue holds text that is not saved yet.
    document.querySelectorAll("form[data-draft-key][data-unsaved]").forEach(function (form) {
      form.removeAttribute("data-unsaved");
      markDirty(form);
      saveDraft(form);
    });
    if (savedRow) { flagSaved(savedRow); savedRow = null; }
    var target = event.detail.target;
    if (target && target.id === "plan-table") {
      enableDragging(document.getElementById("plan-table"));
      afterTable();
      // Redrawing the table (a move, an added row) closes open forms: their drafts
      // reopen at once.
      reopenDrafts(false);
    }
  });

  function start() {
    cleanUp();
    enableDragging(document.getElementById("plan-table"));
    reopenDrafts(true);
  }
  // After htmx has wired the page (it starts on DOMContentLoaded too, registered first).
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
