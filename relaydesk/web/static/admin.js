// relaydesk admin: three small behaviours on top of plain forms (everything works without it).
"use strict";

function autoSubmitOnChange(select) {
  select.addEventListener("change", () => select.form.submit());
}

function confirmBeforeSubmit(form) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

function copyButton(button) {
  button.addEventListener("click", async () => {
    const source = document.querySelector(button.dataset.copy);
    const text = source.value !== undefined ? source.value : source.textContent;
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      // Clipboard refused (insecure origin): select the text so Ctrl+C works.
      const range = document.createRange();
      range.selectNodeContents(source);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      button.textContent = "Press Ctrl+C";
    }
    setTimeout(() => { button.textContent = "Copy"; }, 2000);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-autosubmit]").forEach(autoSubmitOnChange);
  document.querySelectorAll("form[data-confirm]").forEach(confirmBeforeSubmit);
  document.querySelectorAll("button[data-copy]").forEach(copyButton);
});
