// Single-key shortcuts (as Bluesky's Ozone): j/k move, Enter opens, r remove,
// n no action, e escalate, ? lists the keys. Keys are ignored while typing in a
// field or with a modifier held, so they never take a reviewer's text.
(function () {
  "use strict";
  var help = document.getElementById("keys-help");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-href]"));
  var at = -1;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function select(i) {
    if (!rows.length) { return; }
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (row, j) {
      row.classList.toggle("selected", j === at);
      if (j === at) { row.setAttribute("aria-current", "true"); } else { row.removeAttribute("aria-current"); }
    });
    var link = rows[at].querySelector("a");
    if (link) { link.focus(); }
  }

  function toggleHelp(show) {
    if (!help) { return; }
    help.hidden = show === undefined ? !help.hidden : !show;
    if (!help.hidden) { help.focus(); }
  }

  function onCase(action) {
    var radio = document.querySelector("input[name=action][value=" + action + "]");
    if (radio) {
      radio.checked = true;
      var reason = document.getElementById("reason");
      if (reason) { reason.focus(); }
      return true;
    }
    if (action === "escalate") {
      var why = document.getElementById("escalate-reason");
      if (why) { why.focus(); return true; }
    }
    return false;
  }

  function act(action) {
    if (rows.length) {
      if (at < 0) { select(0); }
      var row = rows[at];
      if (row.getAttribute("data-may-decide") === "true") {
        window.location.href = row.getAttribute("data-href") + "?act=" + action;
      }
      return;
    }
    onCase(action);
  }

  document.querySelectorAll("[data-toggle-keys]").forEach(function (button) {
    button.addEventListener("click", function () { toggleHelp(); });
  });

  if (rows.length) {
    rows.forEach(function (row, j) {
      row.addEventListener("click", function () { select(j); });
    });
    select(0);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") { toggleHelp(false); return; }
    if (typing(event.target)) { return; }
    var key = event.key;
    if (key === "?") { toggleHelp(); event.preventDefault(); return; }
    if (key === "j") { select(at + 1); event.preventDefault(); return; }
    if (key === "k") { select(at - 1); event.preventDefault(); return; }
    if (key === "Enter" && rows.length && at >= 0 && event.target === document.body) {
      window.location.href = rows[at].getAttribute("data-href");
      event.preventDefault();
      return;
    }
    var action = { r: "remove", n: "no_action", e: "escalate" }[key];
    if (action) { act(action); event.preventDefault(); }
  });
}());
