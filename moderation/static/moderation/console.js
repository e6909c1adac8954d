// Keyboard shortcuts for the moderation console (no framework, no build step).
(function () {
  "use strict";

  function typing(event) {
    var el = event.target;
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function queue() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tbody tr[data-href]"));
    var index = rows.length ? 0 : -1;
    function select(next) {
      if (!rows.length) return;
      if (index >= 0) rows[index].classList.remove("selected");
      index = Math.max(0, Math.min(rows.length - 1, next));
      rows[index].classList.add("selected");
      rows[index].scrollIntoView({ block: "nearest" });
    }
    select(0);
    rows.forEach(function (row, i) {
      row.addEventListener("click", function (event) {
        if (event.target.tagName !== "A") { select(i); window.location = row.dataset.href; }
      });
    });
    return function (event) {
      if (event.key === "j") select(index + 1);
      else if (event.key === "k") select(index - 1);
      else if ((event.key === "o" || event.key === "Enter") && index >= 0) {
        window.location = rows[index].dataset.href;
      } else if (event.key === "/") {
        var filter = document.querySelector(".filters select");
        if (filter) { event.preventDefault(); filter.focus(); }
      } else return false;
      return true;
    };
  }

  function casePage() {
    return function (event) {
      if (event.key === "r") {
        var reason = document.getElementById("reason");
        if (reason) { event.preventDefault(); reason.focus(); }
        return true;
      }
      if (event.key === " " && document.getElementById("player")) {
        var player = document.getElementById("player");
        event.preventDefault();
        if (player.paused) player.play(); else player.pause();
        return true;
      }
      var target = document.querySelector('[data-key="' + event.key + '"]');
      if (!target) return false;
      if (target.tagName === "BUTTON" && target.form && target.form.id === "decide-form") {
        var select = document.getElementById("reason");
        if (select && !select.value) { select.focus(); select.reportValidity(); return true; }
      }
      target.click();
      return true;
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.body.dataset.page;
    var handler = page === "queue" ? queue() : page === "case" ? casePage() : null;
    document.addEventListener("keydown", function (event) {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "?") {
        window.alert("Queue: j/k move, o or Enter open, / filters.\n" +
                     "Case: a assign/release, r reason, 1-7 decide, space play, u back to queue.");
        return;
      }
      if (handler && handler(event)) event.preventDefault();
    });
  });
})();
