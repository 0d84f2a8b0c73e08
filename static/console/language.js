// Choosing a language submits its form at once (the button is for pages without scripts).
document.getElementById("language-select").addEventListener("change", (event) => event.target.form.submit());
