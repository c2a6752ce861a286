// The exam timer: counts down from the seconds the server rendered into the page. The server's
// deadline is what counts; at zero the page goes to the attempt, which the server has closed.
(function () {
  var el = document.getElementById("time-left");
  if (!el) return;
  var left = parseInt(el.getAttribute("data-seconds"), 10);
  var target = el.getAttribute("data-expired");
  var ends = Date.now() + left * 1000;
  function show() {
    var s = Math.max(0, Math.round((ends - Date.now()) / 1000));
    el.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    if (s === 300 || s === 60) el.parentNode.setAttribute("aria-live", "assertive");
    if (s <= 0) { window.location.assign(target); return; }
    window.setTimeout(show, 500);
  }
  show();
})();
