/* Warns a few minutes before the session ends, with «Остаться в системе».
   The server slides the session on every request (SESSION_SAVE_EVERY_REQUEST), so
   the clock restarts at each page load, each htmx request and each keep-alive. The
   last activity is shared through localStorage: work in another tab counts too.
   Settings come from data attributes on <body>; no inline scripts (CSP). */
(function () {
  "use strict";
  var body = document.body;
  var age = parseInt(body.dataset.sessionAge, 10);
  if (!age) return;
  // Warn at most half the session ahead, so a short session still works mostly unbothered.
  var lead = Math.min(parseInt(body.dataset.sessionWarning, 10) || 300, age / 2);
  var KEY = "profplan:session:last";
  var banner = null;
  var expired = false;

  function now() { return Date.now(); }

  function lastActivity() {
    var stored = 0;
    try { stored = parseInt(localStorage.getItem(KEY), 10) || 0; } catch (error) { /* storage off */ }
    return Math.max(stored, ownLast);
  }

  var ownLast = now();
  function touch() {
    ownLast = now();
    try { localStorage.setItem(KEY, String(ownLast)); } catch (error) { /* storage off */ }
  }
  touch();

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function loginUrl() {
    return body.dataset.loginUrl + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
  }

  function showBanner() {
    if (banner) return banner;
    banner = document.createElement("div");
    banner.id = "session-warning";
    banner.className = "alert alert-warning shadow position-fixed bottom-0 end-0 m-3 z-3";
    banner.setAttribute("role", "alertdialog");
    banner.setAttribute("aria-live", "assertive");
    var text = document.createElement("p");
    text.className = "mb-2";
    text.id = "session-warning-text";
    var stay = document.createElement("button");
    stay.type = "button";
    stay.className = "btn btn-primary btn-sm";
    stay.textContent = "Остаться в системе";
    stay.addEventListener("click", keepAlive);
    var login = document.createElement("a");
    login.className = "btn btn-outline-primary btn-sm d-none";
    login.id = "session-login";
    login.textContent = "Войти снова";
    banner.appendChild(text);
    banner.appendChild(stay);
    banner.appendChild(login);
    body.appendChild(banner);
    return banner;
  }

  function hideBanner() {
    if (banner) { banner.remove(); banner = null; }
  }

  function minutesText(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = Math.max(0, Math.round(seconds % 60));
    return minutes > 0 ? minutes + " мин " + rest + " с" : rest + " с";
  }

  function showExpired() {
    expired = true;
    var box = showBanner();
    box.querySelector("#session-warning-text").textContent =
      "Сеанс работы истёк. Введённый текст не потерян: он сохранён в этом браузере. Войдите снова — вы вернётесь на эту страницу.";
    box.querySelector("button").classList.add("d-none");
    var login = box.querySelector("#session-login");
    login.href = loginUrl();
    login.classList.remove("d-none");
  }

  function keepAlive() {
    fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
      redirect: "manual"
    }).then(function (response) {
      if (response.status === 204) { touch(); hideBanner(); } else { showExpired(); }
    }).catch(function () {
      var box = showBanner();
      box.querySelector("#session-warning-text").textContent =
        "Нет связи с сервером. Проверьте подключение и нажмите «Остаться в системе» ещё раз.";
    });
  }

  function tick() {
    if (expired) return;
    var left = age - (now() - lastActivity()) / 1000;
    if (left <= 0) { showExpired(); return; }
    if (left <= lead) {
      showBanner().querySelector("#session-warning-text").textContent =
        "Сеанс работы закончится через " + minutesText(left) + ". Чтобы продолжить работу, нажмите «Остаться в системе».";
    } else {
      hideBanner();
    }
  }

  // Every answered htmx request (a saved row) slid the session on the server.
  body.addEventListener("htmx:afterRequest", function (event) {
    var status = event.detail.xhr && event.detail.xhr.status;
    if (status && status !== 401) touch();
  });
  window.addEventListener("storage", function (event) { if (event.key === KEY) tick(); });
  setInterval(tick, 1000);
})();
