// Shows a question's "Options" box only when its answer is a choice; without JavaScript it is always shown.
const CHOICE_KINDS = new Set(["choice", "multi_choice"]);

for (const row of document.querySelectorAll(".question-row")) {
  const kind = row.querySelector(".question-kind select");
  const options = row.querySelector(".question-choices");
  if (!kind || !options) continue;
  const show = () => {
    const wanted = CHOICE_KINDS.has(kind.value) || options.querySelector("textarea").value.trim() !== "";
    options.hidden = !wanted;
  };
  kind.addEventListener("change", show);
  show();
}
