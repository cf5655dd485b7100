// Progressive enhancement only: the page generates, shows and hides passwords
// without JavaScript. This adds the length readout and copy-to-clipboard.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const range = document.getElementById("tamanho");
  const readout = document.getElementById("tamanho-valor");
  if (range && readout) {
    range.addEventListener("input", () => { readout.value = range.value; });
  }

  const status = document.getElementById("status");
  let timer;
  const say = (text) => {
    status.textContent = text;
    status.classList.add("visible");
    clearTimeout(timer);
    timer = setTimeout(() => status.classList.remove("visible"), 1800);
  };

  if (!navigator.clipboard) return; // only on secure origins (https, localhost)
  for (const button of document.querySelectorAll("button.copy")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(source.textContent);
        say("Senha copiada");
      } catch {
        say("Não foi possível copiar");
      }
    });
  }
});
