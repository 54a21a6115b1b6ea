// Live countdowns to each case's deadline, and its at-risk / breached mark.
// A case is at risk in the last quarter of its time and breached from its deadline
// on (the same rule as consentgate.cases.deadlines). The server's clock is the
// reference: the page states it, and the browser's offset from it is kept.
(function () {
  "use strict";
  var root = document.querySelector("[data-server-now]");
  if (!root) { return; }
  var offset = Date.parse(root.getAttribute("data-server-now")) - Date.now();
  var words = { on_time: "On time", at_risk: "At risk", breached: "Breached" };

  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600);
    var m = Math.floor(s % 3600 / 60), sec = s % 60;
    if (d > 0) { return d + "d " + h + "h"; }
    if (h > 0) { return h + "h " + String(m).padStart(2, "0") + "m"; }
    return m + "m " + String(sec).padStart(2, "0") + "s";
  }

  function tick() {
    var now = Date.now() + offset;
    document.querySelectorAll("time[data-live]").forEach(function (el) {
      var deadline = Date.parse(el.getAttribute("datetime"));
      var received = Date.parse(el.getAttribute("data-received"));
      var left = deadline - now;
      var state = left <= 0 ? "breached" : (left <= (deadline - received) / 4 ? "at_risk" : "on_time");
      var label = el.parentNode.querySelector("[data-left]");
      if (label) { label.textContent = left > 0 ? span(left) + " left" : "overdue by " + span(left); }
      var holder = el.closest("[data-clock-holder]");
      if (!holder) { return; }
      holder.classList.remove("clock-on_time", "clock-at_risk", "clock-breached");
      holder.classList.add("clock-" + state);
      var mark = holder.querySelector("[data-clock]");
      if (mark) { mark.textContent = words[state]; mark.className = "clock " + state; }
    });
  }
  tick();
  window.setInterval(tick, 1000);
}());
