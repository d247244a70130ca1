// "My profile": see and edit one's own profile; and creating it on the first sign-in.

import { h, clear } from "../dom.js";
import { sendJson } from "./api.js";
import { field, messageLine, withMessage } from "./ui.js";

const list = (text) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

export function renderProfile(body, person, onSaved) {
  const name = h("input", { type: "text", value: person.display_name, required: true, maxlength: 120, autocomplete: "name" });
  const headline = h("input", { type: "text", value: person.headline || "", maxlength: 200 });
  const skills = h("input", { type: "text", value: (person.skills || []).join(", ") });
  const interests = h("input", { type: "text", value: (person.interests || []).join(", ") });
  const line = messageLine();
  const form = h(
    "form",
    {
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        withMessage(line, "Saving…", async () => {
          const saved = await sendJson("PATCH", `/v1/people/${encodeURIComponent(person.id)}`, {
            display_name: name.value.trim(),
            headline: headline.value.trim() || null,
            skills: list(skills.value),
            interests: list(interests.value),
          });
          onSaved(saved);
          return "Profile saved.";
        });
      },
    },
    h("p", { class: "muted" }, `Your id: ${person.id} · roles: ${person.roles.join(", ")}`),
    field("profile-name", "Name", name),
    field("profile-headline", "Headline", headline),
    field("profile-skills", "Skills (comma-separated)", skills),
    field("profile-interests", "Interests (comma-separated)", interests),
    h("button", { type: "submit" }, "Save profile"),
    line,
  );
  clear(body).append(form);
}
