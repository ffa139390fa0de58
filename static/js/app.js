// Rapport's small layer of behaviour on top of server-rendered pages.
// Everything here is an enhancement: every page works without it.
// No inline handlers: listeners are delegated from the document.
(function () {
  "use strict";

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    try {
      return JSON.parse(headers)["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  // Flash messages: dismiss on click, successes fade after a while.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss='flash']");
    if (button) {
      button.closest(".flash").remove();
    }
  });

  function scheduleFlashes(root) {
    root.querySelectorAll(".flash-success, .flash-info").forEach(function (flash) {
      // One that offers an action (Undo) stays until dismissed.
      if (flash.dataset.scheduled || flash.querySelector(".flash-action")) return;
      flash.dataset.scheduled = "1";
      setTimeout(function () {
        if (!flash.matches(":hover, :focus-within")) flash.remove();
      }, 8000);
    });
  }

  // A partial update the server refused (a form that expired, a page gone,
  // an error) or that never reached it would otherwise change nothing on
  // screen: say so, in the words of the error page when there is one, and
  // keep what the member typed. Polls stay quiet; they try again by themselves.
  function showRequestFailed(detail) {
    var template = document.getElementById("request-failed");
    var region = document.getElementById("flash");
    var trigger = detail.elt && detail.elt.getAttribute && detail.elt.getAttribute("hx-trigger");
    if (!template || !region || /\bevery\b/.test(trigger || "")) return;
    var flash = template.content.firstElementChild.cloneNode(true);
    var xhr = detail.xhr;
    if (xhr && xhr.responseText) {
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var heading = page.querySelector(".error-card h1");
      var text = page.querySelector(".error-card .lead");
      if (heading) flash.querySelector("[data-failed-heading]").textContent = heading.textContent.trim();
      if (text) flash.querySelector("[data-failed-text]").textContent = text.textContent.trim();
    }
    region.querySelectorAll("[data-request-failed]").forEach(function (old) {
      old.remove();
    });
    region.appendChild(flash);
  }

  document.addEventListener("htmx:responseError", function (event) {
    showRequestFailed(event.detail);
  });
  document.addEventListener("htmx:sendError", function (event) {
    showRequestFailed(event.detail);
  });

  // The member's menu: close it on Escape or a click elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  // Escape closes the dialog if one is open (the menu it came from stays as
  // it was), else the open menus.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var dialog = document.querySelector(".dialog-backdrop");
    if (dialog) {
      closeDialog(dialog);
      return;
    }
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  // Theme: apply at once, remember on the server.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-theme-switch]");
    if (!form) return;
    event.preventDefault();
    var theme = event.submitter ? event.submitter.value : "system";
    document.documentElement.dataset.theme = theme;
    document.querySelectorAll("[data-theme-switch] button").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.value === theme));
    });
    var body = new FormData(form);
    body.set("theme", theme);
    fetch(form.action, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      credentials: "same-origin",
    });
  });

  // Character counters: <textarea maxlength="300" data-counter> shows what is left.
  function updateCounter(field) {
    var counter = field.parentElement.querySelector(
      ".char-counter[data-for='" + field.id + "']"
    );
    if (!counter) {
      counter = document.createElement("span");
      counter.className = "char-counter";
      counter.dataset.for = field.id;
      counter.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", counter);
    }
    var max = parseInt(field.getAttribute("maxlength") || field.dataset.max, 10);
    var threshold = parseInt(field.dataset.counter || "0", 10);
    var left = max - field.value.length;
    var show = !threshold || field.value.length >= threshold;
    counter.hidden = !show;
    counter.textContent = left + " / " + max;
    counter.classList.toggle("is-near", left <= Math.max(20, max * 0.05) && left >= 0);
    counter.classList.toggle("is-over", left < 0);
  }

  function initCounters(root) {
    root.querySelectorAll("[data-counter]").forEach(updateCounter);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-counter]")) updateCounter(event.target);
  });

  // Dialogs that htmx inserts: close on the backdrop, Escape or [data-close].
  // While one is open the focus stays in it; when it closes, the focus goes
  // back to what opened it.
  function closeDialog(backdrop) {
    backdrop.remove();
    returnFromDialog();
  }

  function returnFromDialog() {
    var opener = document.querySelector("[data-dialog-opener]");
    if (!opener) return;
    opener.removeAttribute("data-dialog-opener");
    opener.focus();
  }

  var FOCUSABLE =
    "a[href], button:not([disabled]), input:not([type='hidden']):not([disabled]), " +
    "select:not([disabled]), textarea:not([disabled]), summary, [tabindex]";

  function focusables(root) {
    return Array.prototype.filter.call(root.querySelectorAll(FOCUSABLE), function (elt) {
      return elt.tabIndex >= 0 && elt.getClientRects().length > 0;
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") return;
    var dialog = document.querySelector(".dialog-backdrop .dialog");
    if (!dialog) return;
    var items = focusables(dialog);
    if (!items.length) {
      event.preventDefault();
      dialog.focus();
      return;
    }
    var first = items[0];
    var last = items[items.length - 1];
    var active = document.activeElement;
    if (!dialog.contains(active) || active === dialog) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    } else if (event.shiftKey && active === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var backdrop = event.target.closest(".dialog-backdrop");
    if (!backdrop) return;
    if (event.target === backdrop || event.target.closest("[data-close]")) {
      event.preventDefault();
      closeDialog(backdrop);
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.matches("[hx-target='#dialog']") && !elt.closest(".dialog")) {
      document.querySelectorAll("[data-dialog-opener]").forEach(function (other) {
        other.removeAttribute("data-dialog-opener");
      });
      elt.setAttribute("data-dialog-opener", "");
    }
  });

  // A dialog that opens (or comes back with an answer) takes the focus: on
  // the field to correct, else the first field to fill in, else the dialog
  // itself, whose name and text a screen reader then reads out. A dialog
  // that only asks to confirm leaves its buttons to a deliberate Tab.
  function focusDialog(root) {
    if (!root.querySelector) return;
    var dialog =
      (root.closest && root.closest(".dialog-backdrop .dialog")) ||
      root.querySelector(".dialog-backdrop .dialog");
    if (!dialog) return;
    var field =
      dialog.querySelector("[aria-invalid='true']") ||
      focusables(dialog).filter(function (elt) {
        return elt.matches("input, select, textarea");
      })[0];
    (field || dialog).focus();
  }

  // A dialog the server closed (emptied #dialog) gives the focus back too.
  document.addEventListener("htmx:afterSettle", function (event) {
    var slot = document.getElementById("dialog");
    if (slot && event.target === slot && !slot.querySelector(".dialog")) {
      returnFromDialog();
    }
  });

  // Partial updates keep the keyboard's place. When a swap takes away (or
  // hides) the element that had the focus, the focus goes to its counterpart
  // in the new content (the same action: a star, Like, Comment), else to the
  // new content itself ("Load more": the first new item; an answered
  // invitation: its row), else beside what was removed, instead of falling
  // back to the top of the page. A control that says where its new content
  // starts (data-focus-new=".message": "Load earlier messages", whose first
  // new item is the next such control) sends the focus there.
  var focusPlace = null;

  function visible(elt) {
    return elt.isConnected && elt.getClientRects().length > 0;
  }

  function attributeSelector(name, value) {
    return "[" + name + '="' + CSS.escape(value) + '"]';
  }

  function counterpartSelectors(elt) {
    var tag = elt.tagName.toLowerCase();
    var selectors = [];
    ["hx-post", "hx-get", "formaction", "href"].forEach(function (name) {
      var value = elt.getAttribute(name);
      if (value) selectors.push(tag + attributeSelector(name, value));
    });
    var form = elt.form;
    var action = form && (form.getAttribute("hx-post") || form.getAttribute("action"));
    if (action && form.contains(elt)) {
      var scope = "form" + attributeSelector(form.hasAttribute("hx-post") ? "hx-post" : "action", action) + " " + tag;
      var name = elt.getAttribute("name");
      if (name) {
        if (elt.getAttribute("value")) {
          selectors.push(scope + attributeSelector("name", name) + attributeSelector("value", elt.getAttribute("value")));
        }
        selectors.push(scope + attributeSelector("name", name));
      }
      if (elt.getAttribute("type")) selectors.push(scope + attributeSelector("type", elt.getAttribute("type")));
    }
    return selectors;
  }

  // A button disabled while its request runs (hx-disabled-elt) loses the
  // focus then: where it was is noted before.
  var focusAtRequest = null;

  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    focusAtRequest = active && active !== document.body ? active : null;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    if ((!active || active === document.body) && focusAtRequest) active = focusAtRequest;
    focusAtRequest = null;
    var target = event.detail.target;
    if (!event.detail.shouldSwap || !target || !active || active === document.body) return;
    focusPlace = {
      elt: active,
      selectors: counterpartSelectors(active),
      focusNew: active.getAttribute("data-focus-new"),
      target: target,
      parent: target.parentNode,
      before: target.previousSibling,
      after: target.nextSibling,
      // Beside it, or beside the list item it sat in.
      nextItem: target.nextElementSibling || (target.parentElement && target.parentElement.nextElementSibling),
      previousItem:
        target.previousElementSibling || (target.parentElement && target.parentElement.previousElementSibling),
    };
  });

  function newContent(place) {
    if (place.target.isConnected) return [place.target];
    var parent = place.parent;
    if (!parent || !parent.isConnected) return [];
    var node =
      place.before && place.before.parentNode === parent ? place.before.nextSibling : parent.firstChild;
    var elements = [];
    while (node && node !== place.after) {
      if (node.nodeType === 1) elements.push(node);
      node = node.nextSibling;
    }
    return elements;
  }

  function focusInPlace(elt) {
    if (!(elt.tabIndex >= 0) && !elt.hasAttribute("tabindex")) elt.setAttribute("tabindex", "-1");
    elt.focus();
  }

  document.addEventListener("htmx:afterSettle", function () {
    var place = focusPlace;
    focusPlace = null;
    if (!place) return;
    var active = document.activeElement;
    if (active && active !== document.body && active !== place.elt) return;
    if (visible(place.elt)) return;
    var content = newContent(place);
    if (place.focusNew) {
      for (var k = 0; k < content.length; k++) {
        var first = content[k].matches(place.focusNew) ? content[k] : content[k].querySelector(place.focusNew);
        if (first && visible(first)) {
          focusInPlace(first);
          return;
        }
      }
    }
    for (var i = 0; i < place.selectors.length; i++) {
      for (var j = 0; j < content.length; j++) {
        var root = content[j];
        var match = root.matches(place.selectors[i]) ? root : root.querySelector(place.selectors[i]);
        if (match && visible(match)) {
          match.focus();
          return;
        }
      }
    }
    var landing =
      content.filter(visible)[0] ||
      [place.nextItem, place.previousItem].filter(function (elt) {
        return elt && visible(elt);
      })[0] ||
      document.getElementById("main");
    if (landing) focusInPlace(landing);
  });

  // Network: the relationship button, inline saves and removed connections.
  // A page that shows a member's button (#relationship-<id>, which carries its
  // own refresh URL) reloads it when the server reports a change in
  // HX-Trigger: relationshipChanged {member: id}. A removed connection takes
  // its rows ([data-connection-row=id]) with it: connectionRemoved {member: id}.
  function ensureDialogSlot() {
    if (!document.getElementById("dialog") && document.body) {
      var slot = document.createElement("div");
      slot.id = "dialog";
      document.body.appendChild(slot);
    }
  }

  document.body.addEventListener("relationshipChanged", function (event) {
    var id = event.detail && event.detail.member;
    var button = id && document.getElementById("relationship-" + id);
    if (button && window.htmx && button.dataset.relationshipUrl) {
      window.htmx.ajax("GET", button.dataset.relationshipUrl, {
        target: button,
        swap: "outerHTML",
      });
    }
  });

  document.body.addEventListener("connectionRemoved", function (event) {
    var id = event.detail && event.detail.member;
    if (!id) return;
    document.querySelectorAll("[data-connection-row='" + id + "']").forEach(function (row) {
      row.remove();
    });
  });

  // Forms that save as soon as a choice changes keep their submit button only
  // for browsers without JavaScript.
  function hideAutosaveButtons(root) {
    root.querySelectorAll("[data-autosave-button]").forEach(function (button) {
      button.hidden = true;
    });
  }

  // Contacts list: the bulk bar says how many rows are selected, and "Select
  // all" (shown only with JavaScript) ticks every row loaded so far. The
  // checkboxes belong to the bar's form through their form= attribute.
  function updateBulk() {
    var bar = document.querySelector("[data-bulk]");
    if (!bar) return;
    var items = document.querySelectorAll("[data-bulk-item]");
    var checked = document.querySelectorAll("[data-bulk-item]:checked").length;
    var status = bar.querySelector("[data-bulk-status]");
    if (status) {
      status.textContent = checked
        ? status.dataset.some.replace("%(count)s", checked)
        : status.dataset.none;
    }
    bar.classList.add("is-enhanced");
    bar.classList.toggle("has-selection", checked > 0);
    var all = bar.querySelector("[data-bulk-all]");
    if (all) {
      all.closest("label").hidden = items.length === 0;
      all.checked = items.length > 0 && checked === items.length;
      all.indeterminate = checked > 0 && checked < items.length;
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-bulk-all]")) {
      document.querySelectorAll("[data-bulk-item]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
    if (event.target.matches("[data-bulk-item], [data-bulk-all]")) updateBulk();
  });

  // Contacts list: after a bulk action the bar's buttons hide with the
  // selection, and the focus goes to the first contact the action changed
  // (a label added or removed) or, when they went to the Trash, to the row
  // that took the first one's place; the flash says what was done. A refusal
  // (422) keeps the selection, the bar and the focus where they were.
  var bulkChanged = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("[data-bulk]")) return;
    var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-bulk-item]"));
    var first = boxes.findIndex(function (box) {
      return box.checked;
    });
    bulkChanged = first < 0 ? null : { value: boxes[first].value, index: first };
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var changed = bulkChanged;
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!changed || !form || !form.matches || !form.matches("[data-bulk]")) return;
    bulkChanged = null;
    if (!event.detail.xhr || event.detail.xhr.status !== 200) return;
    var rows = document.querySelectorAll(".contact-row");
    var box = document.querySelector("[data-bulk-item]" + attributeSelector("value", changed.value));
    var row = (box && box.closest(".contact-row")) || rows[Math.min(changed.index, rows.length - 1)];
    if (row) focusInPlace(row);
  });

  // Export: choosing a label ticks "The contacts with a label"; ticking
  // another choice sets the label back to none (the server refuses a label
  // chosen beside "All contacts" rather than guess which was meant).
  document.addEventListener("change", function (event) {
    var field = event.target;
    var option = field.closest && field.closest(".export-label-option");
    if (option && field.matches("select") && field.value) {
      option.querySelector("input[type=radio]").checked = true;
    } else if (field.matches && field.matches("input[type=radio][name=scope]") && field.value !== "label") {
      var label = field.form && field.form.querySelector(".export-label-option select");
      if (label) label.value = "";
    }
  });

  // Contacts list: "Export" opens the Export page with the selected contacts
  // in its address (without JavaScript the bar's form posts them there).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-export-selection]");
    if (!button) return;
    event.preventDefault();
    var query = new URLSearchParams();
    document.querySelectorAll("[data-bulk-item]:checked").forEach(function (box) {
      query.append("contact", box.value);
    });
    window.location.assign(button.dataset.exportSelection + "?" + query.toString());
  });

  // Messages: Enter sends, Shift+Enter adds a line; the thread keeps its
  // newest message in view (the box keeps the focus through `autofocus`).
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("textarea[data-enter-sends]")) return;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    if (field.value.trim() && field.form) field.form.requestSubmit();
  });

  function scrollThread(force) {
    var thread = document.getElementById("thread-messages");
    if (!thread) return;
    var scroller = document.scrollingElement || document.documentElement;
    var nearBottom =
      scroller.scrollHeight - scroller.scrollTop - window.innerHeight < 240;
    if (force || nearBottom) window.scrollTo(0, scroller.scrollHeight);
  }

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "thread-messages") {
      scrollThread(false);
    }
  });

  // A zone a file can be dropped on ([data-drop-zone]): the first file
  // dropped goes into the zone's file input, as if chosen with its button.
  // On a page with a zone, a file dropped beside it is ignored instead of
  // replacing the page with the file.
  function carriesFiles(event) {
    return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0;
  }

  function dropZoneOf(event) {
    return event.target.closest ? event.target.closest("[data-drop-zone]") : null;
  }

  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (!carriesFiles(event) || !document.querySelector("[data-drop-zone]")) return;
      event.preventDefault();
      var zone = dropZoneOf(event);
      event.dataTransfer.dropEffect = zone ? "copy" : "none";
      if (zone) zone.classList.add("is-dragging");
    });
  });

  document.addEventListener("dragleave", function (event) {
    var zone = dropZoneOf(event);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("is-dragging");
  });

  document.addEventListener("drop", function (event) {
    if (!carriesFiles(event) || !document.querySelector("[data-drop-zone]")) return;
    event.preventDefault();
    var zone = dropZoneOf(event);
    if (!zone) return;
    zone.classList.remove("is-dragging");
    var input = zone.querySelector("input[type=file]");
    if (!input || !event.dataTransfer.files.length) return;
    var chosen = new DataTransfer();
    chosen.items.add(event.dataTransfer.files[0]);
    input.files = chosen.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    input.focus();
  });

  // A row of links that scrolls sideways on narrow screens
  // ([data-scroll-current]) starts with the current page's link in view.
  function revealCurrent(root) {
    var strips = Array.prototype.slice.call(root.querySelectorAll("[data-scroll-current]"));
    if (root.matches && root.matches("[data-scroll-current]")) strips.push(root);
    strips.forEach(function (strip) {
      var current = strip.querySelector("[aria-current='page']");
      if (!current || strip.scrollWidth <= strip.clientWidth) return;
      var area = strip.getBoundingClientRect();
      var link = current.getBoundingClientRect();
      if (link.left >= area.left && link.right <= area.right) return;
      strip.scrollLeft += link.left - area.left - (area.width - link.width) / 2;
    });
  }

  function showDropHints(root) {
    root.querySelectorAll("[data-drop-hint]").forEach(function (hint) {
      hint.hidden = false;
    });
  }

  function init(root) {
    showDropHints(root);
    revealCurrent(root);
    scheduleFlashes(root);
    initCounters(root);
    focusDialog(root);
    hideAutosaveButtons(root);
    ensureDialogSlot();
    updateBulk();
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    if (document.querySelector(".thread-poller")) scrollThread(true);
  });

  document.addEventListener("htmx:load", function (event) {
    init(event.detail.elt);
  });
})();
