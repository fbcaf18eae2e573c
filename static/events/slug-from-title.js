// Shows, as the title is typed, the web address the server will propose when the field is left empty.
for (const slugInput of document.querySelectorAll("input[data-slug-from]")) {
  const title = document.getElementById(slugInput.dataset.slugFrom);
  if (!title) continue;
  const propose = () => {
    slugInput.placeholder = title.value
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9\s-]/g, "")
      .trim()
      .replace(/[\s-]+/g, "-")
      .slice(0, 56);
  };
  title.addEventListener("input", propose);
  propose();
}
