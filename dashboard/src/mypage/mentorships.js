// "My mentorships and sessions": each mentorship with its sessions; a proposal made to the
// person can be accepted or declined here.

import { h, clear } from "../dom.js";
import { enc, getAll, sendJson } from "./api.js";
import { button, empty, messageLine, when, withMessage } from "./ui.js";

function proposedToMe(mentorship, personId) {
  if (mentorship.status !== "proposed") return false;
  const mySide = mentorship.mentor_id === personId ? "mentor" : "mentee";
  return mentorship.proposed_by !== mySide;
}

export async function renderMentorships(body, person, refresh) {
  const mentorships = await getAll(`/v1/people/${enc(person.id)}/mentorships`);
  clear(body);
  if (!mentorships.length) {
    body.append(empty("No mentorships yet. See the suggested mentors below."));
    return;
  }
  const listing = h("ul", { class: "items" });
  for (const mentorship of mentorships) {
    const other = mentorship.mentor_id === person.id ? `mentee ${mentorship.mentee_id}` : `mentor ${mentorship.mentor_id}`;
    const line = messageLine();
    const item = h(
      "li",
      { class: "item", dataset: { mentorship: mentorship.id } },
      h("p", {}, h("strong", {}, `With ${other}`), ` — ${mentorship.status}`),
      mentorship.goals.length ? h("p", { class: "muted" }, `Goals: ${mentorship.goals.join("; ")}`) : null,
    );
    if (proposedToMe(mentorship, person.id)) {
      const decide = (status, text) =>
        withMessage(line, "Saving…", async () => {
          await sendJson("PATCH", `/v1/mentorships/${enc(mentorship.id)}`, { status });
          await refresh();
          return text;
        });
      item.append(
        h(
          "div",
          { class: "actions" },
          button("Accept", () => decide("active", "Accepted.")),
          button("Decline", () => decide("declined", "Declined."), { class: "button-quiet" }),
        ),
      );
    }
    if (mentorship.status !== "proposed" && mentorship.status !== "declined") {
      const sessions = await getAll(`/v1/mentorships/${enc(mentorship.id)}/sessions`);
      item.append(
        sessions.length
          ? h("ul", { class: "sessions" }, sessions.map((s) => h("li", {}, `${when(s.scheduled_at)} — ${s.status}`)))
          : empty("No sessions yet."),
      );
    }
    item.append(line);
    listing.append(item);
  }
  body.append(listing);
}
