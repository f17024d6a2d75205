// Study page: keyboard shortcuts and the answer timer. Plain JavaScript, no
// library. Everything works without it; it only makes studying faster.
//   1-9    pick the n-th choice (toggle it in a "choose N" question)
//   Enter  submit the answer; on the result, go to the next question
//   N      next question
// In a lab's text area Enter is a new line: Ctrl+Enter (Cmd+Enter) submits.
(function () {
  "use strict";

  var form = document.getElementById("answer-form");

  // The timer counts only while the page is visible, so a question left in
  // a background tab does not look like a slow (Hard) answer.
  var shownMs = 0;
  var since = document.hidden ? null : performance.now();
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && since !== null) {
      shownMs += performance.now() - since;
      since = null;
    } else if (!document.hidden && since === null) {
      since = performance.now();
    }
  });
  function elapsed() {
    return Math.round(shownMs + (since === null ? 0 : performance.now() - since));
  }

  var submitted = false;
  if (form) {
    form.addEventListener("submit", function (event) {
      if (submitted) { // a second Enter while the first is on its way
        event.preventDefault();
        return;
      }
      submitted = true;
      var field = document.getElementById("duration_ms");
      if (field) { field.value = String(elapsed()); }
    });
  }

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || target.isContentEditable) { return true; }
    if (tag !== "input") { return false; }
    var type = (target.getAttribute("type") || "text").toLowerCase();
    return ["radio", "checkbox", "submit", "button", "hidden"].indexOf(type) === -1;
  }

  function submitAnswer() {
    if (!form || submitted) { return; }
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.defaultPrevented) { return; }
    var next = document.getElementById("next");
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submitAnswer();
      return;
    }
    if (event.ctrlKey || event.metaKey) { return; }
    if (typing(target)) { return; } // Enter in a text field submits its form natively
    if (event.key === "Enter") {
      if (target && target.tagName && ["button", "a", "summary"].indexOf(target.tagName.toLowerCase()) !== -1) {
        return; // the focused control handles its own Enter
      }
      if (form) {
        event.preventDefault();
        submitAnswer();
      } else if (next) {
        event.preventDefault();
        next.click();
      }
      return;
    }
    if ((event.key === "n" || event.key === "N") && next && !form) {
      event.preventDefault();
      next.click();
      return;
    }
    if (form && /^[1-9]$/.test(event.key)) {
      var input = form.querySelector('input[data-shortcut="' + event.key + '"]');
      if (!input) { return; }
      event.preventDefault();
      input.checked = input.type === "checkbox" ? !input.checked : true;
      input.focus();
    }
  });

  // Settings: offer the browser's own time zone.
  var hint = document.getElementById("tz-hint");
  var use = document.getElementById("tz-use");
  var zoneField = document.getElementById("f-tz");
  if (hint && use && zoneField && window.Intl) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zone !== zoneField.value) {
      use.textContent = zone;
      hint.hidden = false;
      use.addEventListener("click", function () { zoneField.value = zone; });
    }
  }
})();
