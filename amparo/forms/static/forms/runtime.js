// Live skip logic, calculations and repeat groups for forms rendered by amparo/forms/rendering.py.
// Runs the same algorithm as amparo/forms/evaluation.py::run over the form's JSON metadata,
// with AmparoExpressions (expressions.js) evaluating each AST. No inline script (CSP).
(function (root) {
  "use strict";

  function isoDate(text) {
    const match = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text) || null;
    if (match) {
      return match[3] + "-" + match[2].padStart(2, "0") + "-" + match[1].padStart(2, "0");
    }
    return /^\s*\d{4}-\d{2}-\d{2}\s*$/.test(text) ? text.trim() : "";
  }

  function isoDateTime(text) {
    const match = /^\s*(\S+)[T ](\d{1,2}):(\d{2})/.exec(text);
    if (!match) return "";
    const day = isoDate(match[1]);
    return day ? day + "T" + match[2].padStart(2, "0") + ":" + match[3] : "";
  }

  function numberValue(text, integer) {
    const clean = String(text).trim().replace(",", ".");
    if (integer ? !/^-?\d+$/.test(clean) : !/^-?(\d+(\.\d*)?|\.\d+)$/.test(clean)) return "";
    return parseFloat(clean);
  }

  // The answer of one field in one scope, as expressions see it (mirrors evaluation.expression_value).
  function readValue(container, prefix, path, type) {
    const name = prefix + ":" + path;
    const inputs = Array.from(container.querySelectorAll('[name="' + CSS.escape(name) + '"]'));
    if (type === "select_multiple") {
      return inputs.filter((input) => input.checked).map((input) => input.value).join(" ");
    }
    if (type === "location") {
      const lat = container.querySelector('[name="' + CSS.escape(name + "/latitude") + '"]');
      const lng = container.querySelector('[name="' + CSS.escape(name + "/longitude") + '"]');
      const area = container.querySelector('[name="' + CSS.escape(name + "/admin_area") + '"]');
      if (lat && lng && lat.value.trim() && lng.value.trim()) return lat.value.trim() + " " + lng.value.trim();
      return area ? area.value.trim() : "";
    }
    if (type === "photo" || type === "file") {
      const input = inputs[0];
      if (input && input.files && input.files.length) return input.files[0].name;
      const kept = container.querySelector('[name="' + CSS.escape(name + "/keep") + '"]');
      const cleared = container.querySelector('[name="' + CSS.escape(name + "/clear") + '"]');
      if (kept && !(cleared && cleared.checked)) {
        const label = kept.parentElement.querySelector("[data-file-name]");
        return label ? label.dataset.fileName || "file" : "file";
      }
      return "";
    }
    let value = "";
    inputs.forEach((input) => {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) value = input.value;
      } else {
        value = input.value;
      }
    });
    if (type === "integer" || type === "person") return numberValue(value, true);
    if (type === "decimal") return numberValue(value, false);
    if (type === "date") return isoDate(value);
    if (type === "datetime") return isoDateTime(value);
    if (type === "text") return value.trim();
    return value;
  }

  // Same algorithm as evaluation.run: scopes from the DOM, nodes in meta.order.
  function run(meta, readRaw, instancesOf, options) {
    const E = root.AmparoExpressions;
    const nodes = meta.nodes;
    const rootScope = { repeat: null, parent: null, path: "", isRelevant: true, values: {}, relevant: {}, children: {} };
    const byRepeat = {};
    const repeatsIn = {};
    Object.keys(nodes).forEach((name) => {
      const node = nodes[name];
      if (node.kind === "field" && node.type === "repeat") {
        const key = node.repeat || "";
        (repeatsIn[key] = repeatsIn[key] || []).push(name);
      }
    });
    function build(scope) {
      (repeatsIn[scope.repeat || ""] || []).forEach((name) => {
        scope.children[name] = [];
        instancesOf(scope, name).forEach((instance) => {
          const child = {
            repeat: name, parent: scope, path: instance.path, handle: instance.handle, isRelevant: true,
            values: {}, relevant: {}, children: {},
          };
          scope.children[name].push(child);
          (byRepeat[name] = byRepeat[name] || []).push(child);
          build(child);
        });
      });
    }
    build(rootScope);
    function lookup(scope, name) {
      const node = nodes[name];
      if (!node) return "";
      if (node.repeat === null) return name in rootScope.values ? rootScope.values[name] : "";
      for (let current = scope; current; current = current.parent) {
        if (current.repeat === node.repeat) return name in current.values ? current.values[name] : "";
      }
      return (byRepeat[node.repeat] || []).map((instance) => (name in instance.values ? instance.values[name] : ""));
    }
    function env(scope) {
      return { lookup: (name) => lookup(scope, name), current: "", today: options.today, now: options.now };
    }
    function holds(ast, scope) {
      return ast === null || ast === undefined ? true : E.toBoolean(E.evaluate(ast, env(scope)));
    }
    meta.order.forEach((name) => {
      const node = nodes[name];
      if (node.kind === "section") {
        rootScope.relevant[name] = holds(node.relevant, rootScope);
        return;
      }
      const scopes = node.repeat === null ? [rootScope] : byRepeat[node.repeat] || [];
      scopes.forEach((scope) => {
        const containerOk = node.inRepeat ? scope.isRelevant : rootScope.relevant[node.container] !== false;
        const relevant = containerOk && holds(node.relevant, scope);
        scope.relevant[name] = relevant;
        if (node.type === "repeat") {
          const instances = scope.children[name] || [];
          instances.forEach((instance) => { instance.isRelevant = relevant; });
          scope.values[name] = relevant ? instances.map(() => "") : [];
        } else if (!relevant) {
          scope.values[name] = "";
        } else if (node.calculation) {
          let result = E.evaluate(node.calculation, env(scope));
          if (typeof result === "number" && !Number.isFinite(result)) result = "";
          if (Array.isArray(result)) result = E.toString(result);
          scope.values[name] = result;
        } else {
          scope.values[name] = readRaw(scope, name, node.type);
        }
      });
    });
    return { root: rootScope, byRepeat: byRepeat };
  }

  function today() {
    const now = new Date();
    return now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" + String(now.getDate()).padStart(2, "0");
  }

  function refresh(form) {
    const script = form.querySelector("script[type='application/json']");
    if (!script) return;
    const meta = form._amparoMeta || (form._amparoMeta = JSON.parse(script.textContent));
    const prefix = meta.prefix;
    function scopeElement(scope) {
      return scope.handle || form;
    }
    function instancesOf(scope, name) {
      const within = scopeElement(scope);
      return Array.from(within.querySelectorAll('[data-repeat-instance="' + CSS.escape(name) + '"]'))
        .filter((element) => element.parentElement.closest("[data-repeat-instance]") === (scope.handle || null))
        .map((element) => ({ path: element.dataset.path, handle: element }));
    }
    function readRaw(scope, name, type) {
      const path = scope.path ? scope.path + "/" + name : name;
      return readValue(scopeElement(scope), prefix, path, type);
    }
    const result = run(meta, readRaw, instancesOf, { today: meta.today || today(), now: "" });
    const E = root.AmparoExpressions;
    form.querySelectorAll("[data-section]").forEach((element) => {
      element.hidden = result.root.relevant[element.dataset.section] === false;
    });
    function apply(scope) {
      const within = scopeElement(scope);
      Object.keys(scope.relevant).forEach((name) => {
        const path = scope.path ? scope.path + "/" + name : name;
        const element = within.querySelector('[data-path="' + CSS.escape(path) + '"]');
        if (element) element.hidden = !scope.relevant[name];
        const output = within.querySelector('[data-calc-path="' + CSS.escape(path) + '"]');
        if (output) output.textContent = E.toString(scope.values[name]);
      });
      within.querySelectorAll('output[data-ref][data-scope="' + CSS.escape(scope.path) + '"]').forEach((output) => {
        const name = output.dataset.ref;
        let value = name in scope.values ? scope.values[name] : "";
        if (!(name in scope.values)) {
          for (let current = scope.parent; current; current = current.parent) {
            if (name in current.values) { value = current.values[name]; break; }
          }
        }
        output.textContent = E.toString(value);
      });
      Object.keys(scope.children).forEach((name) => scope.children[name].forEach(apply));
    }
    apply(result.root);
  }

  function addInstance(button) {
    const name = button.dataset.repeatAdd;
    const fieldset = button.closest("fieldset");
    const template = fieldset.querySelector('template[data-repeat-template="' + CSS.escape(name) + '"]');
    const list = fieldset.querySelector('[data-repeat-list="' + CSS.escape(name) + '"]');
    let next = 0;
    Array.from(list.children).forEach((element) => {
      const index = parseInt(String(element.dataset.path || "").split("/").pop(), 10);
      if (!Number.isNaN(index) && index >= next) next = index + 1;
    });
    const holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.split("__" + name + "__").join(String(next));
    const instance = holder.firstElementChild;
    list.appendChild(instance);
    const first = instance.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  function init() {
    document.querySelectorAll("[data-amparo-form]").forEach(refresh);
  }

  // Person picker: search the registry API (GET url?q=…, the caller's access policy applies) and
  // put the chosen person's id in the hidden input that carries the answer.
  function personLabel(person) {
    const name = [person.given_names, person.first_surname, person.second_surname].filter(Boolean).join(" ");
    return (person.label || name || String(person.id)) + (person.amparo_id ? " · " + person.amparo_id : "");
  }

  let personTimer = null;
  function searchPersons(search) {
    const picker = search.closest("[data-person-picker]");
    const list = picker.querySelector(".person-results");
    const hidden = picker.querySelector("input[type=hidden]");
    const query = search.value.trim();
    hidden.value = /^\d+$/.test(query) ? query : "";
    if (query.length < 2) {
      list.hidden = true;
      return;
    }
    const url = search.dataset.personSearch + (search.dataset.personSearch.indexOf("?") === -1 ? "?" : "&") +
      "q=" + encodeURIComponent(query) + "&page_size=8";
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { results: [] }))
      .then((body) => {
        list.replaceChildren();
        (body.results || []).forEach((person) => {
          const item = document.createElement("li");
          const button = document.createElement("button");
          button.type = "button";
          button.className = "secondary outline small";
          button.dataset.personId = String(person.id);
          button.textContent = personLabel(person);
          item.appendChild(button);
          list.appendChild(item);
        });
        list.hidden = list.children.length === 0;
      })
      .catch(() => { list.hidden = true; });
  }

  if (typeof document !== "undefined" && !root.AmparoFormsRuntime) {
    document.addEventListener("input", (event) => {
      const target = event.target instanceof Element ? event.target : null;
      const form = target ? target.closest("[data-amparo-form]") : null;
      if (target && target.matches("[data-person-search]")) {
        clearTimeout(personTimer);
        personTimer = setTimeout(() => { searchPersons(target); refresh(form); }, 250);
      }
      if (form) refresh(form);
    });
    document.addEventListener("change", (event) => {
      const form = event.target instanceof Element ? event.target.closest("[data-amparo-form]") : null;
      if (form) refresh(form);
    });
    document.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      const form = target.closest("[data-amparo-form]");
      if (!form) return;
      const chosen = target.closest("[data-person-id]");
      if (chosen) {
        const picker = chosen.closest("[data-person-picker]");
        picker.querySelector("input[type=hidden]").value = chosen.dataset.personId;
        picker.querySelector("[data-person-search]").value = chosen.textContent;
        picker.querySelector(".person-results").hidden = true;
        refresh(form);
        return;
      }
      const add = target.closest("[data-repeat-add]");
      if (add) {
        addInstance(add);
        refresh(form);
        return;
      }
      const remove = target.closest("[data-repeat-remove]");
      if (remove) {
        remove.closest("[data-repeat-instance]").remove();
        refresh(form);
        return;
      }
      const locate = target.closest("[data-geolocate]");
      if (locate && navigator.geolocation) {
        const box = locate.closest(".location-inputs");
        navigator.geolocation.getCurrentPosition((position) => {
          box.querySelector("[data-geo=latitude]").value = position.coords.latitude.toFixed(6);
          box.querySelector("[data-geo=longitude]").value = position.coords.longitude.toFixed(6);
          refresh(form);
        });
      }
    });
    document.addEventListener("htmx:afterSettle", init);
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", init);
    } else {
      init();
    }
  }
  root.AmparoFormsRuntime = { run: run, refresh: refresh };
  if (typeof module !== "undefined" && module.exports) module.exports = { run: run };
})(typeof window !== "undefined" ? window : globalThis);
