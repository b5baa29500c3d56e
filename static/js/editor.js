/* The plan editor: keeps the page's plan version current, keeps typed text in the
   browser until the server has it, and says plainly what went wrong. No inline
   scripts: everything is wired here by delegation. */
(function () {
  "use strict";
  var PREFIX = "profplan:draft:";
  var versionInput = document.getElementById("plan-version");

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  // Signing in again (in another tab) rotates the CSRF token: read it afresh for
  // every request so that the next save after re-login goes through.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) event.detail.headers["X-CSRFToken"] = token;
  });

  function setVersion(version) {
    if (!version) return;
    if (versionInput) versionInput.value = version;
    document.querySelectorAll(".js-version-copy").forEach(function (input) { input.value = version; });
  }

  document.body.addEventListener("planChanged", function (event) {
    setVersion(event.detail && event.detail.version);
  });

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
      localStorage.setItem(PREFIX + form.dataset.draftKey, JSON.stringify({
        saved: Date.now(),
        label: form.dataset.draftLabel,
        url: form.dataset.restoreUrl,
        target: form.dataset.restoreTarget,
        data: draftData(form)
      }));
    } catch (error) { /* storage full or disabled: nothing more we can do here */ }
  }

  function onEdit(event) {
    var form = event.target.closest && event.target.closest("form[data-draft-key]");
    if (form) saveDraft(form);
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  document.body.addEventListener("draftSaved", function (event) {
    if (event.detail && event.detail.key) localStorage.removeItem(PREFIX + event.detail.key);
    renderDrafts();
  });

  function fillForm(form, data) {
    Object.keys(data).forEach(function (name) {
      var values = data[name];
      form.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (field) {
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = values.indexOf(field.value) !== -1;
        } else if (field.type !== "hidden" || name === "client_token") {
          field.value = values[0];
        }
      });
    });
  }

  function planPrefix() {
    var plan = document.body.dataset.plan;
    return plan ? PREFIX + "plan-" + plan + ":" : null;
  }

  function renderDrafts() {
    var box = document.getElementById("drafts");
    var list = document.getElementById("drafts-list");
    var prefix = planPrefix();
    if (!box || !list || !prefix) return;
    list.textContent = "";
    var count = 0;
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key.indexOf(prefix) !== 0) continue;
      var draft;
      try { draft = JSON.parse(localStorage.getItem(key)); } catch (error) { continue; }
      var openForm = document.querySelector('form[data-draft-key="' + CSS.escape(key.slice(PREFIX.length)) + '"]');
      if (openForm) continue;  // it is on the screen already
      count++;
      var item = document.createElement("li");
      item.textContent = (draft.label || "строка") + " (" + new Date(draft.saved).toLocaleString("ru-RU") + ") ";
      var restore = document.createElement("button");
      restore.type = "button";
      restore.className = "btn btn-sm btn-warning py-0 ms-1";
      restore.textContent = "Восстановить";
      restore.dataset.action = "restore-draft";
      restore.dataset.key = key;
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "btn btn-sm btn-link py-0";
      drop.textContent = "Удалить черновик";
      drop.dataset.action = "drop-draft";
      drop.dataset.key = key;
      item.appendChild(restore);
      item.appendChild(drop);
      list.appendChild(item);
    }
    box.classList.toggle("d-none", count === 0);
  }

  function restoreDraft(key) {
    var draft = JSON.parse(localStorage.getItem(key));
    var target = document.querySelector(draft.target);
    if (!target) { showAlert("warning", "Строка, к которой относится черновик, больше не существует. Текст черновика: " + JSON.stringify(draft.data)); return; }
    var isNew = draft.target.indexOf("#add-") === 0;
    htmx.ajax("GET", draft.url, { target: target, swap: isNew ? "beforebegin" : "outerHTML" }).then(function () {
      var form = document.querySelector('form[data-draft-key="' + CSS.escape(key.slice(PREFIX.length)) + '"]');
      if (form) { fillForm(form, draft.data); saveDraft(form); }
      renderDrafts();
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) return;
    var action = button.dataset.action;
    if (action === "restore-draft") restoreDraft(button.dataset.key);
    if (action === "drop-draft") { localStorage.removeItem(button.dataset.key); renderDrafts(); }
    if (action === "cancel-new" || action === "discard-draft") {
      var form = button.closest("td").querySelector("form[data-draft-key]");
      if (form) localStorage.removeItem(PREFIX + form.dataset.draftKey);
      if (action === "cancel-new") button.closest("tr").remove();
    }
  });

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

  document.body.addEventListener("htmx:responseError", function (event) {
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
      showAlert("warning", "Сервер не принял форму (устаревшая страница или нет прав). Введённый текст сохранён в браузере: обновите страницу и восстановите его из черновика.");
    } else {
      showAlert("danger", "Не удалось сохранить: ошибка на сервере (" + status + "). Введённый текст сохранён в браузере; попробуйте ещё раз через минуту.");
    }
  });

  document.body.addEventListener("htmx:sendError", function () {
    showAlert("danger", "Нет связи с сервером. Введённый текст сохранён в браузере; попробуйте сохранить ещё раз.");
  });

  document.body.addEventListener("htmx:afterSettle", renderDrafts);
  renderDrafts();
})();
