// Field editor: show only the properties that apply to the chosen field type (no inline script: CSP).
(function () {
  "use strict";
  const VALUED = ["text", "long_text", "integer", "decimal", "date", "datetime", "yes_no", "select_one",
    "select_multiple", "person", "location", "photo", "file"];
  const APPLIES = {
    options: ["select_one", "select_multiple"],
    minimum: ["integer", "decimal"],
    maximum: ["integer", "decimal"],
    pattern: ["text", "long_text"],
    constraint: VALUED,
    constraint_message_es: VALUED,
    constraint_message_en: VALUED,
    required: VALUED,
    default: ["text", "long_text", "integer", "decimal", "date", "datetime", "yes_no", "select_one",
      "select_multiple", "person"],
    calculation: ["calculated"],
    location_mode: ["location"],
  };

  function update(select) {
    const form = select.form;
    const type = select.value;
    Object.keys(APPLIES).forEach((name) => {
      const wrapper = form.querySelector(".field-" + name);
      if (!wrapper) return;
      const hasErrors = wrapper.querySelector(".errorlist") !== null;
      wrapper.hidden = !hasErrors && APPLIES[name].indexOf(type) === -1;
    });
    form.querySelectorAll("fieldset.editor-group").forEach((group) => {
      const fields = Array.from(group.querySelectorAll(".field"));
      group.hidden = fields.length > 0 && fields.every((field) => field.hidden);
    });
  }

  function init() {
    document.querySelectorAll("form.field-editor select[name=type]").forEach((select) => {
      update(select);
      select.addEventListener("change", () => update(select));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
